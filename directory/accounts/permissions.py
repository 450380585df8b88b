"""Who may act: checks shared by every service that changes state."""

from __future__ import annotations

from flask_babel import gettext as _

from directory.accounts.models import User
from directory.errors import PermissionDenied


def require_member(user: User | None, login_message: str) -> User:
    """Return ``user`` if it is a logged-in member in good standing, else raise PermissionDenied.

    ``login_message`` says what the anonymous visitor must log in for.
    """
    if user is None or not user.is_authenticated:
        raise PermissionDenied(login_message)
    if user.is_banned:
        raise PermissionDenied(_("Ce compte a été suspendu."))
    return user
