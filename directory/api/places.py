"""``GET /api/v1/places?q=``: town and postcode autocomplete from the offline gazetteer."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from directory.api.views import _error, bp
from directory.places.autocomplete import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_LENGTH, suggest


@bp.route("/places")
def places():
    """Places whose name or postcode starts with ``q``: ``[{name, postcode, country, lat, lon,
    label}]``, best first, at most ``limit`` (8 by default, 20 at most); ``[]`` below 2 letters."""
    text = request.args.get("q", "")
    if len(text) > MAX_QUERY_LENGTH:
        return _error("q", _("%(n)d caractères au maximum.", n=MAX_QUERY_LENGTH))
    raw_limit = request.args.get("limit", "").strip()
    limit = DEFAULT_LIMIT
    if raw_limit:
        # isascii: superscripts and other Unicode digits pass isdigit(), not int().
        digits = raw_limit.isascii() and raw_limit.isdigit()
        if not digits or not 1 <= int(raw_limit) <= MAX_LIMIT:
            return _error(
                "limit",
                _("Une valeur entre %(low)d et %(high)d est attendue.", low=1, high=MAX_LIMIT),
            )
        limit = int(raw_limit)
    response = jsonify(
        [
            {
                "name": choice.name,
                "postcode": choice.postcode,
                "country": choice.country,
                "lat": choice.lat,
                "lon": choice.lon,
                "label": choice.label,
            }
            for choice in suggest(text, limit)
        ]
    )
    # The gazetteer changes with a release: a browser may keep an answer for a while.
    response.cache_control.max_age = 3600
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
