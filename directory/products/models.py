"""Products shown in a shop's window."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.accounts.models import User
from directory.extensions import db
from directory.shops.models import Shop
from directory.timeutil import utcnow
from directory.validation import MAX_URL_LENGTH

PRODUCT_NAME_MAX_LENGTH = 120
PRODUCT_DESCRIPTION_MAX_LENGTH = 300
# A window is a selection, not a catalogue: the e-shop link is there for the rest.
PRODUCTS_PER_SHOP = 24


class ProductStatus(enum.StrEnum):
    """Only visible products are shown and searched."""

    VISIBLE = "visible"
    HIDDEN = "hidden"


class Product(db.Model):
    """One article in a shop window, posted by its merchant or suggested by a member."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="price_positive"),
        Index("ix_products_shop_status", "shop_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(PRODUCT_NAME_MAX_LENGTH))
    description: Mapped[str] = mapped_column(String(PRODUCT_DESCRIPTION_MAX_LENGTH), default="")
    price_cents: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(String(MAX_URL_LENGTH))
    # File name (random, chosen by the server) under the instance's product photo folder.
    photo: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default=ProductStatus.VISIBLE.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship(back_populates="products")
    author: Mapped[User | None] = relationship()

    @property
    def is_visible(self) -> bool:
        """True when the product is shown in the window and searched."""
        return self.status == ProductStatus.VISIBLE.value
