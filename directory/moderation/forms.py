"""Forms of the flag pages and of the moderators' actions (field names fixed by the Contract)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from directory.moderation.models import FLAG_NOTE_MAX_LENGTH, REASON_LABELS, FlagReason
from directory.moderation.services import MAX_SUSPENSION_DAYS, REASON_MAX_LENGTH
from directory.validation import MAX_URL_LENGTH

# Another shop, named by its page's address or its number: as long as a web address may be.
SHOP_REFERENCE_MAX_LENGTH = MAX_URL_LENGTH


class FlagForm(FlaskForm):
    """What is wrong with a shop or a tip; the service checks the reason against the item."""

    # Unknown values are the service's to refuse, with the same message as a missing one.
    reason = RadioField(_l("Quel est le problème ?"), validate_choice=False)
    note = TextAreaField(
        _l("Précisions (facultatif, sauf pour « Autre »)"),
        validators=[Optional(), Length(max=FLAG_NOTE_MAX_LENGTH)],
    )
    duplicate_of = StringField(
        _l("Doublon de quelle adresse ? (son lien ou son numéro)"),
        validators=[Optional(), Length(max=SHOP_REFERENCE_MAX_LENGTH)],
    )

    def offer(self, reasons: tuple[FlagReason, ...]) -> FlagForm:
        """Offer only ``reasons`` (a tip is never closed nor a duplicate)."""
        self.reason.choices = [(r.value, REASON_LABELS[r]) for r in reasons]
        return self


class ReasonForm(FlaskForm):
    """Approve, hide, restore, close, dismiss, delete a tip, warn: each says why."""

    reason = StringField(
        _l("Raison (publique)"), validators=[DataRequired(), Length(max=REASON_MAX_LENGTH)]
    )


class MergeForm(ReasonForm):
    """Merge a duplicate into the shop to keep."""

    into = StringField(
        _l("Adresse à garder (son lien ou son numéro)"),
        validators=[DataRequired(), Length(max=SHOP_REFERENCE_MAX_LENGTH)],
    )


class BanForm(ReasonForm):
    """Ban for good, or suspend for some days."""

    days = IntegerField(
        _l("Durée en jours (vide : définitif)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_SUSPENSION_DAYS)],
    )
