"""JSON API, version 1."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request, url_for

from directory.errors import DomainError
from directory.moderation.serialise import log_json
from directory.moderation.services import moderation_log, parse_log_filters
from directory.pagination import page_arg
from directory.places.gazetteer import NearPoint
from directory.products.models import Product
from directory.search.params import parse_search
from directory.search.services import ResultRow, SearchPage, run_search
from directory.shops.models import Shop
from directory.shops.services import get_visible_shop
from directory.timeutil import current_moment
from search_index.highlight import snippet
from search_index.hours import HoursSyntaxError, is_open, timezone_of

log = logging.getLogger(__name__)

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


@bp.route("/shops/<int:shop_id>")
def shop_detail(shop_id: int):
    """One visible shop with its practical information and window: see the README."""
    try:
        shop = get_visible_shop(shop_id)
    except DomainError as failure:
        return _failure(failure)
    return jsonify(_detail(shop))


@bp.route("/moderation/log")
def moderation_log_json():
    """The public moderation log: the same filters as ``/moderation/log``."""
    try:
        filters = parse_log_filters(request.args)
    except DomainError as failure:
        return _error(failure.field, failure.message, failure.status_code)
    page = moderation_log(filters, page_arg(), current_app.config["PER_PAGE"])
    return jsonify(log_json(page))


def _point(point: NearPoint | None) -> dict | None:
    """Which place a place parameter resolved to."""
    return {"name": point.name, "lat": point.lat, "lon": point.lon} if point else None


def _km(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def delivery_radius_km(shop: Shop) -> int | None:
    """The radius a shop delivers within, in km; None when it does not deliver."""
    return shop.delivery_radius_km if shop.delivery else None


def shop_summary(shop: Shop) -> dict:
    """The keys every shop answer carries: a search result, a map marker's page, a detail."""
    return {
        "id": shop.id,
        "name": shop.name,
        "slug": shop.slug,
        "url": url_for("shops.detail", shop_id=shop.id, slug=shop.slug, _external=True),
        "category": {"slug": shop.category.slug, "name": shop.category.name},
        "address": shop.address,
        "postcode": shop.postcode,
        "town": shop.town,
        "country": shop.country,
        "lat": shop.lat,
        "lon": shop.lon,
        "votes": shop.vote_count,
        "services": shop.services,
        "delivery_radius_km": delivery_radius_km(shop),
        "verified": shop.is_verified,
    }


def _result(row: ResultRow) -> dict:
    return {
        **shop_summary(row.shop),
        "distance_km": _km(row.hit.distance_km),
        "delivery_km": _km(row.hit.delivery_km),
        "highlight": row.hit.highlight,
        "product": row.hit.product,
    }


def _open_now(shop: Shop) -> bool | None:
    """Open at the injected clock's now; None when the hours are unknown."""
    if not shop.opening_hours:
        return None
    try:
        # In the shop's named zone: the evaluator refuses fixed offsets such as UTC.
        moment = current_moment().astimezone(timezone_of(shop.country))
        return is_open(shop.opening_hours, shop.country, moment)
    except HoursSyntaxError:
        # Hours are checked when saved: one that no longer parses is a bug, not the caller's.
        log.warning("shop %s has unreadable opening hours %r", shop.id, shop.opening_hours)
        return None


def _product(product: Product) -> dict:
    return {
        "name": product.name,
        "description": product.description,
        "price": product.price_cents / 100 if product.price_cents is not None else None,
        "url": product.url,
        "photo_url": (
            url_for("products.photo", name=product.photo, _external=True) if product.photo else None
        ),
    }


def _detail(shop: Shop) -> dict:
    """A search result's keys (without distances: there is no point to measure from), the
    shop's contact and practical information, and its visible window products."""
    return {
        **shop_summary(shop),
        # As a search without words would show it: nothing marked.
        "highlight": snippet(shop.name, shop.description, frozenset())[0],
        "product": None,
        "description": shop.description,
        "website": shop.website,
        "eshop_url": shop.eshop_url,
        "phone": shop.phone,
        "opening_hours": shop.opening_hours,
        "open_now": _open_now(shop),
        "products": [_product(product) for product in shop.products if product.is_visible],
    }


def _serialise(page: SearchPage) -> dict:
    return {
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "near": _point(page.near),
        "delivers_to": _point(page.delivers_to),
        "open_at": page.open_at.isoformat() if page.open_at else None,
        "suggestion": page.suggestion,
        "ignored": list(page.ignored),
        "place": page.place_words,
        "facets": {
            "category": [
                {"slug": f.key, "name": f.label, "count": f.count} for f in page.facets["category"]
            ],
            "town": [{"name": f.key, "count": f.count} for f in page.facets["town"]],
            "services": [
                {"slug": f.key, "name": f.label, "count": f.count} for f in page.facets["services"]
            ],
        },
        "results": [_result(row) for row in page.rows],
    }


# Routes of their own modules, on the same blueprint.
from directory.api import catalogue, geojson, openapi, places  # noqa: E402, F401
