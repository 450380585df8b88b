"""The queries behind the API's catalogue endpoints (``/categories``, ``/shops``)."""

from __future__ import annotations

from sqlalchemy import func, select

from directory.extensions import db
from directory.shops.models import Category, Shop, ShopStatus
from directory.shops.services import categories


def categories_with_counts() -> list[tuple[Category, int]]:
    """Every category in display order, with its number of visible shops (0 for none)."""
    counts = dict(
        db.session.execute(
            select(Shop.category_id, func.count())
            .where(Shop.status == ShopStatus.VISIBLE.value)
            .group_by(Shop.category_id)
        ).all()
    )
    return [(category, counts.get(category.id, 0)) for category in categories()]


def visible_shops_by_id(page: int, per_page: int) -> tuple[int, list[Shop]]:
    """How many shops are visible, and the ``page``-th ``per_page`` of them in id order."""
    visible = Shop.status == ShopStatus.VISIBLE.value
    total = db.session.scalar(select(func.count()).select_from(Shop).where(visible)) or 0
    shops = db.session.scalars(
        select(Shop).where(visible).order_by(Shop.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return total, list(shops)
