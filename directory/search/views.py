"""The search page: a GET form, so every search is a shareable URL."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for

from directory.errors import DomainError
from directory.search.params import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    SORTS,
    parse_search,
    requested_services,
)
from directory.search.services import SERVICE_LABELS, run_search
from directory.shops.services import categories

bp = Blueprint("search", __name__)


@bp.route("/search")
def search():
    """Search by text, category, place, radius and services; errors are shown in the form."""
    error = None
    page = None
    try:
        page = run_search(parse_search(request.args))
    except DomainError as failure:
        error = failure
    return render_template(
        "search/search.html",
        results=page,
        error=error,
        args=request.args,
        services_checked=requested_services(request.args),
        categories=categories(),
        sorts=SORTS,
        service_labels=SERVICE_LABELS,
        default_radius=int(DEFAULT_RADIUS_KM),
        search_url=search_url,
        wider_radius=_wider_radius(page),
    ), (error.status_code if error else 200)


def _wider_radius(page) -> int | None:
    """The radius to offer when nothing was found nearby: three times wider, up to the limit."""
    if page is None or page.near is None:
        return None
    current = request.args.get("radius_km", type=float) or DEFAULT_RADIUS_KM
    if current >= MAX_RADIUS_KM:
        return None
    return int(min(max(current * 3, 1), MAX_RADIUS_KM))


SEARCH_PARAMETERS = ("q", "category", "town", "near", "radius_km", "services", "sort", "per_page")


def search_url(**changes) -> str:
    """This search's URL with some parameters replaced (facet links, pages, suggestion).

    Only search parameters are carried over: anything else in the query string is dropped.
    """
    args = {key: request.args.getlist(key) for key in SEARCH_PARAMETERS if key in request.args}
    args.update({key: [str(value)] for key, value in changes.items()})
    return url_for("search.search") + "?" + urlencode(args, doseq=True)
