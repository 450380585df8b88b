"""Full-text, faceted and geographic search over shops, built on Whoosh.

Pure library: it knows nothing about Flask or the database. The application hands in
``ShopDocument`` values and asks ``SearchQuery`` questions.
"""

from .index import SearchIndex
from .models import (
    SERVICES,
    SORTS,
    GeoPoint,
    Hit,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    IndexOutdatedError,
    IndexUnavailableError,
    InvalidQueryError,
    ProductDocument,
    SearchIndexError,
    SearchQuery,
    SearchResults,
    ShopDocument,
)

__all__ = [
    "SERVICES",
    "SORTS",
    "GeoPoint",
    "Hit",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMissingError",
    "IndexOutdatedError",
    "IndexUnavailableError",
    "InvalidQueryError",
    "ProductDocument",
    "SearchIndex",
    "SearchIndexError",
    "SearchQuery",
    "SearchResults",
    "ShopDocument",
]
