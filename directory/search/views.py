"""The search page: a GET form, so every search is a shareable URL."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from directory.errors import ValidationFailed
from directory.search.params import DEFAULT_RADIUS_KM, SORTS, parse_search
from directory.search.services import SERVICE_LABELS, run_search
from directory.shops.services import categories

bp = Blueprint("search", __name__)


@bp.route("/search")
def search():
    """Search by text, category, place, radius and services; errors are shown in the form."""
    error = None
    page = None
    try:
        page = run_search(parse_search(request.args, request.args.to_dict(flat=False)))
    except ValidationFailed as failure:
        error = failure
    return render_template(
        "search/search.html",
        results=page,
        error=error,
        args=request.args,
        services_checked=_checked_services(),
        categories=categories(),
        sorts=SORTS,
        service_labels=SERVICE_LABELS,
        default_radius=int(DEFAULT_RADIUS_KM),
        search_url=search_url,
    ), (400 if error else 200)


def search_url(**changes) -> str:
    """This search's URL with some parameters replaced (facet links, pages, suggestion)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        args[key] = [value]
    return url_for("search.search", **args)


def _checked_services() -> set[str]:
    return {s.strip() for value in request.args.getlist("services") for s in value.split(",")}
