"""Categories and shop recommendations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.accounts.models import User
from directory.extensions import db
from directory.shops.limits import (
    ADDRESS_MAX_LENGTH,
    OPENING_HOURS_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    SHOP_NAME_MAX_LENGTH,
    SHOP_POSTCODE_MAX_LENGTH,
    SHOP_SLUG_MAX_LENGTH,
    SHOP_URL_MAX_LENGTH,
    SOURCE_KEY_MAX_LENGTH,
    TOWN_MAX_LENGTH,
    TOWN_SLUG_MAX_LENGTH,
)
from directory.timeutil import utcnow
from search_index.models import SERVICES

if TYPE_CHECKING:
    from directory.products.models import Product


class ShopStatus(enum.StrEnum):
    """Moderation state; only visible shops are listed, searched or voted on."""

    VISIBLE = "visible"
    PENDING = "pending"
    HIDDEN = "hidden"
    MERGED = "merged"
    # Closed for good, as confirmed by a moderator: the page stays, as history; lists drop it.
    CLOSED = "closed"


# The services a shop offers, one boolean column each, named as the search library names them.
SERVICE_FIELDS = SERVICES
STATUS_LABELS = {
    ShopStatus.VISIBLE.value: _l("publiée"),
    ShopStatus.PENDING.value: _l("en attente de modération"),
    ShopStatus.HIDDEN.value: _l("masquée par la modération"),
    ShopStatus.MERGED.value: _l("fusionnée avec une autre adresse"),
    ShopStatus.CLOSED.value: _l("fermée définitivement"),
}


class Category(db.Model):
    """A product category, named in the three interface languages."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_fr: Mapped[str] = mapped_column(String(80))
    name_nl: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # What its shops sell, in French, Dutch and English, ";"-separated
    # (seed_data/category_vocabulary.csv): indexed so that a shop is found by its products.
    vocabulary: Mapped[str] = mapped_column(Text, default="", server_default="")

    @property
    def vocabulary_terms(self) -> tuple[str, ...]:
        """The product words and expressions of ``vocabulary``, in file order."""
        return tuple(term.strip() for term in self.vocabulary.split(";") if term.strip())

    @property
    def name(self) -> str:
        """The name in the current interface language (French by default)."""
        locale = get_locale()
        lang = locale.language if locale else "fr"
        return getattr(self, f"name_{lang}", None) or self.name_fr

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Shop(db.Model):
    """A local shop recommended by a member (or imported from open data)."""

    __tablename__ = "shops"
    __table_args__ = (
        CheckConstraint("country IN ('BE', 'FR')", name="country"),
        CheckConstraint("vote_count >= 0", name="vote_count_positive"),
        CheckConstraint(
            "delivery_radius_km IS NULL OR (delivery_radius_km > 0 AND delivery_radius_km <= 500)",
            name="delivery_radius",
        ),
        Index("ix_shops_status_hot", "status", "hot_score"),
        Index("ix_shops_status_votes", "status", "vote_count"),
        Index("ix_shops_status_created", "status", "created_at"),
        Index("ix_shops_category_status", "category_id", "status"),
        Index("ix_shops_town_slug_status", "town_slug", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SHOP_SLUG_MAX_LENGTH))
    name: Mapped[str] = mapped_column(String(SHOP_NAME_MAX_LENGTH))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX_LENGTH), default="")
    postcode: Mapped[str] = mapped_column(String(SHOP_POSTCODE_MAX_LENGTH))
    town: Mapped[str] = mapped_column(String(TOWN_MAX_LENGTH))
    town_slug: Mapped[str] = mapped_column(String(TOWN_SLUG_MAX_LENGTH))
    country: Mapped[str] = mapped_column(String(2))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    website: Mapped[str | None] = mapped_column(String(SHOP_URL_MAX_LENGTH))
    eshop_url: Mapped[str | None] = mapped_column(String(SHOP_URL_MAX_LENGTH))
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    takeaway: Mapped[bool] = mapped_column(Boolean, default=False)
    click_collect: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_radius_km: Mapped[int | None] = mapped_column(Integer)
    eshop: Mapped[bool] = mapped_column(Boolean, default=False)
    # OpenStreetMap ``opening_hours`` syntax ("Mo-Sa 09:00-18:00; PH off"); "" when unknown.
    opening_hours: Mapped[str] = mapped_column(String(OPENING_HOURS_MAX_LENGTH), default="")
    # The member whose claim a moderator accepted: the listing is "verified by the merchant".
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The merchant's one short public answer, shown under the members' tips.
    merchant_answer: Mapped[str] = mapped_column(Text, default="")
    merchant_answer_at: Mapped[datetime | None] = mapped_column(DateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=ShopStatus.VISIBLE.value)
    # The shop this duplicate was merged into (status ``merged``): its old URL redirects there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="SET NULL"))
    # When it was first published (at once, or on a moderator's approval): restoring a hidden
    # post that never was sends it back to review instead of publishing it.
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    hot_score: Mapped[float] = mapped_column(Float, default=0.0)
    # Where an imported row came from, so importing the same file twice adds nothing.
    source_key: Mapped[str | None] = mapped_column(String(SOURCE_KEY_MAX_LENGTH), unique=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    merchant: Mapped[User | None] = relationship(foreign_keys=[merchant_id])
    # Every product of the window, hidden ones included (see Product.is_visible).
    products: Mapped[list[Product]] = relationship(
        back_populates="shop", order_by="Product.id", cascade="all, delete-orphan"
    )

    @property
    def services(self) -> list[str]:
        """The services this shop offers, as SERVICE_FIELDS names."""
        return [name for name in SERVICE_FIELDS if getattr(self, name)]

    @property
    def status_label(self) -> str:
        """The moderation state in words, in the interface language."""
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def is_verified(self) -> bool:
        """True when a merchant's claim on this listing was accepted."""
        return self.merchant_id is not None

    @property
    def is_visible(self) -> bool:
        """True when the shop may be listed, searched and voted on."""
        return self.status == ShopStatus.VISIBLE.value

    def __repr__(self) -> str:
        return f"<Shop {self.id} {self.name!r}>"
