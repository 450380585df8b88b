"""The queries behind the sitemap: which public pages exist, and when each last changed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from directory.extensions import db
from directory.shops.models import Category, Shop, ShopStatus

# The sitemap protocol's limit per file. Past it, sitemap.xml would become an index of
# several files (sitemaps.org, "Using Sitemap index files"); the directory is far below it.
SITEMAP_MAX_URLS = 50_000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SitemapEntry:
    """One public page: ``url_for(endpoint, **values)``, last changed at ``lastmod``."""

    endpoint: str
    values: dict[str, object] = field(default_factory=dict)
    lastmod: datetime | None = None


def _visible():
    return Shop.status == ShopStatus.VISIBLE.value


def shop_entries() -> list[SitemapEntry]:
    """Every visible shop's page; pending, hidden, closed and merged ones are left out."""
    rows = db.session.execute(
        select(Shop.id, Shop.slug, Shop.updated_at).where(_visible()).order_by(Shop.id)
    ).all()
    return [
        SitemapEntry("shops.detail", {"shop_id": row.id, "slug": row.slug}, row.updated_at)
        for row in rows
    ]


def category_entries() -> list[SitemapEntry]:
    """The categories holding at least one visible shop (an empty list is no page to find)."""
    rows = db.session.execute(
        select(Category.slug, func.max(Shop.updated_at))
        .join(Shop, Shop.category_id == Category.id)
        .where(_visible())
        .group_by(Category.id, Category.slug)
        .order_by(Category.slug)
    ).all()
    return [SitemapEntry("shops.category", {"slug": slug}, lastmod) for slug, lastmod in rows]


def town_entries() -> list[SitemapEntry]:
    """The towns holding at least one visible shop (other town pages answer 404)."""
    rows = db.session.execute(
        select(Shop.town_slug, func.max(Shop.updated_at))
        .where(_visible())
        .group_by(Shop.town_slug)
        .order_by(Shop.town_slug)
    ).all()
    return [SitemapEntry("shops.town", {"slug": slug}, lastmod) for slug, lastmod in rows]


def sitemap_entries() -> list[SitemapEntry]:
    """Home, the category index and about page, then categories, towns and shops.

    Up to ``SITEMAP_MAX_URLS``: a bigger directory needs a sitemap index (not built yet).
    """
    newest = db.session.scalar(select(func.max(Shop.updated_at)).where(_visible()))
    entries = [
        SitemapEntry("pages.home", lastmod=newest),
        SitemapEntry("shops.category_index", lastmod=newest),
        SitemapEntry("pages.about"),
        *category_entries(),
        *town_entries(),
        *shop_entries(),
    ]
    if len(entries) > SITEMAP_MAX_URLS:
        log.warning("sitemap.xml holds %d URLs, keeps the first %d", len(entries), SITEMAP_MAX_URLS)
    return entries[:SITEMAP_MAX_URLS]
