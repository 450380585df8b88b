"""Routes of the feeds feature: the Atom feed of a saved search."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import force_locale

from directory.errors import DomainError
from directory.feeds.services import FEED_LOCALE, build_feed, feed_path, rfc3339

bp = Blueprint("feeds", __name__)

ATOM_MEDIA_TYPE = "application/atom+xml"
# Readers poll; five minutes old is new enough, and spares the index.
FEED_MAX_AGE = 300


@bp.route("/feeds/shops.atom")
def shops_atom():
    """The newest shops matching the search's filters (``q``, ``category``, ``town``,
    ``near``, ``radius_km``, ``delivers_to``, ``services``...), as Atom 1.0.

    Bad parameters answer the search API's JSON error naming the field: a feed reader shows
    no page, but whoever set the feed up can read it.
    """
    with force_locale(FEED_LOCALE):
        try:
            feed = build_feed(request.args)
        except DomainError as failure:
            body = {"field": failure.field, "message": failure.message}
            return jsonify(error=body), failure.status_code
        # Straight from the environment, past the pages' context processors: their form's
        # CSRF token would start a session, and a cookie has no place in a public answer.
        template = current_app.jinja_env.get_template("feeds/shops.atom")
        document = template.render(feed=feed, rfc3339=rfc3339, language=FEED_LOCALE)
    response = Response(document, mimetype=ATOM_MEDIA_TYPE)
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    if feed.entries:
        response.last_modified = feed.updated
    response.add_etag()
    return response.make_conditional(request)


@bp.app_template_global("shops_feed_url")
def shops_feed_url() -> str:
    """The Atom feed of the search on this page (its ``<head>`` link and "follow" link)."""
    return feed_path(request.args)
