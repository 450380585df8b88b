"""JSON API, version 1."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from directory.errors import DomainError
from directory.moderation.serialise import log_json
from directory.moderation.services import moderation_log, parse_log_filters
from directory.pagination import page_arg
from directory.search.params import parse_search
from directory.search.services import SearchPage, run_search

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _error(field: str | None, message: str, status: int = 400, suggestions: tuple = ()):
    body: dict = {"field": field, "message": message}
    if suggestions:
        # What the caller may have meant (an unknown town or place): the closest known ones.
        body["suggestions"] = [
            {"name": s.name, "postcode": s.postcode, "country": s.country} for s in suggestions
        ]
    return jsonify(error=body), status


def _failure(failure: DomainError):
    """The JSON error of a refused request, with suggestions when it has any."""
    suggestions = getattr(failure, "suggestions", ())
    return _error(failure.field, failure.message, failure.status_code, suggestions)


@bp.route("/search")
def search():
    """Search shops: see the README for parameters and the answer's shape."""
    try:
        page = run_search(parse_search(request.args))
    except DomainError as failure:
        return _failure(failure)
    return jsonify(_serialise(page))


@bp.route("/moderation/log")
def moderation_log_json():
    """The public moderation log: the same filters as ``/moderation/log``."""
    try:
        filters = parse_log_filters(request.args)
    except DomainError as failure:
        return _error(failure.field, failure.message, failure.status_code)
    page = moderation_log(filters, page_arg(), current_app.config["PER_PAGE"])
    return jsonify(log_json(page))


def _serialise(page: SearchPage) -> dict:
    near = page.near
    return {
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "near": {"name": near.name, "lat": near.lat, "lon": near.lon} if near else None,
        "suggestion": page.suggestion,
        "facets": {
            "category": [
                {"slug": f.key, "name": f.label, "count": f.count} for f in page.facets["category"]
            ],
            "town": [{"name": f.key, "count": f.count} for f in page.facets["town"]],
            "services": [
                {"slug": f.key, "name": f.label, "count": f.count} for f in page.facets["services"]
            ],
        },
        "results": [
            {
                "id": row.shop.id,
                "name": row.shop.name,
                "slug": row.shop.slug,
                "url": url_for(
                    "shops.detail", shop_id=row.shop.id, slug=row.shop.slug, _external=True
                ),
                "category": {"slug": row.shop.category.slug, "name": row.shop.category.name},
                "address": row.shop.address,
                "postcode": row.shop.postcode,
                "town": row.shop.town,
                "country": row.shop.country,
                "lat": row.shop.lat,
                "lon": row.shop.lon,
                "distance_km": (
                    round(row.hit.distance_km, 2) if row.hit.distance_km is not None else None
                ),
                "votes": row.shop.vote_count,
                "services": row.shop.services,
                "highlight": row.hit.highlight,
            }
            for row in page.rows
        ],
    }


# Routes of their own modules, on the same blueprint.
from directory.api import geojson, places  # noqa: E402, F401
