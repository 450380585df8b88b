"""The moderation log: every moderator action, public except its private note."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.accounts.models import User
from directory.extensions import db
from directory.timeutil import utcnow


class Action(enum.StrEnum):
    """What a moderator (or an admin's command) did."""

    SET_ROLE = "set_role"
    BAN = "ban"
    SUSPEND = "suspend"


ACTION_LABELS = {
    Action.SET_ROLE: _l("Rôle changé"),
    Action.BAN: _l("Bannissement"),
    Action.SUSPEND: _l("Suspension"),
}


class TargetType(enum.StrEnum):
    """The kind of item an action was taken on."""

    USER = "user"
    SHOP = "shop"
    TIP = "tip"


TARGET_LABELS = {
    TargetType.USER: _l("membre"),
    TargetType.SHOP: _l("adresse"),
    TargetType.TIP: _l("conseil"),
}


class ModerationEntry(db.Model):
    """One logged action; ``target_name`` keeps the name the item had when it was acted on."""

    __tablename__ = "moderation_log"
    __table_args__ = (Index("ix_moderation_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # None for an action taken from the command line (no account acted).
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    target_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    # For moderators only; never shown in the public log or its JSON.
    private_note: Mapped[str] = mapped_column(Text, default="")

    moderator: Mapped[User | None] = relationship()
