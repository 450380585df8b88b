"""Registration and login forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from directory.accounts.models import (
    DISPLAY_NAME_MAX_LENGTH,
    DISPLAY_NAME_MIN_LENGTH,
    EMAIL_MAX_LENGTH,
)
from directory.accounts.passwords import MAX_PASSWORD_LENGTH

DISPLAY_NAME_LENGTH = Length(min=DISPLAY_NAME_MIN_LENGTH, max=DISPLAY_NAME_MAX_LENGTH)


class RegisterForm(FlaskForm):
    """Create a member account."""

    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH), Email()]
    )
    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(), DISPLAY_NAME_LENGTH])
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[DataRequired(), EqualTo("password", _l("Les mots de passe diffèrent."))],
    )


class LoginForm(FlaskForm):
    """Log in; the field names are a contract (``email``, ``password``, ``remember``)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH)])
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField(_l("Se souvenir de moi"))


class ForgotPasswordForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH), Email()]
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Nouveau mot de passe"),
            validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        ),
        PasswordField(
            _l("Confirmez le mot de passe"),
            validators=[DataRequired(), EqualTo("password", _l("Les mots de passe diffèrent."))],
        ),
    )


def _current_password_field() -> PasswordField:
    return PasswordField(
        _l("Mot de passe actuel"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )


class ResetPasswordForm(FlaskForm):
    """Choose a new password from a reset link."""

    password, confirm = _new_password_fields()


# The interface languages, in their own words: a member who cannot read French finds theirs.
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


class ProfileForm(FlaskForm):
    """The public name and the preferred language."""

    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(), DISPLAY_NAME_LENGTH])
    language = SelectField(
        _l("Langue"),
        choices=[
            SelectChoice("", _l("Celle du navigateur")),
            *(SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()),
        ],
    )


class _OnSettingsPage(FlaskForm):
    """The settings page holds several forms: a prefix keeps their field names and ids apart."""

    prefix_name = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class EmailChangeForm(_OnSettingsPage):
    """A new email, confirmed by a link mailed to it."""

    prefix_name = "new_email"

    email = EmailField(
        _l("Nouvelle adresse e-mail"),
        validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH), Email()],
    )
    current_password = _current_password_field()


class PasswordChangeForm(_OnSettingsPage):
    """A new password; the current one is asked."""

    prefix_name = "new_password"

    current_password = _current_password_field()
    password, confirm = _new_password_fields()


class DeleteAccountForm(_OnSettingsPage):
    """Delete the account, with the password and an explicit yes."""

    prefix_name = "delete"

    current_password = _current_password_field()
    understood = BooleanField(
        _l("Je comprends que la suppression est définitive."), validators=[DataRequired()]
    )


class ActionForm(FlaskForm):
    """A form with no fields: a button that only carries the CSRF token (logout, votes)."""
