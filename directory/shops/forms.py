"""The form to post or edit a shop."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from directory.shops.services import MAX_DELIVERY_RADIUS_KM, ShopInput

COUNTRY_CHOICES = [SelectChoice("BE", _l("Belgique")), SelectChoice("FR", _l("France"))]


class ShopForm(FlaskForm):
    """Name, place, links and services of a recommended shop."""

    name = StringField(_l("Nom du commerce"), validators=[DataRequired(), Length(max=120)])
    category_id = SelectField(
        _l("Catégorie"),
        coerce=int,
        validators=[InputRequired(_l("Choisissez une catégorie de la liste."))],
    )
    address = StringField(_l("Rue et numéro"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Code postal"), validators=[DataRequired(), Length(max=10)])
    town = StringField(_l("Localité"), validators=[DataRequired(), Length(max=120)])
    country = SelectField(_l("Pays"), choices=COUNTRY_CHOICES, default="BE")
    website = StringField(_l("Site web"), validators=[Optional(), Length(max=300)])
    eshop_url = StringField(_l("Lien de l'e-shop"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Téléphone"), validators=[Optional(), Length(max=40)])
    description = TextAreaField(
        _l("Pourquoi le recommandez-vous ?"), validators=[Optional(), Length(max=1000)]
    )
    takeaway = BooleanField(_l("À emporter"))
    click_collect = BooleanField(_l("Click & collect"))
    delivery = BooleanField(_l("Livraison"))
    delivery_radius_km = IntegerField(
        _l("Rayon de livraison (km)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_DELIVERY_RADIUS_KM)],
    )
    eshop = BooleanField(_l("E-shop"))
    # Shown with the likely duplicates only; ticked, the shop is saved anyway.
    confirm_not_duplicate = BooleanField(_l("C'est bien un autre commerce"))

    def to_input(self) -> ShopInput:
        """The submitted values as a service input."""
        return ShopInput(
            **{name: getattr(self, name).data for name in ShopInput.__dataclass_fields__}
        )
