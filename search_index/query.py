"""Validate a SearchQuery and turn its text into index terms.

User text is never handed to Whoosh's query parser: it is analysed like documents are,
so operators, wildcards, quotes and markup are just characters that split words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from .analysis import WORD_RE, fold, stem, words
from .models import SERVICES, SORTS, GeoPoint, InvalidQueryError, SearchQuery

# Bounds that keep one request cheap whatever the user sends.
MAX_QUERY_CHARS = 1_000
MAX_TERMS = 12
# High enough for a map's markers in one page; the web API keeps its own lower limit.
MAX_PER_PAGE = 1_000


@dataclass(frozen=True)
class ParsedText:
    """Query words (folded), their terms, and the raw words for building suggestions."""

    words: tuple[str, ...]
    terms: tuple[str, ...]
    raw_words: tuple[str, ...]
    # For each term, the word as the user typed it (to say which words were left out).
    shown: tuple[str, ...] = ()


def validate(query: SearchQuery) -> None:
    """Raise InvalidQueryError, naming the field, for a query the caller built incorrectly."""
    if query.sort not in SORTS:
        raise InvalidQueryError(f"unknown sort {query.sort!r}; expected one of {SORTS}", "sort")
    if query.sort == "distance" and query.near is None:
        raise InvalidQueryError("sort='distance' needs near", "sort")
    if query.radius_km is not None:
        if query.near is None:
            raise InvalidQueryError("radius_km needs near", "near")
        if not (math.isfinite(query.radius_km) and query.radius_km > 0):
            raise InvalidQueryError("radius_km must be a positive number", "radius_km")
    if query.near is not None and not _valid_point(query.near):
        raise InvalidQueryError("near must be a valid latitude/longitude", "near")
    if query.delivers_to is not None and not _valid_point(query.delivers_to):
        raise InvalidQueryError("delivers_to must be a valid latitude/longitude", "delivers_to")
    if query.open_at is not None and not _aware(query.open_at):
        raise InvalidQueryError("open_at must be a timezone-aware datetime", "open_at")
    if query.bbox is not None:
        _validate_bbox(query.bbox)
    unknown = set(query.services) - set(SERVICES)
    if unknown:
        raise InvalidQueryError(
            f"unknown services {sorted(unknown)}; expected some of {SERVICES}", "services"
        )
    if query.page < 1:
        raise InvalidQueryError("page starts at 1", "page")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise InvalidQueryError(f"per_page must be between 1 and {MAX_PER_PAGE}", "per_page")


def _valid_point(point: GeoPoint) -> bool:
    return (
        isinstance(point, GeoPoint)
        and all(isinstance(v, int | float) and math.isfinite(v) for v in (point.lat, point.lon))
        and -90 <= point.lat <= 90
        and -180 <= point.lon <= 180
    )


def _aware(moment: datetime) -> bool:
    return isinstance(moment, datetime) and moment.utcoffset() is not None


def _validate_bbox(bbox: tuple[float, ...]) -> None:
    if len(bbox) != 4 or not all(isinstance(v, int | float) and math.isfinite(v) for v in bbox):
        raise InvalidQueryError("bbox must be four finite numbers", "bbox")
    min_lon, min_lat, max_lon, max_lat = bbox
    if not (-180 <= min_lon < max_lon <= 180):
        raise InvalidQueryError("bbox longitudes must satisfy -180 <= min < max <= 180", "bbox")
    if not (-90 <= min_lat < max_lat <= 90):
        raise InvalidQueryError("bbox latitudes must satisfy -90 <= min < max <= 90", "bbox")


def parse_text(text: str) -> ParsedText:
    """Analyse user text into distinct terms (AND-ed by the searcher), in query order."""
    text = text[:MAX_QUERY_CHARS]
    folded_words: list[str] = []
    terms: list[str] = []
    shown: list[str] = []
    for raw, word in _typed_words(text):
        term = stem(word)
        if term not in terms:
            terms.append(term)
            folded_words.append(word)
            shown.append(raw)
        if len(terms) == MAX_TERMS:
            break
    return ParsedText(tuple(folded_words), tuple(terms), tuple(WORD_RE.findall(text)), tuple(shown))


def _typed_words(text: str) -> list[tuple[str, str]]:
    """(word as typed, folded word) for the words of ``words(text)``, in text order.

    Folding can split a typed word (a ligature, a compatibility character), so each typed
    word is folded on its own.
    """
    pairs = []
    for raw in WORD_RE.findall(text):
        for word in words(raw):
            pairs.append((raw, word))
    return pairs


def corrected_text(parsed: ParsedText, corrections: dict[str, str]) -> str:
    """The user's words with misspelt ones replaced, for the "did you mean" link."""
    return " ".join(corrections.get(fold(raw), raw) for raw in parsed.raw_words)
