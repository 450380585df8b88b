"""The search page: a GET form, so every search is a shareable URL."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from babel.dates import format_datetime
from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale

from directory.errors import DomainError
from directory.search.params import (
    DEFAULT_RADIUS_KM,
    SORTS,
    parse_search,
    requested_services,
)
from directory.search.services import (
    SERVICE_LABELS,
    place_to_recommend,
    radius_that_finds,
    run_search,
)
from directory.shops.services import categories

bp = Blueprint("search", __name__)


@bp.route("/search")
def search():
    """Search by text, category, place, radius, services, delivery and opening hours; errors
    are shown in the form."""
    error = None
    page = None
    wider_radius = place_to_add = None
    try:
        search_request = parse_search(request.args)
        page = run_search(search_request)
        if not page.total and page.page == 1:
            wider_radius = radius_that_finds(search_request)
            place_to_add = place_to_recommend(
                search_request, request.args.get("town") or request.args.get("near") or ""
            )
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
        wider_radius=wider_radius,
        place_to_add=place_to_add,
        moment_label=moment_label,
    ), (error.status_code if error else 200)


def moment_label(moment: datetime) -> str:
    """``open_at`` as the interface language writes a date and time, in its own time zone
    (Flask-Babel's ``format_datetime`` would move it to the site's default zone, UTC)."""
    return format_datetime(moment, "short", tzinfo=moment.tzinfo, locale=get_locale())


SEARCH_PARAMETERS = (
    "q",
    "category",
    "town",
    "region",
    "near",
    "radius_km",
    "bbox",
    "services",
    "delivers_to",
    "open_now",
    "open_at",
    "sort",
    "per_page",
)


def search_url(**changes) -> str:
    """This search's URL with some parameters replaced (facet links, pages, suggestion).

    Only search parameters are carried over: anything else in the query string is dropped.
    A change to None removes the parameter (the map area's chip).
    """
    args = {key: request.args.getlist(key) for key in SEARCH_PARAMETERS if key in request.args}
    args.update({key: [str(value)] for key, value in changes.items() if value is not None})
    for key in (key for key, value in changes.items() if value is None):
        args.pop(key, None)
    return url_for("search.search") + "?" + urlencode(args, doseq=True)
