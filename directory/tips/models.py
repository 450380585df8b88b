"""Members' short tips about a shop ("ask for the home-made pralines")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.accounts.models import User
from directory.extensions import db
from directory.timeutil import utcnow

TIP_MAX_LENGTH = 500


class Tip(db.Model):
    """A short comment left by a member on a shop page."""

    __tablename__ = "tips"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(String(TIP_MAX_LENGTH))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User] = relationship()
