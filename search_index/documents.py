"""Turn a ShopDocument into the field values the Whoosh writer expects."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any, NamedTuple

from .analysis import stem, words
from .models import SERVICES, ShopDocument

# Name terms are indexed this many times so that BM25 weighs a name match above a
# description match without a second field to search.
NAME_REPEAT = 2

SERVICE_BITS: dict[str, int] = {name: 1 << i for i, name in enumerate(SERVICES)}


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


def searchable_words(doc: ShopDocument) -> tuple[list[str], list[str]]:
    """Folded words of the name, and of everything else a shop can be found by."""
    rest = " ".join((doc.description, *doc.category_names, doc.town, doc.postcode))
    return words(doc.name), words(rest)


def to_fields(doc: ShopDocument, name_words: list[str], rest_words: list[str]) -> dict[str, Any]:
    """Field values for ``writer.add_document`` / ``update_document``."""
    terms = [stem(w) for w in name_words] * NAME_REPEAT + [stem(w) for w in rest_words]
    return {
        "id": str(doc.id),
        "text": terms,
        "name": doc.name,
        "description": doc.description,
        "meta": pack_meta(
            DocMeta(
                docid=doc.id,
                lat_e6=micro_degrees(doc.lat),
                lon_e6=micro_degrees(doc.lon),
                votes=doc.votes,
                created=epoch_seconds(doc.created_at),
                services=services_mask(doc.services),
                length=min(len(terms), 65535),
                category=doc.category_slug,
                town=doc.town,
                postcode=doc.postcode,
                version=doc.version,
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
    category: str
    town: str
    postcode: str
    version: str


_FIXED = struct.Struct("!qiiiqBHHHHH")


def pack_meta(meta: DocMeta) -> bytes:
    """Encode DocMeta as bytes (fixed-size numbers, then length-prefixed strings)."""
    strings = [meta.category, meta.town, meta.postcode, meta.version]
    encoded = [s.encode("utf-8")[:65535] for s in strings]
    head = _FIXED.pack(*meta[:7], *(len(e) for e in encoded))
    return head + b"".join(encoded)


def unpack_meta(data: bytes) -> DocMeta:
    """Decode bytes written by ``pack_meta``."""
    *numbers, l1, l2, l3, l4 = _FIXED.unpack_from(data)
    pos = _FIXED.size
    strings = []
    for size in (l1, l2, l3, l4):
        strings.append(data[pos : pos + size].decode("utf-8"))
        pos += size
    return DocMeta(*numbers, *strings)
