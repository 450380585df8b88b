"""Moderation operations: each checks the actor with a named predicate, changes the state and
writes its log entry in the same transaction (the caller commits).

``actor=None`` is the command line: whoever runs ``flask`` on the server is trusted, which is
how the first admin is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.accounts.models import DISPLAY_NAME_MAX_LENGTH, Role, User, new_session_token
from directory.accounts.names import name_key
from directory.errors import PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.moderation.models import (
    TARGET_NAME_MAX_LENGTH,
    Action,
    ModerationEntry,
    TargetType,
)
from directory.moderation.permissions import require_admin, require_moderator
from directory.moderation.trust import FlagHistory, flag_history
from directory.shops.models import Shop, ShopStatus
from directory.timeutil import utcnow
from directory.tips.models import Tip
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
        target_name=target_name[:TARGET_NAME_MAX_LENGTH],
        reason=reason,
        private_note=private_note,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def moderation_reason(reason: str | None) -> str:
    """The reason every moderation action must give: required, one line or a few."""
    return clean_text(reason, "reason", REASON_MAX_LENGTH, required=True)


def set_role(actor: User | None, user: User, role: Role, reason: str) -> ModerationEntry:
    """Make ``user`` a member, moderator or admin; only admins (or the command line) may."""
    if actor is not None:
        require_admin(actor)
        if actor.id == user.id:
            raise PermissionDenied(_("Demandez à un autre administrateur de changer votre rôle."))
    if not user.is_active and role != Role.MEMBER:
        raise ValidationFailed(_("Ce compte est suspendu ou supprimé."), field="email")
    reason = moderation_reason(reason)
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
    reason = moderation_reason(reason)
    user.is_banned = True
    user.banned_until = utcnow() + timedelta(days=days) if days else None
    user.session_token = new_session_token()
    # Locked: an approval of one of them at the same moment runs before or after the ban.
    pending = db.session.scalars(
        select(Shop)
        .where(Shop.author_id == user.id, Shop.status == ShopStatus.PENDING.value)
        .with_for_update(of=Shop)
    )
    for shop in pending:
        shop.status = ShopStatus.HIDDEN.value
    action = Action.SUSPEND if days else Action.BAN
    return log_action(actor, action, TargetType.USER, user.id, user.display_name, reason)


# The public log ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    """What the public log is narrowed to; every field optional."""

    moderator: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class LogPage:
    """One page of the public log, newest first."""

    entries: list[ModerationEntry]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the filtered log has (at least one)."""
        return max(1, -(-self.total // self.per_page))

    # What templates/macros.html's pager reads, as on Flask-SQLAlchemy's pagination.
    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Une date comme 2026-12-31."), field=field) from None


def parse_log_filters(args: Mapping[str, str]) -> LogFilters:
    """Read the filters from query parameters; ``ValidationFailed`` names a bad one."""
    action = (args.get("action") or "").strip()
    if action and action not in {a.value for a in Action}:
        raise ValidationFailed(_("Action inconnue."), field="action")
    filters = LogFilters(
        moderator=(args.get("moderator") or "").strip()[:DISPLAY_NAME_MAX_LENGTH],
        action=action,
        since=_day((args.get("since") or "").strip(), "since"),
        until=_day((args.get("until") or "").strip(), "until"),
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationFailed(_("La date de fin précède celle du début."), field="until")
    return filters


def moderation_log(filters: LogFilters, page: int, per_page: int) -> LogPage:
    """The log entries matching ``filters`` (never their private notes' content)."""
    query = select(ModerationEntry)
    if filters.moderator:
        query = query.join(User, ModerationEntry.moderator_id == User.id).where(
            User.name_key == name_key(filters.moderator)
        )
    if filters.action:
        query = query.where(ModerationEntry.action == filters.action)
    if filters.since:
        query = query.where(ModerationEntry.at >= datetime.combine(filters.since, time.min))
    if filters.until and filters.until < date.max:  # 9999-12-31 has no day after
        day_after = datetime.combine(filters.until, time.min) + timedelta(days=1)
        query = query.where(ModerationEntry.at < day_after)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = db.session.scalars(
        query.order_by(ModerationEntry.at.desc(), ModerationEntry.id.desc())
        .options(selectinload(ModerationEntry.moderator))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return LogPage(entries=list(entries), page=page, per_page=per_page, total=total)


@dataclass(frozen=True)
class MemberRecord:
    """What a moderator reads before warning or banning a member."""

    shops: list[Shop]
    tips: int
    flags: FlagHistory
    actions: list[ModerationEntry]


def member_record(user: User) -> MemberRecord:
    """``user``'s posts (every state), tip count, flag record and the actions taken on them."""
    shops = db.session.scalars(
        select(Shop).where(Shop.author_id == user.id).order_by(Shop.created_at.desc()).limit(50)
    ).all()
    tips = db.session.scalar(select(func.count()).where(Tip.author_id == user.id)) or 0
    actions = db.session.scalars(
        select(ModerationEntry)
        .where(
            ModerationEntry.target_type == TargetType.USER.value,
            ModerationEntry.target_id == user.id,
        )
        .order_by(ModerationEntry.at.desc())
        .limit(50)
    ).all()
    return MemberRecord(
        shops=list(shops), tips=tips, flags=flag_history([user.id])[user.id], actions=list(actions)
    )
