"""The form to post or edit a shop."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from directory.errors import ValidationFailed
from directory.places.gazetteer import coordinate_text, geocode
from directory.shops.limits import (
    ADDRESS_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    SHOP_DESCRIPTION_MAX_LENGTH,
    SHOP_NAME_MAX_LENGTH,
    SHOP_POSTCODE_MAX_LENGTH,
    SHOP_URL_MAX_LENGTH,
    TOWN_MAX_LENGTH,
)
from directory.shops.services import MAX_DELIVERY_RADIUS_KM, ShopInput

COUNTRY_CHOICES = [SelectChoice("BE", _l("Belgique")), SelectChoice("FR", _l("France"))]
# Decimal degrees, with a point or the comma French and Dutch keyboards type ("49,6833").
DECIMAL_DEGREES = re.compile(r"^[-+\u2212]?\d{1,3}(?:[.,]\d{1,12})?$")
# Where the map starts when nothing is known yet: Belgium and the north of France.
DEFAULT_MAP_VIEW = (50.0, 4.6, 6)


class CoordinateField(Field):
    """A latitude or longitude typed as text, so any keyboard and locale can enter it."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]  # what was typed, even refused, is shown again
        if self.data is None:
            return ""
        return coordinate_text(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            return
        if not DECIMAL_DEGREES.match(text):
            raise ValueError(_("Indiquez un nombre en degrés décimaux, par exemple 49.6833."))
        self.data = float(text.replace(",", ".").replace("\u2212", "-"))


class ShopForm(FlaskForm):
    """Name, place, links and services of a recommended shop."""

    name = StringField(
        _l("Nom du commerce"), validators=[DataRequired(), Length(max=SHOP_NAME_MAX_LENGTH)]
    )
    category_id = SelectField(
        _l("Catégorie"),
        coerce=int,
        validators=[InputRequired(_l("Choisissez une catégorie de la liste."))],
    )
    address = StringField(
        _l("Rue et numéro"), validators=[Optional(), Length(max=ADDRESS_MAX_LENGTH)]
    )
    postcode = StringField(
        _l("Code postal"), validators=[DataRequired(), Length(max=SHOP_POSTCODE_MAX_LENGTH)]
    )
    town = StringField(_l("Localité"), validators=[DataRequired(), Length(max=TOWN_MAX_LENGTH)])
    country = SelectField(_l("Pays"), choices=COUNTRY_CHOICES, default="BE")
    website = StringField(_l("Site web"), validators=[Optional(), Length(max=SHOP_URL_MAX_LENGTH)])
    eshop_url = StringField(
        _l("Lien de l'e-shop"), validators=[Optional(), Length(max=SHOP_URL_MAX_LENGTH)]
    )
    phone = StringField(_l("Téléphone"), validators=[Optional(), Length(max=PHONE_MAX_LENGTH)])
    description = TextAreaField(
        _l("Pourquoi le recommandez-vous ?"),
        validators=[Optional(), Length(max=SHOP_DESCRIPTION_MAX_LENGTH)],
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
    lat = CoordinateField(_l("Latitude"), render_kw={"inputmode": "decimal"})
    lon = CoordinateField(_l("Longitude"), render_kw={"inputmode": "decimal"})

    def to_input(self) -> ShopInput:
        """The submitted values as a service input."""
        return ShopInput(
            **{name: getattr(self, name).data for name in ShopInput.__dataclass_fields__}
        )

    def map_start(self) -> tuple[float, float, int]:
        """``(lat, lon, zoom)`` where the position map opens: the position in the fields, else
        the centre of the town typed, else a view of Belgium and northern France."""
        lat, lon = self.lat.data, self.lon.data
        if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
            return lat, lon, 17
        try:
            place = geocode(self.country.data or "", self.postcode.data or "", self.town.data or "")
        except ValidationFailed:
            return DEFAULT_MAP_VIEW
        return place.lat, place.lon, 14
