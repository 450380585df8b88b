"""Upvotes: one per member and shop, enforced by the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import db
from directory.timeutil import utcnow


class Vote(db.Model):
    """A member's upvote on a shop."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("user_id", "shop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
