"""Running a search: the index finds, the database confirms and supplies the rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.errors import Unavailable, ValidationFailed
from directory.extensions import db
from directory.places.gazetteer import NearPoint
from directory.search.bridge import get_index, hidden_pending_ids, unqueued_visible_shops
from directory.search.params import SearchRequest
from directory.shops.models import Category, Shop, ShopStatus
from search_index import Hit, InvalidQueryError, SearchIndexError

log = logging.getLogger(__name__)

SERVICE_LABELS = {
    "takeaway": _l("À emporter"),
    "click_collect": _l("Click & collect"),
    "delivery": _l("Livraison"),
    "eshop": _l("E-shop"),
}


@dataclass(frozen=True)
class ResultRow:
    """A shop found by the index and confirmed visible by the database."""

    shop: Shop
    hit: Hit


@dataclass(frozen=True)
class FacetValue:
    """One facet entry: the value to filter on, its label, and how many shops have it."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchPage:
    """One page of confirmed results with facets and the spelling suggestion."""

    total: int
    page: int
    per_page: int
    rows: list[ResultRow]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    near: NearPoint | None

    @property
    def pages(self) -> int:
        """Number of pages for ``total``."""
        return max(1, -(-self.total // self.per_page))


def _facets(raw: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    slugs = [slug for slug, _count in raw.get("category", [])]
    names = {
        c.slug: c.name for c in db.session.scalars(select(Category).where(Category.slug.in_(slugs)))
    }
    return {
        "category": [FacetValue(s, names.get(s, s), n) for s, n in raw.get("category", [])],
        "town": [FacetValue(t, t, n) for t, n in raw.get("town", [])],
        "services": [
            FacetValue(s, str(SERVICE_LABELS.get(s, s)), n) for s, n in raw.get("services", [])
        ],
    }


# The one message a visitor gets whatever broke; the details go to the log.
UNAVAILABLE = _l("La recherche est momentanément indisponible. Réessayez.")


def run_search(request: SearchRequest) -> SearchPage:
    """Search the index, then drop any hit the database says is not visible (stale index).

    Only a bad query is the visitor's fault (400); a missing, damaged or lost index is 503.
    """
    index = get_index()
    query = replace(request.query, exclude_ids=hidden_pending_ids())
    try:
        results = index.search(query)
        if not results.total and not index.doc_count() and unqueued_visible_shops():
            # An empty index while shops are visible, and not waiting in the outbox, was lost
            # (deleted, recreated empty), not emptied. The path goes to the log only.
            log.error("search index at %s is empty while shops are visible", index.path)
            raise Unavailable(str(UNAVAILABLE))
    except InvalidQueryError as error:  # the library's own checks, should a parameter slip
        raise ValidationFailed(str(error), error.field) from None
    except (SearchIndexError, OSError):
        log.exception("search index at %s unavailable", index.path)
        raise Unavailable(str(UNAVAILABLE)) from None
    ids = [hit.id for hit in results.hits]
    shops = {
        shop.id: shop
        for shop in db.session.scalars(
            select(Shop)
            .options(selectinload(Shop.category))
            .where(Shop.id.in_(ids), Shop.status == ShopStatus.VISIBLE.value)
        )
    }
    rows = [ResultRow(shops[hit.id], hit) for hit in results.hits if hit.id in shops]
    return SearchPage(
        total=max(results.total - (len(results.hits) - len(rows)), 0),
        page=results.page,
        per_page=results.per_page,
        rows=rows,
        facets=_facets(results.facets),
        suggestion=results.suggestion,
        near=request.near,
    )
