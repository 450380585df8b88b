"""Forms of a merchant claim: the evidence, and the code mailed to the shop's address.

The services check every value again (domain of the email, phone syntax, note length): these
forms only bound the input and carry the CSRF token.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory.accounts.models import EMAIL_MAX_LENGTH
from directory.merchants.claims import CODE_DIGITS
from directory.merchants.models import CLAIM_NOTE_MAX_LENGTH
from directory.shops.limits import PHONE_MAX_LENGTH

# The code's digits, with room for the spaces or dashes typed between them (the service drops
# white space and refuses anything else).
CODE_INPUT_MAX_LENGTH = 2 * CODE_DIGITS


class ClaimForm(FlaskForm):
    """The evidence that the member runs the shop; at least one field is needed."""

    email = EmailField(
        _l("Adresse e-mail du commerce (facultatif)"),
        validators=[Optional(), Length(max=EMAIL_MAX_LENGTH)],
    )
    phone = StringField(
        _l("Téléphone où la modération peut vous joindre (facultatif)"),
        validators=[Optional(), Length(max=PHONE_MAX_LENGTH)],
    )
    note = TextAreaField(
        _l("Note pour la modération (facultatif)"),
        validators=[Optional(), Length(max=CLAIM_NOTE_MAX_LENGTH)],
    )


class ClaimCodeForm(FlaskForm):
    """The code mailed to the address given as evidence."""

    code = StringField(
        _l("Code reçu par e-mail"),
        validators=[DataRequired(), Length(max=CODE_INPUT_MAX_LENGTH)],
    )
