"""The public directory as open data files, written piece by piece: CSV (the importer's own
layout), GeoJSON (RFC 7946) and a schema.org ``DataFeed`` in JSON-LD.

Each function takes the shops as an iterator and yields text, so a response can stream it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator

from directory.opendata.licences import SHOPS_LICENCE
from directory.seeding.importer import COLUMNS, PRACTICAL_COLUMNS, format_services
from directory.seo.structured import local_business
from directory.shops.models import Shop

# The importer's columns first (it ignores the last two).
CSV_COLUMNS = (*COLUMNS, *PRACTICAL_COLUMNS, "id", "url")
# Text gathered before a piece is sent: fewer, larger writes than one per shop.
CHUNK_CHARS = 64 * 1024
SOURCE_KEY_PREFIX = "import:"

ShopUrl = Callable[[Shop], str]


def _chunked(pieces: Iterable[str]) -> Iterator[str]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def source_tag(shop: Shop, tag_map: dict[str, str]) -> str:
    """The OSM tag an imported shop came with, when it still leads to the shop's category
    (re-importing then gives the shop its original key); "" otherwise, so that the
    ``category`` column (the directory slug) decides."""
    key = shop.source_key or ""
    if not key.startswith(SOURCE_KEY_PREFIX):
        return ""
    tag = key[len(SOURCE_KEY_PREFIX) :].split(":", 1)[0]
    return tag if tag_map.get(tag) == shop.category.slug else ""


def csv_row(shop: Shop, url: str, tag_map: dict[str, str]) -> list[str]:
    """One CSV row, in ``CSV_COLUMNS`` order; positions as ``repr`` so they read back exactly."""
    values = {
        "name": shop.name,
        "category": shop.category.slug,
        "address": shop.address or "",
        "postcode": shop.postcode,
        "town": shop.town,
        "lat": repr(shop.lat),
        "lon": repr(shop.lon),
        "website": shop.website or "",
        "source_tag": source_tag(shop, tag_map),
        "services": format_services(shop),
        "delivery_radius_km": str(shop.delivery_radius_km) if shop.delivery else "",
        "eshop_url": shop.eshop_url or "",
        "phone": shop.phone or "",
        "opening_hours": shop.opening_hours or "",
        "description": shop.description or "",
        "id": str(shop.id),
        "url": url,
    }
    return [values[column] for column in CSV_COLUMNS]


def csv_document(
    shops: Iterable[Shop], shop_url: ShopUrl, tag_map: dict[str, str]
) -> Iterator[str]:
    """The CSV file: a header line, then a line per shop."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for shop in shops:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(csv_row(shop, shop_url(shop), tag_map))
        yield buffer.getvalue()

    return _chunked(lines())


def _json_document(head: dict, key: str, items: Iterable[dict]) -> Iterator[str]:
    """``head`` with ``key`` holding ``items``, as one JSON object written item by item."""

    def pieces() -> Iterator[str]:
        opening = json.dumps(head, ensure_ascii=False)
        yield f"{opening[:-1]}, {json.dumps(key)}: ["
        for number, item in enumerate(items):
            yield ("," if number else "") + json.dumps(item, ensure_ascii=False)
        yield "]}"

    return _chunked(pieces())


def point_feature(shop: Shop, properties: dict) -> dict:
    """A shop as an RFC 7946 Point feature (``[lon, lat]`` order) with these properties."""
    return {
        "type": "Feature",
        "id": shop.id,
        "geometry": {"type": "Point", "coordinates": [shop.lon, shop.lat]},
        "properties": properties,
    }


def geojson_feature(shop: Shop, url: str) -> dict:
    """A shop as a GeoJSON Point feature with its practical information."""
    return point_feature(
        shop,
        {
            "id": shop.id,
            "name": shop.name,
            "category": {"slug": shop.category.slug, "name": shop.category.name_fr},
            "url": url,
            "address": shop.address or None,
            "postcode": shop.postcode,
            "town": shop.town,
            "country": shop.country,
            "website": shop.website,
            "eshop_url": shop.eshop_url,
            "phone": shop.phone,
            "description": shop.description or None,
            "services": shop.services,
            "delivery_radius_km": shop.delivery_radius_km if shop.delivery else None,
            "opening_hours": shop.opening_hours or None,
        },
    )


def geojson_document(shops: Iterable[Shop], shop_url: ShopUrl, attribution: str) -> Iterator[str]:
    """A FeatureCollection with the licence and attribution as foreign members."""
    head = {"type": "FeatureCollection", "licence": SHOPS_LICENCE.url, "attribution": attribution}
    features = (geojson_feature(shop, shop_url(shop)) for shop in shops)
    return _json_document(head, "features", features)


def data_feed_document(
    shops: Iterable[Shop], shop_url: ShopUrl, attribution: str, feed_url: str
) -> Iterator[str]:
    """A schema.org ``DataFeed`` whose elements are the shops' ``LocalBusiness`` objects."""
    head = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "@id": feed_url,
        "name": "Bonnes Adresses",
        "url": feed_url,
        "license": SHOPS_LICENCE.url,
        "creditText": attribution,
    }
    elements = (_without_context(local_business(shop, shop_url(shop))) for shop in shops)
    return _json_document(head, "dataFeedElement", elements)


def _without_context(data: dict) -> dict:
    # The feed's own @context covers its elements.
    return {key: value for key, value in data.items() if key != "@context"}
