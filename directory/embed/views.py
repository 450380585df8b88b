"""Routes of the embed feature: the frame other sites paste, and the page giving its code."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from directory.embed.services import EMBED_LIMIT, embed_list
from directory.errors import DomainError
from directory.search.params import parse_search
from directory.security import allow_framing
from directory.seo.urls import absolute_url
from directory.shops.services import categories

bp = Blueprint("embed", __name__)

# The parameters the snippet form offers; /embed itself takes every search parameter.
SNIPPET_PARAMETERS = ("town", "category")
FRAME_HEIGHT = 480


@bp.route("/embed")
@allow_framing
def embed():
    """The shops of a search (``town``, ``category``, any search parameter) for a frame on
    another site: the only framable page. A bad parameter gives its message in the frame."""
    error = listing = None
    try:
        listing = embed_list(request.args)
    except DomainError as failure:
        error = failure
    status = error.status_code if error else 200
    return render_template("embed/embed.html", listing=listing, error=error), status


@bp.route("/embed/new")
def snippet():
    """A town's webmaster picks a town and a category and gets the ``<iframe>`` to paste."""
    wanted = {key: (request.args.get(key) or "").strip() for key in SNIPPET_PARAMETERS}
    wanted = {key: value for key, value in wanted.items() if value}
    error = None
    if wanted:
        try:
            parse_search(MultiDict(wanted))
        except DomainError as failure:
            error = failure
    ready = bool(wanted) and error is None
    return render_template(
        "embed/snippet.html",
        wanted=wanted,
        error=error,
        categories=categories(),
        snippet=iframe_snippet(wanted) if ready else None,
        preview_url=url_for("embed.embed", **wanted) if ready else None,
        frame_title=frame_title(wanted) if ready else None,
        limit=EMBED_LIMIT,
    ), (error.status_code if error else 200)


def frame_title(wanted: dict[str, str]) -> str:
    """The frame's accessible name: what it lists."""
    if town := wanted.get("town"):
        return _("Bonnes adresses à %(town)s", town=town)
    return _("Bonnes adresses")


def iframe_snippet(wanted: dict[str, str]) -> str:
    """The HTML to paste: an ``<iframe>`` of ``/embed`` on the site's public address.

    Plain text, its attribute values escaped: the page escapes it again to show it as text.
    """
    src = absolute_url("embed.embed", **wanted)
    html = Markup(
        '<iframe src="{src}" title="{title}" width="100%" height="{height}" '
        'loading="lazy" style="border:0"></iframe>'
    ).format(src=src, title=frame_title(wanted), height=FRAME_HEIGHT)
    return str(html)
