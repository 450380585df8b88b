"""Who may act: checks shared by every service that changes state."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from directory.accounts.models import User
from directory.errors import PermissionDenied


def require_member(user: User | None, login_message: str) -> User:
    """Return ``user`` if it is a logged-in member in good standing, else raise PermissionDenied.

    ``login_message`` says what the anonymous visitor must log in for.
    """
    if user is None or not user.is_authenticated:
        raise PermissionDenied(login_message)
    if user.is_banned_now:
        raise PermissionDenied(_("Ce compte a été suspendu."))
    return user


def needs_confirmation(user: User | None) -> bool:
    """True for a logged-in member who must confirm their email before posting.

    ``REQUIRE_EMAIL_CONFIRMATION=0`` lets unconfirmed members post (demos, scripted checks).
    """
    if user is None or not user.is_authenticated or user.is_confirmed:
        return False
    return bool(current_app.config["REQUIRE_EMAIL_CONFIRMATION"])


def require_confirmed_member(user: User | None, login_message: str) -> User:
    """Like ``require_member``, and the member's email must be confirmed (when required)."""
    member = require_member(user, login_message)
    if needs_confirmation(member):
        raise PermissionDenied(
            _("Confirmez d'abord votre adresse e-mail : suivez le lien que nous vous avons envoyé.")
        )
    return member
