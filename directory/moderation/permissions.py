"""Who may moderate: named predicates, checked by every moderation operation."""

from __future__ import annotations

from flask_babel import gettext as _

from directory.accounts.models import Role, User
from directory.errors import PermissionDenied


def can_moderate(user: User | None) -> bool:
    """Moderators and admins in good standing."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_moderator)


def can_administer(user: User | None) -> bool:
    """Admins in good standing: they grant and remove roles."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role == Role.ADMIN
    )


def require_moderator(user: User | None) -> User:
    """Return ``user`` if it may moderate, else raise ``PermissionDenied``."""
    if not can_moderate(user):
        raise PermissionDenied(_("Réservé à l'équipe de modération."))
    return user  # type: ignore[return-value]


def require_admin(user: User | None) -> User:
    """Return ``user`` if it is an admin, else raise ``PermissionDenied``."""
    if not can_administer(user):
        raise PermissionDenied(_("Réservé aux administrateurs."))
    return user  # type: ignore[return-value]
