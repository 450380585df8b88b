"""``/sitemap.xml``, ``/robots.txt``, and the helpers the page templates call."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from directory.seo.contact import directions_url, geo_uri, tel_href
from directory.seo.services import sitemap_entries
from directory.seo.structured import json_ld, local_business
from directory.seo.urls import absolute_url, links_for, page_links

bp = Blueprint("seo", __name__)

# Kept for an hour by browsers and proxies: crawlers ask often, and a new shop can wait.
CACHE_FOR = "public, max-age=3600"

for helper in (absolute_url, links_for, page_links, directions_url, geo_uri, tel_href):
    bp.add_app_template_global(helper)
bp.add_app_template_global(local_business)
bp.add_app_template_filter(json_ld)


@bp.route("/sitemap.xml")
def sitemap():
    """The public pages for crawlers: home, categories, towns and visible shops."""
    body = render_template("seo/sitemap.xml", entries=sitemap_entries(), url=absolute_url)
    response = Response(body, mimetype="application/xml")
    response.headers["Cache-Control"] = CACHE_FOR
    return response


@bp.route("/robots.txt")
def robots():
    """What crawlers may visit (the public directory) and where the sitemap is."""
    body = render_template("seo/robots.txt", sitemap_url=absolute_url("seo.sitemap"))
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = CACHE_FOR
    return response
