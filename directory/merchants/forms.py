"""The merchant's practical-information form (a revert takes moderation's ``ReasonForm``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from directory.errors import ValidationFailed
from directory.merchants.editing import PRACTICAL_FIELDS, PracticalInfo
from directory.shops.forms import ShopForm
from directory.shops.hours import validate_hours
from directory.shops.limits import MERCHANT_ANSWER_MAX_LENGTH, OPENING_HOURS_MAX_LENGTH
from directory.shops.services import checked_delivery_radius
from directory.validation import clean_url


def _domain_check(check):
    """A WTForms validator running the service's own check, so both say the same thing."""

    def validator(_form, field):
        try:
            check(field.data)
        except ValidationFailed as error:
            raise ValidationError(error.message) from None

    return validator


class PracticalInfoForm(FlaskForm):
    """Hours, services, delivery radius, e-shop link and the public answer of a listing."""

    # No Length validator: the service measures the expression once tidied (spaces collapsed,
    # one rule per line joined), so the limit only bounds what the browser lets one type.
    opening_hours = TextAreaField(
        _l("Horaires d'ouverture"),
        validators=[Optional(), _domain_check(validate_hours)],
        render_kw={"maxlength": OPENING_HOURS_MAX_LENGTH},
    )
    # The services, radius and e-shop fields are the shop form's own, with their validators.
    takeaway = ShopForm.takeaway
    click_collect = ShopForm.click_collect
    delivery = ShopForm.delivery
    delivery_radius_km = ShopForm.delivery_radius_km
    eshop = ShopForm.eshop
    eshop_url = ShopForm.eshop_url
    merchant_answer = TextAreaField(
        _l("Votre réponse aux membres (publique)"),
        validators=[Optional(), Length(max=MERCHANT_ANSWER_MAX_LENGTH)],
    )

    def validate_eshop_url(self, field) -> None:
        """Refuse a link the service would refuse, next to the field."""
        _domain_check(lambda value: clean_url(value, "eshop_url"))(self, field)

    def validate(self, extra_validators=None) -> bool:
        """The field checks, then delivery's need for a radius; one message per field."""
        valid = super().validate(extra_validators)
        radius = self.delivery_radius_km
        if not radius.errors:
            try:
                checked_delivery_radius(bool(self.delivery.data), radius.data)
            except ValidationFailed as error:
                radius.errors = [error.message]
                valid = False
        for field in self:
            # "abc" is both "not an integer" and "not between 1 and 200": the first says it.
            field.errors = list(field.errors)[:1]
        return valid

    def to_input(self) -> PracticalInfo:
        """The submitted values as a service input."""
        return PracticalInfo(**{name: getattr(self, name).data for name in PRACTICAL_FIELDS})
