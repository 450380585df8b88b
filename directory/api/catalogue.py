"""``GET /api/v1/categories`` and ``GET /api/v1/shops``: the whole catalogue, page by page."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from directory.api.queries import categories_with_counts, visible_shops_by_id
from directory.api.views import _failure, bp, shop_summary
from directory.errors import DomainError
from directory.search.params import MAX_PAGE, MAX_PER_PAGE, _int

# A listing page: the search's own bounds, a larger default since nothing is ranked.
DEFAULT_PER_PAGE = 50


def _localised(response: Response) -> Response:
    # Category names follow the interface language (?lang=, cookie, Accept-Language).
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


@bp.route("/categories")
def categories_list():
    """Every category in display order: ``{"results": [{"slug", "name", "url", "count"}]}``,
    ``name`` in the interface language and ``count`` its visible shops."""
    results = [
        {
            "slug": category.slug,
            "name": category.name,
            "url": url_for("shops.category", slug=category.slug, _external=True),
            "count": count,
        }
        for category, count in categories_with_counts()
    ]
    return _localised(jsonify(results=results))


@bp.route("/shops")
def shops_list():
    """Every visible shop in id order, ``per_page`` (50 by default, 100 at most) at a time:
    ``{"total", "page", "per_page", "next", "results"}``, ``next`` the next page's relative
    URL or null."""
    try:
        page = _int(request.args, "page", 1, 1, MAX_PAGE)
        per_page = _int(request.args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    except DomainError as failure:
        return _failure(failure)
    total, shops = visible_shops_by_id(page, per_page)
    more = page * per_page < total
    body = {
        "total": total,
        "page": page,
        "per_page": per_page,
        # Relative, like shops.geojson's: an absolute one would trust the Host header.
        "next": url_for("api.shops_list", page=page + 1, per_page=per_page) if more else None,
        "results": [shop_summary(shop) for shop in shops],
    }
    return _localised(jsonify(body))
