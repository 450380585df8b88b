"""The form to leave a tip."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from directory.tips.models import TIP_MAX_LENGTH


class TipForm(FlaskForm):
    """A short tip on a shop page."""

    body = TextAreaField(
        _l("Votre conseil"), validators=[DataRequired(), Length(max=TIP_MAX_LENGTH)]
    )
