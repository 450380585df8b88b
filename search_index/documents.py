"""Turn a ShopDocument into the field values the Whoosh writer expects."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime
from typing import Any, NamedTuple

from .analysis import stem, words
from .models import SERVICE_BITS, SERVICES, IndexOutdatedError, ShopDocument

# Name terms are indexed this many times so that BM25 weighs a name match above a
# description match without a second field to search.
NAME_REPEAT = 2


def services_mask(services: frozenset[str] | set[str]) -> int:
    """Encode a set of service names as a bit mask; unknown names raise ValueError."""
    mask = 0
    for name in services:
        try:
            mask |= SERVICE_BITS[name]
        except KeyError:
            raise ValueError(f"unknown service {name!r}; expected one of {SERVICES}") from None
    return mask


def micro_degrees(value: float) -> int:
    """Degrees as an integer number of micro-degrees (about 0.1 m)."""
    return round(value * 1_000_000)


def epoch_seconds(moment: datetime) -> int:
    """UTC seconds since the epoch; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def delivery_radius(doc: ShopDocument) -> float:
    """The shop's delivery radius in km, 0.0 when it has no usable delivery zone."""
    radius = doc.delivery_radius_km
    if radius is None or not math.isfinite(radius) or radius <= 0:
        return 0.0
    return float(radius)


def product_texts(doc: ShopDocument) -> list[str]:
    """Name and description of every window product, in window order."""
    return [f"{product.name} {product.description}" for product in doc.products]


def searchable_words(doc: ShopDocument) -> tuple[list[str], list[str]]:
    """Folded words of the name, and of everything else the shop's own document holds.

    Window products come right after the description: they describe the shop as much. The
    street name counts once, as a description word does, below the name (``NAME_REPEAT``)
    and the category's names (``categories.CATEGORY_NAME_WEIGHT``, matched per category
    rather than stored here); house numbers are left out, so "pizza 12" is not a search for
    every shop at number 12.
    """
    street = [w for w in words(doc.address) if not w.isdigit()]
    rest = words(" ".join((doc.description, *product_texts(doc))))
    return words(doc.name), rest + street + words(f"{doc.town} {doc.postcode}")


def spelling_text(doc: ShopDocument) -> str:
    """The raw text whose accented spellings the "did you mean" vocabulary keeps.

    The category's words join the vocabulary once per category (``CategoryWords.vocabulary``).
    """
    return " ".join((doc.name, doc.description, *product_texts(doc)))


def to_fields(doc: ShopDocument, name_words: list[str], rest_words: list[str]) -> dict[str, Any]:
    """Field values for ``writer.add_document`` / ``update_document``."""
    terms = [stem(w) for w in name_words] * NAME_REPEAT + [stem(w) for w in rest_words]
    return {
        "id": str(doc.id),
        "text": terms,
        "name": doc.name,
        "description": doc.description,
        "products": [(product.name, product.description) for product in doc.products],
        "meta": pack_meta(
            DocMeta(
                docid=doc.id,
                lat_e6=micro_degrees(doc.lat),
                lon_e6=micro_degrees(doc.lon),
                votes=doc.votes,
                created=epoch_seconds(doc.created_at),
                services=services_mask(doc.services),
                length=min(len(terms), 65535),
                delivery_km=delivery_radius(doc),
                category=doc.category_slug,
                town=doc.town,
                postcode=doc.postcode,
                version=doc.version,
                opening_hours=doc.opening_hours,
                country=doc.country,
            )
        ),
    }


class DocMeta(NamedTuple):
    """Per-document values kept in the ``meta`` column."""

    docid: int
    lat_e6: int
    lon_e6: int
    votes: int
    created: int
    services: int
    length: int
    # 0.0: no delivery zone.
    delivery_km: float
    category: str
    town: str
    postcode: str
    version: str
    opening_hours: str
    # Which time zone and public holidays the opening hours are read with.
    country: str


# A layout version byte, the numbers of DocMeta (up to ``delivery_km``), then the byte length
# of each string field. Changing this layout changes the index format: bump META_VERSION (and
# schema.FORMAT_VERSION, which tells ``reindex`` before any document is read).
META_VERSION = 3
_NUMBERS = 8
_STRINGS = len(DocMeta._fields) - _NUMBERS
_FIXED = struct.Struct("!BqiiiqBHd" + "H" * _STRINGS)


def pack_meta(meta: DocMeta) -> bytes:
    """Encode DocMeta as bytes (version, fixed-size numbers, then length-prefixed strings)."""
    strings = (meta.category, meta.town, meta.postcode, meta.version, meta.opening_hours)
    encoded = [s.encode("utf-8")[:65535] for s in (*strings, meta.country)]
    head = _FIXED.pack(META_VERSION, *meta[:_NUMBERS], *(len(e) for e in encoded))
    return head + b"".join(encoded)


def unpack_meta(data: bytes) -> DocMeta:
    """Decode bytes written by ``pack_meta``.

    Raises IndexOutdatedError for bytes in another layout (an index written by other code),
    so they are rebuilt rather than misread.
    """
    if not data or data[0] != META_VERSION or len(data) < _FIXED.size:
        found = data[0] if data else None
        raise IndexOutdatedError(
            f"document metadata in layout {found!r}, this code reads {META_VERSION}: rebuild"
        )
    _layout, *fixed = _FIXED.unpack_from(data)
    pos = _FIXED.size
    strings = []
    for size in fixed[_NUMBERS:]:
        strings.append(data[pos : pos + size].decode("utf-8"))
        pos += size
    return DocMeta(*fixed[:_NUMBERS], *strings)
