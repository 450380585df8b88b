"""Flags waiting for moderators, and the log of what moderators did (public except its
private notes)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.accounts.models import User
from directory.extensions import db
from directory.shops.models import Shop
from directory.timeutil import utcnow
from directory.tips.models import Tip

FLAG_NOTE_MAX_LENGTH = 500
# The acted-on item's name as the log shows it, cut there (a shop's name fits whole).
TARGET_NAME_MAX_LENGTH = 200


class Action(enum.StrEnum):
    """What a moderator (or an admin's command) did."""

    SET_ROLE = "set_role"
    BAN = "ban"
    SUSPEND = "suspend"
    WARN = "warn"
    APPROVE = "approve"
    HIDE = "hide"
    RESTORE = "restore"
    CLOSE = "close"
    MERGE = "merge"
    EDIT = "edit"
    DELETE_TIP = "delete_tip"
    DISMISS = "dismiss"
    ACCEPT_CLAIM = "accept_claim"
    REJECT_CLAIM = "reject_claim"
    REVERT = "revert"
    HIDE_PRODUCT = "hide_product"


ACTION_LABELS = {
    Action.SET_ROLE: _l("Rôle changé"),
    Action.BAN: _l("Bannissement"),
    Action.SUSPEND: _l("Suspension"),
    Action.WARN: _l("Avertissement"),
    Action.APPROVE: _l("Approbation"),
    Action.HIDE: _l("Masquage"),
    Action.RESTORE: _l("Rétablissement"),
    Action.CLOSE: _l("Fermeture confirmée"),
    Action.MERGE: _l("Fusion de doublons"),
    Action.EDIT: _l("Modification"),
    Action.DELETE_TIP: _l("Conseil supprimé"),
    Action.DISMISS: _l("Signalement rejeté"),
    Action.ACCEPT_CLAIM: _l("Commerçant vérifié"),
    Action.REJECT_CLAIM: _l("Revendication refusée"),
    Action.REVERT: _l("Modification annulée"),
    Action.HIDE_PRODUCT: _l("Produit retiré de la vitrine"),
}


class TargetType(enum.StrEnum):
    """The kind of item an action was taken on."""

    USER = "user"
    SHOP = "shop"
    TIP = "tip"
    PRODUCT = "product"


TARGET_LABELS = {
    TargetType.USER: _l("membre"),
    TargetType.SHOP: _l("adresse"),
    TargetType.TIP: _l("conseil"),
    TargetType.PRODUCT: _l("produit"),
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
    target_name: Mapped[str] = mapped_column(String(TARGET_NAME_MAX_LENGTH))
    # Text: a merge's entry adds the kept shop's name to the moderator's 500 characters.
    reason: Mapped[str] = mapped_column(Text)
    # For moderators only; never shown in the public log or its JSON.
    private_note: Mapped[str] = mapped_column(Text, default="")

    moderator: Mapped[User | None] = relationship()


class FlagReason(enum.StrEnum):
    """Why a member flags an item (the Contract's ``reason`` values)."""

    CLOSED = "closed"
    WRONG_INFO = "wrong_info"
    DUPLICATE = "duplicate"
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OTHER = "other"


REASON_LABELS = {
    FlagReason.CLOSED: _l("Fermé définitivement"),
    FlagReason.WRONG_INFO: _l("Informations erronées"),
    FlagReason.DUPLICATE: _l("Doublon d'une autre adresse"),
    FlagReason.SPAM: _l("Spam ou publicité"),
    FlagReason.OFFENSIVE: _l("Contenu choquant"),
    FlagReason.OTHER: _l("Autre (précisez)"),
}
# A tip is never closed nor a duplicate.
TIP_REASONS = (FlagReason.WRONG_INFO, FlagReason.SPAM, FlagReason.OFFENSIVE, FlagReason.OTHER)


class FlagStatus(enum.StrEnum):
    """Open until a moderator acts on the item (upheld) or dismisses the flag."""

    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


_OPEN = text("status = 'open'")


class Flag(db.Model):
    """One member's report on one shop or one tip; ``weight`` is fixed when it is made."""

    __tablename__ = "flags"
    __table_args__ = (
        CheckConstraint("(shop_id IS NULL) <> (tip_id IS NULL)", name="one_target"),
        # One open flag per member per item: the database decides between parallel requests.
        Index(
            "uq_flags_open_shop",
            "reporter_id",
            "shop_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index(
            "uq_flags_open_tip",
            "reporter_id",
            "tip_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_flags_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="SET NULL"))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    status: Mapped[str] = mapped_column(String(16), default=FlagStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    shop: Mapped[Shop | None] = relationship(foreign_keys=[shop_id])
    tip: Mapped[Tip | None] = relationship()
    duplicate_of: Mapped[Shop | None] = relationship(foreign_keys=[duplicate_of_id])

    @property
    def reason_label(self) -> str:
        """The reason in words, in the interface language."""
        return str(REASON_LABELS.get(FlagReason(self.reason), self.reason))
