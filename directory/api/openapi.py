"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of the JSON API.

Built from the constants the endpoints validate with (bounds, sorts, services, lengths), so
the document cannot drift from the rules it describes; tests/test_api_openapi.py fuzzes the
endpoints against it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from directory.api import catalogue, geojson
from directory.api.views import bp
from directory.moderation.models import Action, TargetType
from directory.pagination import MAX_PAGE as LIST_MAX_PAGE
from directory.places import autocomplete
from directory.search import params
from directory.shops.models import SERVICE_FIELDS
from directory.web import MAX_DATABASE_ID
from search_index import SERVICES, SORTS

Schema = dict[str, Any]

JSON = "application/json"
ODBL = {"name": "ODbL-1.0", "url": "https://opendatacommons.org/licenses/odbl/1-0/"}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    """``schema`` or null: a type list for plain types, ``anyOf`` for references."""
    if "type" in schema and isinstance(schema["type"], str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """A closed object whose every property is required but ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


STRING: Schema = {"type": "string"}
COUNT: Schema = {"type": "integer", "minimum": 0}
KM: Schema = {"type": ["number", "null"], "minimum": 0}
COUNTRY: Schema = {"type": "string", "pattern": "^[A-Z]{2}$"}
LAT: Schema = {"type": "number", "minimum": -90, "maximum": 90}
LON: Schema = {"type": "number", "minimum": -180, "maximum": 180}
URL: Schema = {"type": "string", "format": "uri"}
# next: the following page's URL relative to this host, or null on the last page.
NEXT: Schema = {"type": ["string", "null"], "format": "uri-reference"}

SHOP_SUMMARY: dict[str, Schema] = {
    "id": {"type": "integer", "minimum": 1},
    "name": STRING,
    "slug": STRING,
    "url": URL,
    "category": _ref("CategoryRef"),
    "address": STRING,
    "postcode": STRING,
    "town": STRING,
    "country": COUNTRY,
    "lat": LAT,
    "lon": LON,
    "votes": COUNT,
    "services": {"type": "array", "items": {"enum": list(SERVICE_FIELDS)}, "uniqueItems": True},
    "delivery_radius_km": {"type": ["integer", "null"], "minimum": 1},
    "verified": {"type": "boolean"},
}
HIGHLIGHT: dict[str, Schema] = {
    "highlight": {"type": "string", "description": "HTML: escaped, `<mark>` around matches."},
    "product": {"type": ["string", "null"]},
}


def _schemas() -> dict[str, Schema]:
    """The components' schemas: every body the API answers with."""
    suggestion = _object({"name": STRING, "postcode": STRING, "country": COUNTRY})
    place = _object({"name": STRING, "lat": LAT, "lon": LON})
    named_count = _object({"slug": STRING, "name": STRING, "count": COUNT})
    return {
        "Error": _object(
            {
                "error": _object(
                    {
                        "field": {"type": ["string", "null"]},
                        "message": STRING,
                        "suggestions": {"type": "array", "items": suggestion},
                    },
                    optional=("suggestions",),
                )
            }
        ),
        "CategoryRef": _object({"slug": STRING, "name": STRING}),
        "ShopSummary": _object(SHOP_SUMMARY),
        "SearchResult": _object(
            {**SHOP_SUMMARY, "distance_km": KM, "delivery_km": KM, **HIGHLIGHT}
        ),
        "SearchPage": _object(
            {
                "total": COUNT,
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "near": _nullable(place),
                "delivers_to": _nullable(place),
                "open_at": {"type": ["string", "null"], "format": "date-time"},
                "suggestion": {"type": ["string", "null"]},
                # Query words left out because no shop matched every word.
                "ignored": {"type": "array", "items": STRING},
                # The words of q read as the place (town or region) the results are in.
                "place": {"type": ["string", "null"]},
                "facets": _object(
                    {
                        "category": {"type": "array", "items": named_count},
                        "town": {
                            "type": "array",
                            "items": _object({"name": STRING, "count": COUNT}),
                        },
                        "services": {"type": "array", "items": named_count},
                    }
                ),
                "results": {"type": "array", "items": _ref("SearchResult")},
            }
        ),
        "ShopDetail": _object(
            {
                **SHOP_SUMMARY,
                **HIGHLIGHT,
                "description": STRING,
                "website": {"type": ["string", "null"]},
                "eshop_url": {"type": ["string", "null"]},
                "phone": {"type": ["string", "null"]},
                "opening_hours": {"type": "string", "description": "OpenStreetMap syntax."},
                "open_now": {"type": ["boolean", "null"]},
                "products": {
                    "type": "array",
                    "items": _object(
                        {
                            "name": STRING,
                            "description": STRING,
                            "price": {"type": ["number", "null"], "minimum": 0},
                            "url": {"type": ["string", "null"]},
                            "photo_url": {"type": ["string", "null"], "format": "uri"},
                        }
                    ),
                },
            }
        ),
        "ShopPage": _object(
            {
                "total": COUNT,
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "next": NEXT,
                "results": {"type": "array", "items": _ref("ShopSummary")},
            }
        ),
        "Category": _object({"slug": STRING, "name": STRING, "url": URL, "count": COUNT}),
        "Categories": _object({"results": {"type": "array", "items": _ref("Category")}}),
        "FeatureCollection": _object(
            {
                "type": {"const": "FeatureCollection"},
                "total": COUNT,
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "next": NEXT,
                "features": {"type": "array", "items": _ref("Feature")},
            }
        ),
        "Feature": _object(
            {
                "type": {"const": "Feature"},
                "id": {"type": "integer", "minimum": 1},
                "geometry": _object(
                    {
                        "type": {"const": "Point"},
                        "coordinates": {
                            "type": "array",
                            "prefixItems": [LON, LAT],
                            "minItems": 2,
                            "maxItems": 2,
                        },
                    }
                ),
                "properties": _object(
                    {
                        "id": {"type": "integer", "minimum": 1},
                        "name": STRING,
                        "category": _ref("CategoryRef"),
                        "url": URL,
                        "town": STRING,
                        "votes": COUNT,
                        "distance_km": KM,
                        "delivery_radius_km": SHOP_SUMMARY["delivery_radius_km"],
                    }
                ),
            }
        ),
        "Place": _object(
            {
                "name": STRING,
                "postcode": STRING,
                "country": COUNTRY,
                "lat": LAT,
                "lon": LON,
                "label": STRING,
            }
        ),
        "ModerationLog": _object(
            {
                "entries": {"type": "array", "items": _ref("ModerationEntry")},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "total": COUNT,
            }
        ),
        "ModerationEntry": _object(
            {
                "id": {"type": "integer", "minimum": 1},
                "at": {"type": "string", "format": "date-time"},
                "moderator": {
                    "type": ["string", "null"],
                    "description": "null for an action taken from the server's command line",
                },
                "action": {"enum": [a.value for a in Action]},
                "target": _object(
                    {
                        "type": {"enum": [t.value for t in TargetType]},
                        "id": {"type": "integer"},
                        "name": STRING,
                    }
                ),
                "reason": STRING,
            }
        ),
    }


def _query(name: str, schema: Schema, description: str, **extra: Any) -> Schema:
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


def _integer(low: int, high: int, default: int) -> Schema:
    return {"type": "integer", "minimum": low, "maximum": high, "default": default}


def _text(max_length: int) -> Schema:
    return {"type": "string", "maxLength": max_length}


def _search_parameters(default_per_page: int, max_per_page: int) -> list[Schema]:
    """What ``parse_search`` reads, with the bounds it checks."""
    place = 'A town, a postcode, "6700 Arlon" or "lat,lon".'
    return [
        _query("q", _text(params.MAX_QUERY_LENGTH), "Words to look for.", example="pain"),
        _query(
            "category",
            _text(params.MAX_CATEGORY_LENGTH),
            "A category slug (see /api/v1/categories).",
            example="boulangerie",
        ),
        _query(
            "town", _text(params.MAX_TOWN_LENGTH), "A town's name or postcode.", example="Arlon"
        ),
        _query(
            "region",
            _text(params.MAX_REGION_LENGTH),
            'A Belgian province or French département: a name or a code ("87", "2A").',
            example="Luxembourg",
        ),
        _query("near", _text(params.MAX_PLACE_LENGTH), place, example="6700 Arlon"),
        _query(
            "radius_km",
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": params.MAX_RADIUS_KM,
                "default": params.DEFAULT_RADIUS_KM,
            },
            "Kilometres around `near` (which it needs).",
        ),
        _query(
            "bbox",
            _text(params.MAX_BBOX_LENGTH),
            "minlon,minlat,maxlon,maxlat: only shops inside the box.",
            example="5.7,49.6,5.9,49.8",
        ),
        _query(
            "services",
            {"type": "array", "items": {"enum": list(SERVICES)}, "uniqueItems": True},
            "Shops offering every one of these services (a comma list).",
            style="form",
            explode=False,
        ),
        _query(
            "delivers_to",
            _text(params.MAX_PLACE_LENGTH),
            f"Only shops whose delivery radius covers this place. {place}",
            example="Habay",
        ),
        _query("open_now", {"enum": ["0", "1"]}, "1: only shops open now (Brussels time)."),
        _query(
            "open_at",
            _text(params.MAX_MOMENT_LENGTH),
            "Only shops open at this ISO 8601 date and time (Brussels time without a zone; "
            "years {} to {}). Not with open_now=1.".format(*params.MOMENT_YEARS),
            example="2026-06-13T10:30",
        ),
        _query(
            "sort",
            {"enum": list(SORTS), "default": "relevance"},
            "`distance` needs `near`.",
        ),
        _query("page", _integer(1, params.MAX_PAGE, 1), "Page number."),
        _query("per_page", _integer(1, max_per_page, default_per_page), "Results per page."),
    ]


