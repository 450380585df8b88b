"""Running a search: the index finds, the database confirms and supplies the rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.errors import Unavailable, ValidationFailed
from directory.extensions import db
from directory.places.gazetteer import (
    NearPoint,
    country_of_postcode,
    places_for_postcode,
    places_named,
    split_postcode,
)
from directory.places.models import Place
from directory.places.regions import Region
from directory.search.bridge import get_index, hidden_pending_ids, unqueued_visible_shops
from directory.search.params import MAX_RADIUS_KM, SearchRequest
from directory.shops.models import Category, Shop, ShopStatus
from directory.text import name_key
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

    @property
    def excerpt(self) -> str:
        """The highlighted description excerpt, only when it marks a word the name does not show.

        Repeating the name under the name heading adds nothing: cards show this or nothing.
        """
        return self.hit.excerpt if "<mark>" in self.hit.excerpt else ""


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
    # The point results deliver to, and the moment they are open at (see SearchRequest).
    delivers_to: NearPoint | None = None
    open_at: datetime | None = None
    open_now: bool = False
    # Words of the query left out because no shop matched them all (as typed).
    ignored: tuple[str, ...] = ()
    # The words of the query read as the place the results are in ("Habay"), if any.
    place_words: str | None = None
    # The province or département the results are in (``region=``, or a region as the place).
    region: Region | None = None

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
    hidden = hidden_pending_ids()
    place_words = request.place_words
    try:
        results = index.search(replace(request.query, exclude_ids=hidden))
        if not results.total and request.text_query is not None:
            # The words read as a place found nothing there: the words as words, then
            # ("Pizzeria Bastogne" is a shop of Arlon).
            # Only the words and towns differ: callers may have changed the page or size.
            as_words = replace(
                request.query, text=request.text_query.text, towns=request.text_query.towns
            )
            results = index.search(replace(as_words, exclude_ids=hidden))
            place_words = None
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
        delivers_to=request.delivers_to,
        open_at=request.open_at,
        open_now=request.open_now,
        ignored=results.ignored,
        place_words=place_words,
        region=request.region if place_words or not request.place_words else None,
    )


# The radii offered when nothing was found nearby: round figures a person would choose.
RADIUS_STEPS_KM = (5, 10, 25, 50, 100, int(MAX_RADIUS_KM))


def radius_that_finds(request: SearchRequest) -> int | None:
    """The smallest round radius, wider than the one asked for, that finds something.

    For "nothing within 5 km: widen to 25 km": the nearest matching shop, whatever the
    radius, tells which step reaches it; None when no step does (or the index fails, since
    this only decorates an empty page).
    """
    query = request.query
    if query.near is None or query.radius_km is None:
        return None
    nearest_only = replace(
        query,
        radius_km=None,
        sort="distance",
        page=1,
        per_page=1,
        facets=False,
        exclude_ids=hidden_pending_ids(),
    )
    try:
        hits = get_index().search(nearest_only).hits
    except (SearchIndexError, OSError):
        return None
    if not hits or hits[0].distance_km is None:
        return None
    nearest = hits[0].distance_km
    return next(
        (step for step in RADIUS_STEPS_KM if step > query.radius_km and step >= nearest), None
    )


def place_to_recommend(request: SearchRequest, text: str) -> Place | None:
    """The gazetteer place a visitor searched in (a town or a postcode) when it has no shop.

    Where the directory knows nothing at all (whatever the words, category, services,
    delivery or opening hours asked for), an empty search becomes an invitation to post its
    first shop, town filled in.
    """
    text = (text or "").strip()
    if not text:
        return None
    place_only = replace(
        request.query,
        text="",
        category=None,
        services=frozenset(),
        delivers_to=None,
        open_at=None,
        page=1,
        per_page=1,
        facets=False,
        exclude_ids=hidden_pending_ids(),
    )
    try:
        if get_index().search(place_only).total:
            return None
    except (SearchIndexError, OSError):
        return None
    postcode, name = split_postcode(text)
    if text.isdigit() and len(text) in (4, 5):
        places = places_for_postcode(text, country_of_postcode(text))
    elif postcode:  # "87000 Limoges", as the autocomplete writes it
        key = name_key(name)
        places = [
            place
            for place in places_for_postcode(postcode, country_of_postcode(postcode))
            if place.name_key == key
        ]
    else:
        places = places_named(text)
    return min(places, key=lambda place: (place.is_alias, place.postcode), default=None)
