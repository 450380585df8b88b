"""Plain data types exchanged between the application and the search library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SERVICES: tuple[str, ...] = ("takeaway", "click_collect", "delivery", "eshop")
# Each service's bit in the per-document mask (``documents.services_mask``) and in queries.
SERVICE_BITS: dict[str, int] = {name: 1 << i for i, name in enumerate(SERVICES)}

SORTS: tuple[str, ...] = ("relevance", "distance", "votes", "new")


class SearchIndexError(Exception):
    """Base class for errors raised by the search library."""


class InvalidQueryError(SearchIndexError, ValueError):
    """The caller's query is not acceptable; ``field`` names the query field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class IndexUnavailableError(SearchIndexError):
    """The index cannot answer: it is missing, damaged or held by other writers."""


class IndexMissingError(IndexUnavailableError):
    """There is no index at the path (never built, or deleted): run a rebuild."""


class IndexCorruptError(IndexUnavailableError):
    """The index files cannot be read (truncated, overwritten, garbage): run a rebuild."""


class IndexOutdatedError(IndexCorruptError):
    """The index was written in another format than this code reads: run a rebuild."""


class IndexBusyError(IndexUnavailableError):
    """The index stayed locked by another writer for longer than the timeout."""


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 position in decimal degrees."""

    lat: float
    lon: float


@dataclass(frozen=True)
class ProductDocument:
    """One product of a shop's window: its words find the shop, and the hit names it."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class ShopDocument:
    """One shop as handed in by the application."""

    id: int
    name: str
    description: str
    category_slug: str
    category_names: tuple[str, ...]
    address: str
    postcode: str
    town: str
    country: str
    lat: float
    lon: float
    votes: int
    created_at: datetime
    services: frozenset[str]
    version: str
    # Shops that deliver: how far from the shop, in km (None: no delivery zone).
    delivery_radius_km: float | None = None
    # OpenStreetMap opening_hours syntax, read in the country's time zone ("" = unknown).
    opening_hours: str = ""
    products: tuple[ProductDocument, ...] = ()
    # What the category sells, in every language (``seed_data/category_vocabulary.csv``):
    # with ``category_names``, the words that find every shop of the category.
    category_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchQuery:
    """What the user asked for; every field is optional."""

    text: str = ""
    category: str | None = None
    town: str | None = None
    # Several town names or postcodes, any of which matches (a commune's localities); with
    # ``town`` too, a shop matching either counts.
    towns: frozenset[str] = field(default_factory=frozenset)
    near: GeoPoint | None = None
    radius_km: float | None = None
    # (min_lon, min_lat, max_lon, max_lat) in degrees, GeoJSON's order: only shops inside.
    bbox: tuple[float, float, float, float] | None = None
    services: frozenset[str] = field(default_factory=frozenset)
    # Only shops whose delivery zone covers this point (whatever ``near`` says).
    delivers_to: GeoPoint | None = None
    # Only shops open at this moment (timezone-aware), by their opening_hours; shops without
    # hours are left out.
    open_at: datetime | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True
    # False: hits carry no highlight and no ``product`` (a map's markers need neither, and it
    # saves reading every stored document of the page).
    highlights: bool = True
    # Shops the caller knows are no longer visible although the index still holds them (its
    # updates are pending): left out before totals and facets are counted.
    exclude_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Hit:
    """One shop in a result page; ``highlight`` is HTML-safe."""

    id: int
    score: float
    distance_km: float | None
    highlight: str
    # The description excerpt of ``highlight`` alone (HTML-safe, "" without a description).
    excerpt: str = ""
    # With ``delivers_to``: how far the shop is from that point (km, like ``distance_km``).
    delivery_km: float | None = None
    # The window product that matched a query word, by name (None when none did).
    product: str | None = None


@dataclass(frozen=True)
class SearchResults:
    """One page of results plus facet counts for the whole result set.

    Facet counts are computed after every filter, the facet's own included: they
    describe the shops in ``total``.
    """

    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None
    # Query words left out because no shop matched them all (as typed, in query order): the
    # results match the others. Empty when every word matched.
    ignored: tuple[str, ...] = ()
