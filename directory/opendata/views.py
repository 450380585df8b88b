"""Routes of the opendata feature: the directory's exports and the page that lists them."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, render_template, stream_with_context

from directory.opendata import exports
from directory.opendata.licences import (
    GAZETTEER_SOURCES,
    SHOPS_ATTRIBUTION,
    SHOPS_LICENCE,
    licence_link_header,
    shops_attribution,
)
from directory.opendata.services import exported_shops
from directory.seeding.cli import CATEGORY_MAP
from directory.seeding.importer import load_category_map
from directory.seo.urls import absolute_url
from directory.shops.models import Shop

bp = Blueprint("opendata", __name__)

CSV_TYPE = "text/csv"  # werkzeug adds "; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"  # RFC 7946
JSONLD_TYPE = "application/ld+json"
FILE_NAME = "bonnes-adresses-commerces"


def _shop_url(shop: Shop) -> str:
    return absolute_url("shops.detail", shop_id=shop.id, slug=shop.slug)


def _stream(body: Iterator[str], mimetype: str, extension: str, disposition: str) -> Response:
    """A streamed export: the query runs as the body is sent, in this request's context."""
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{FILE_NAME}.{extension}"'
    response.headers["Link"] = licence_link_header()
    # Open data: any site's scripts may read it.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/export/shops.csv")
def shops_csv():
    """Every visible shop as CSV in the importer's layout (``flask import-shops`` reads it
    back); the licence is in the ``Link`` header, so the body stays importable."""
    tag_map = load_category_map(CATEGORY_MAP)
    body = exports.csv_document(exported_shops(), _shop_url, tag_map)
    return _stream(body, CSV_TYPE, "csv", "attachment")


@bp.route("/export/shops.geojson")
def shops_geojson():
    """Every visible shop as a GeoJSON FeatureCollection, with licence and attribution."""
    body = exports.geojson_document(exported_shops(), _shop_url, shops_attribution())
    return _stream(body, GEOJSON_TYPE, "geojson", "inline")


@bp.route("/export/shops.jsonld")
def shops_jsonld():
    """Every visible shop as a schema.org ``DataFeed`` of ``LocalBusiness`` objects."""
    body = exports.data_feed_document(
        exported_shops(), _shop_url, shops_attribution(), absolute_url("opendata.shops_jsonld")
    )
    return _stream(body, JSONLD_TYPE, "jsonld", "inline")


@bp.route("/open-data")
def index():
    """The exports, the API, the feeds and the embed, with the data's licences."""
    return render_template(
        "opendata/index.html",
        shops_licence=SHOPS_LICENCE,
        shops_attribution=SHOPS_ATTRIBUTION,
        gazetteer_sources=GAZETTEER_SOURCES,
        csv_columns=exports.CSV_COLUMNS,
    )
