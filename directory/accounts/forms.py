"""Registration and login forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from directory.accounts.passwords import MAX_PASSWORD_LENGTH


class RegisterForm(FlaskForm):
    """Create a member account."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), Email()])
    display_name = StringField(
        _l("Nom affiché"), validators=[DataRequired(), Length(min=2, max=50)]
    )
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[DataRequired(), EqualTo("password", _l("Les mots de passe diffèrent."))],
    )


class LoginForm(FlaskForm):
    """Log in; the field names are a contract (``email``, ``password``, ``remember``)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField(_l("Se souvenir de moi"))


class ActionForm(FlaskForm):
    """A form with no fields: a button that only carries the CSRF token (logout, votes)."""
