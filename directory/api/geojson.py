"""``GET /api/v1/shops.geojson``: the search's shops as GeoJSON markers for the map."""

from __future__ import annotations

from dataclasses import replace

from flask import jsonify, request, url_for

from directory.api.views import _failure, _km, bp, delivery_radius_km
from directory.errors import DomainError
from directory.opendata.exports import point_feature
from directory.search.params import _int, parse_search
from directory.search.services import ResultRow, run_search
from directory.search.views import SEARCH_PARAMETERS

# Enough for every marker of a town's search in one request; far above /api/v1/search's
# page, which also counts facets and highlights.
DEFAULT_PER_PAGE = 500
MAX_PER_PAGE = 1_000
MEDIA_TYPE = "application/geo+json"  # RFC 7946


@bp.route("/shops.geojson")
def shops_geojson():
    """The shops of a search (same parameters as ``/api/v1/search``, ``bbox`` included) as a
    FeatureCollection of Points in ``[lon, lat]`` order, with ``total``, ``page``,
    ``per_page`` (500 by default, 1000 at most) and ``next`` (the next page's URL, relative to
    this one, or null)."""
    args = request.args.copy()
    # The search's own per_page stops at 100; this one is read apart, with its own bounds.
    per_page_args = {"per_page": args.pop("per_page", "")}
    try:
        per_page = _int(per_page_args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        search_request = parse_search(args)
        query = replace(search_request.query, per_page=per_page, facets=False, highlights=False)
        page = run_search(replace(search_request, query=query))
    except DomainError as failure:
        return _failure(failure)
    more = page.page * page.per_page < page.total
    response = jsonify(
        {
            "type": "FeatureCollection",
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "next": _page_url(page.page + 1) if more else None,
            "features": [_feature(row) for row in page.rows],
        }
    )
    response.mimetype = MEDIA_TYPE
    return response


def _feature(row: ResultRow) -> dict:
    shop = row.shop
    return point_feature(
        shop,
        {
            "id": shop.id,
            "name": shop.name,
            "category": {"slug": shop.category.slug, "name": shop.category.name},
            "url": url_for("shops.detail", shop_id=shop.id, slug=shop.slug, _external=True),
            "town": shop.town,
            "votes": shop.vote_count,
            "distance_km": _km(row.hit.distance_km),
            "delivery_radius_km": delivery_radius_km(shop),
        },
    )


def _page_url(page: int) -> str:
    """This request's search parameters (its per_page too) at another page.

    Relative, so that it follows whatever address the client used: built from the Host
    header, an absolute one could point elsewhere behind a proxy (see ``PUBLIC_URL``).
    """
    args = {key: request.args.getlist(key) for key in SEARCH_PARAMETERS if key in request.args}
    args["page"] = [str(page)]
    return url_for("api.shops_geojson", **args)


def map_geojson_url() -> str:
    """For the search page's map: every marker of the page's search, not just this page's.

    Its ``per_page`` (the list's) is not the map's, so it is left out with the page number.
    """
    args = {
        key: request.args.getlist(key)
        for key in SEARCH_PARAMETERS
        if key in request.args and key != "per_page"
    }
    return url_for("api.shops_geojson", **args)


bp.add_app_template_global(map_geojson_url)
