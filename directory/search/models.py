"""The search outbox: shops whose index entry must be refreshed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import db
from directory.timeutil import utcnow


class SearchOutbox(db.Model):
    """One pending index update, written in the same transaction as the shop change.

    No foreign key: the row must outlive a deleted shop so the indexer can drop it.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
