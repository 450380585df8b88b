"""Moderation operations: each checks the actor with a named predicate, changes the state and
writes its log entry in the same transaction (the caller commits).

``actor=None`` is the command line: whoever runs ``flask`` on the server is trusted, which is
how the first admin is made.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from directory.accounts.models import Role, User, new_session_token
from directory.errors import PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.moderation.models import Action, ModerationEntry, TargetType
from directory.moderation.permissions import require_admin, require_moderator
from directory.shops.models import Shop, ShopStatus
from directory.timeutil import utcnow
from directory.validation import clean_text

REASON_MAX_LENGTH = 500
MAX_SUSPENSION_DAYS = 3650


def log_action(
    moderator: User | None,
    action: Action,
    target_type: TargetType,
    target_id: int,
    target_name: str,
    reason: str,
    private_note: str = "",
) -> ModerationEntry:
    """Add one entry to the moderation log (flushed with the change it records)."""
    entry = ModerationEntry(
        moderator_id=moderator.id if moderator is not None else None,
        action=action.value,
        target_type=target_type.value,
        target_id=target_id,
        target_name=target_name[:200],
        reason=reason,
        private_note=private_note,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _reason(reason: str) -> str:
    return clean_text(reason, "reason", REASON_MAX_LENGTH, required=True)


def set_role(actor: User | None, user: User, role: Role, reason: str) -> ModerationEntry:
    """Make ``user`` a member, moderator or admin; only admins (or the command line) may."""
    if actor is not None:
        require_admin(actor)
        if actor.id == user.id:
            raise PermissionDenied(_("Demandez à un autre administrateur de changer votre rôle."))
    if not user.is_active and role != Role.MEMBER:
        raise ValidationFailed(_("Ce compte est suspendu ou supprimé."), field="email")
    reason = _reason(reason)
    user.role = role.value
    return log_action(
        actor,
        Action.SET_ROLE,
        TargetType.USER,
        user.id,
        user.display_name,
        f"{role.value}: {reason}",
    )


def ban_member(
    actor: User | None, user: User, reason: str, days: int | None = None
) -> ModerationEntry:
    """Ban ``user`` (for good, or ``days`` days): their sessions end at once and their posts
    waiting for approval leave the queue."""
    if actor is not None:
        require_moderator(actor)
        if actor.id == user.id:
            raise PermissionDenied(_("Vous ne pouvez pas vous suspendre vous-même."))
        if user.is_moderator and actor.role != Role.ADMIN:
            raise PermissionDenied(_("Seul un administrateur peut suspendre un modérateur."))
    if days is not None and not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ValidationFailed(_("Entre 1 et %(n)d jours.", n=MAX_SUSPENSION_DAYS), field="days")
    reason = _reason(reason)
    user.is_banned = True
    user.banned_until = utcnow() + timedelta(days=days) if days else None
    user.session_token = new_session_token()
    pending = db.session.scalars(
        select(Shop).where(Shop.author_id == user.id, Shop.status == ShopStatus.PENDING.value)
    )
    for shop in pending:
        shop.status = ShopStatus.HIDDEN.value
    action = Action.SUSPEND if days else Action.BAN
    return log_action(actor, action, TargetType.USER, user.id, user.display_name, reason)
