"""A merchant's claim on a listing, and the history of merchant edits."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.accounts.models import EMAIL_MAX_LENGTH, User
from directory.extensions import db
from directory.shops.limits import PHONE_MAX_LENGTH
from directory.shops.models import Shop
from directory.timeutil import utcnow

CLAIM_NOTE_MAX_LENGTH = 500


class ClaimStatus(enum.StrEnum):
    """Where a claim stands; only ``open`` claims are in the review queue."""

    # An email code was sent and not entered yet: not in the queue until it is, or until the
    # claimant sends the claim without it.
    AWAITING_CODE = "awaiting_code"
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Claim(db.Model):
    """A member's request to be recognised as the merchant of a shop, with their evidence."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ClaimStatus.OPEN.value)
    # Evidence: an address at the shop website's domain (proved by a code sent there), a phone
    # number a moderator may call, and a free note.
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX_LENGTH))
    email_code_hash: Mapped[str | None] = mapped_column(String(128))
    email_code_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX_LENGTH))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    shop: Mapped[Shop] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ShopRevision(db.Model):
    """One merchant edit of a listing: each changed field's value before and after.

    ``changes`` maps a field name to ``[before, after]`` (JSON values), so a moderator can read
    and revert it; reverting writes a new revision rather than deleting this one.
    """

    __tablename__ = "shop_revisions"
    __table_args__ = (Index("ix_shop_revisions_shop_at", "shop_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    changes: Mapped[dict] = mapped_column(JSON)
    # Set on the revision a moderator reverted (the revert itself is a new revision).
    reverted_at: Mapped[datetime | None] = mapped_column(DateTime)
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reverts_id: Mapped[int | None] = mapped_column(ForeignKey("shop_revisions.id"))

    shop: Mapped[Shop] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    reverted_by: Mapped[User | None] = relationship(foreign_keys=[reverted_by_id])