def _responses(ok: Schema, errors: tuple[str, ...], media_type: str) -> dict[str, Schema]:
    """200 with ``ok``, then the shared error answers; any request may meet the rate limit."""
    answers: dict[str, Schema] = {
        "200": {"description": "OK", "content": {media_type: {"schema": ok}}},
    }
    for code in (*errors, "429"):
        answers[code] = {"$ref": f"#/components/responses/{code}"}
    return answers


def _operation(
    operation_id: str,
    summary: str,
    parameters: list[Schema],
    ok: Schema,
    errors: tuple[str, ...] = ("400",),
    media_type: str = JSON,
) -> Schema:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [*parameters, {"$ref": "#/components/parameters/lang"}],
            "responses": _responses(ok, errors, media_type),
        }
    }


def _paths() -> dict[str, Schema]:
    page = _query("page", _integer(1, params.MAX_PAGE, 1), "Page number.")
    per_page = _query(
        "per_page",
        _integer(1, params.MAX_PER_PAGE, catalogue.DEFAULT_PER_PAGE),
        "Shops per page.",
    )
    log_page = _query(
        "page", _integer(1, LIST_MAX_PAGE, 1), "Page number (out of range: the nearest one)."
    )
    return {
        "/api/v1/search": _operation(
            "search",
            "Search visible shops, with facets.",
            _search_parameters(params.DEFAULT_PER_PAGE, params.MAX_PER_PAGE),
            _ref("SearchPage"),
            ("400", "503"),
        ),
        "/api/v1/shops": _operation(
            "shops_list", "Every visible shop in id order.", [page, per_page], _ref("ShopPage")
        ),
        "/api/v1/shops/{shop_id}": _operation(
            "shop_detail",
            "One visible shop with its practical information and window.",
            [
                {
                    "name": "shop_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DATABASE_ID},
                }
            ],
            _ref("ShopDetail"),
            ("404",),
        ),
        "/api/v1/shops.geojson": _operation(
            "shops_geojson",
            "A search's shops as GeoJSON points (RFC 7946), for a map.",
            _search_parameters(geojson.DEFAULT_PER_PAGE, geojson.MAX_PER_PAGE),
            _ref("FeatureCollection"),
            ("400", "503"),
            media_type=geojson.MEDIA_TYPE,
        ),
        "/api/v1/categories": _operation(
            "categories_list",
            "Every category with its number of visible shops.",
            [],
            _ref("Categories"),
            (),
        ),
        "/api/v1/places": _operation(
            "places",
            "Town and postcode autocomplete from the offline gazetteer.",
            [
                _query(
                    "q",
                    _text(autocomplete.MAX_QUERY_LENGTH),
                    "What was typed so far: a name or postcode prefix "
                    f"(fewer than {autocomplete.MIN_QUERY_LENGTH} letters answer []).",
                    example="arl",
                ),
                _query(
                    "limit",
                    _integer(1, autocomplete.MAX_LIMIT, autocomplete.DEFAULT_LIMIT),
                    "How many places at most.",
                ),
            ],
            {"type": "array", "items": _ref("Place")},
        ),
        "/api/v1/moderation/log": _operation(
            "moderation_log",
            "The public moderation log, newest first.",
            [
                _query("moderator", STRING, "A moderator's public name."),
                _query("action", {"enum": [a.value for a in Action]}, "One kind of action."),
                _query("since", {"type": "string", "format": "date"}, "From this day on."),
                _query("until", {"type": "string", "format": "date"}, "Up to this day, included."),
                log_page,
            ],
            _ref("ModerationLog"),
        ),
        "/api/v1/openapi.json": _operation("openapi", "This document.", [], {"type": "object"}, ()),
    }


def _error_response(description: str) -> Schema:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


def build_openapi() -> dict[str, Any]:
    """The OpenAPI 3.1.0 document of ``/api/v1`` (in an app context: the languages)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Bonnes Adresses",
            "version": "1.0.0",
            "summary": "Read-only JSON API of a directory of local shops in Belgium and France.",
            "license": ODBL,
        },
        # Relative: the document holds on whatever host serves it.
        "servers": [{"url": "/"}],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "parameters": {
                "lang": _query(
                    "lang",
                    {"enum": list(current_app.config["LANGUAGES"])},
                    "Interface language of names and messages (else cookie, Accept-Language).",
                )
            },
            "responses": {
                "400": _error_response("A parameter is refused; `field` names it."),
                "404": _error_response("No such visible shop."),
                "429": _error_response("Too many requests; see the Retry-After header."),
                "503": _error_response("The search index cannot answer right now."),
            },
        },
    }


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(build_openapi())
