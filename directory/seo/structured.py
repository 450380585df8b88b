"""schema.org data about a shop, for search engines (JSON-LD)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from directory.seo.contact import tel_href
from directory.shops.models import Shop


def local_business(shop: Shop, url: str) -> dict[str, Any]:
    """A schema.org ``LocalBusiness`` for ``shop``, whose page is at ``url``.

    No ``aggregateRating``: votes say "I recommend it", they are not ratings out of five, and
    presenting them as stars would mislead.
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "@id": url,
        "name": shop.name,
        "url": url,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": shop.address or None,
            "postalCode": shop.postcode,
            "addressLocality": shop.town,
            "addressCountry": shop.country,
        },
        "geo": {"@type": "GeoCoordinates", "latitude": shop.lat, "longitude": shop.lon},
    }
    if shop.description:
        data["description"] = shop.description
    telephone = tel_href(shop.phone, shop.country)
    if telephone:
        data["telephone"] = telephone
    same_as = [link for link in (shop.website, shop.eshop_url) if link]
    if same_as:
        data["sameAs"] = same_as
    data["address"] = {key: value for key, value in data["address"].items() if value}
    return data


def json_ld(data: dict[str, Any]) -> Markup:
    """``data`` as a ``<script type="application/ld+json">`` block, encoded as Jinja's
    ``tojson`` filter does (the same function, with the app's JSON policies).

    It writes ``<``, ``>``, ``&`` and ``'`` as ``\\u003c``…, so no value (a shop
    named ``</script>``) can end the block. Built here rather than in a template, like
    Django's ``json_script``: it is a data block the browser never runs, so the policy does
    not apply to it (tests/test_browser_share.py checks chromium reports nothing), while the
    templates keep holding no ``<script>`` without ``src``, which the template check enforces.
    """
    policies = current_app.jinja_env.policies
    body = htmlsafe_json_dumps(
        data, dumps=policies["json.dumps_function"], **policies["json.dumps_kwargs"]
    )
    return Markup('<script type="application/ld+json">%s</script>') % body
