"""Every answer (page, JSON, static file, error, redirect) carries the security headers; the
pages themselves hold no inline script or style, so the policy needs no 'unsafe-inline'."""

from __future__ import annotations

import re

import pytest
from flask import request

from app import create_app
from directory.config import PROJECT_ROOT
from directory.extensions import db
from directory.search.bridge import reindex
from directory.security import allow_framing
from tests.conftest import base_config

TEMPLATES = PROJECT_ROOT / "templates"


@pytest.fixture
def shop(app, shop_in_arlon):
    """A visible shop, in a search index built for it (the search routes answer 200)."""
    with app.app_context():
        reindex(app)
    return shop_in_arlon


def routes(shop) -> dict[str, tuple[str, str, int]]:
    """Name: (method, path, status), one of each kind of answer."""
    return {
        "home": ("GET", "/", 200),
        "search-page": ("GET", "/search?q=pain", 200),
        "shop-page": ("GET", f"/shops/{shop.id}-{shop.slug}", 200),
        "login-page": ("GET", "/login", 200),
        "api-json": ("GET", "/api/v1/search?q=pain", 200),
        "api-error": ("GET", "/api/v1/search?per_page=0", 400),
        "api-not-found": ("GET", "/api/v1/nothing", 404),
        "stylesheet": ("GET", "/static/site.css", 200),
        "script": ("GET", "/static/geolocate.js", 200),
        "favicon": ("GET", "/favicon.ico", 200),
        "not-found": ("GET", "/no/such/page", 404),
        "redirect": ("GET", f"/shops/{shop.id}", 301),
        "login-redirect": ("GET", "/shops/new", 302),
        "csrf-refused": ("POST", "/logout", 400),
        "wrong-method": ("DELETE", "/", 405),
    }


ROUTE_NAMES = (
    "home",
    "search-page",
    "shop-page",
    "login-page",
    "api-json",
    "api-error",
    "api-not-found",
    "stylesheet",
    "script",
    "favicon",
    "not-found",
    "redirect",
    "login-redirect",
    "csrf-refused",
    "wrong-method",
)


def fetch(browser, shop, route_name: str, **kwargs):
    method, path, status = routes(shop)[route_name]
    response = browser.client.open(path, method=method, **kwargs)
    response.close()
    assert response.status_code == status
    return response


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize("route_name", ROUTE_NAMES)
def test_every_answer_carries_the_security_headers(browser, shop, route_name):
    headers = fetch(browser, shop, route_name).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    permissions = headers["Permissions-Policy"]
    assert "geolocation=(self)" in permissions
    assert "camera=()" in permissions and "microphone=()" in permissions


@pytest.mark.parametrize("route_name", ROUTE_NAMES)
def test_the_content_security_policy_allows_only_the_site_itself(browser, shop, route_name):
    policy = csp(fetch(browser, shop, route_name))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())


@pytest.mark.parametrize("route_name", ("home", "api-json", "stylesheet", "not-found"))
def test_hsts_only_over_tls(browser, shop, route_name):
    plain = fetch(browser, shop, route_name)
    secure = fetch(browser, shop, route_name, base_url="https://localhost")
    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    max_age = int(secure.headers["Strict-Transport-Security"].split("=")[1].split(";")[0])
    assert max_age >= 180 * 24 * 3600


def test_a_view_marked_embeddable_may_be_framed(app):
    @allow_framing
    def widget():
        return "<p>widget</p>"

    app.add_url_rule("/embed/widget", "embed_widget", widget)
    response = app.test_client().get("/embed/widget")
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    # Everything else about the policy stays.
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_favicon_is_an_icon_linked_from_every_page(browser):
    icon = browser.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    icon.close()
    page = browser.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page


@pytest.mark.parametrize("route_name", ROUTE_NAMES)
def test_no_answer_names_the_server_software(browser, shop, route_name):
    response = fetch(browser, shop, route_name)
    banner = response.headers.get("Server", "") + response.headers.get("X-Powered-By", "")
    assert not re.search(r"werkzeug|python|gunicorn|flask|\d+\.\d+", banner, re.I)


# --- The templates: nothing the policy would block ---------------------------------------------

INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "event handler": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_hold_no_inline_script_or_style(template):
    source = template.read_text(encoding="utf-8")
    found = {name for name, pattern in INLINE.items() if pattern.search(source)}
    assert not found, f"{template.relative_to(TEMPLATES)}: {found}"


def test_the_inline_checks_find_what_they_look_for():
    """Control for the test above: each pattern catches its own example."""
    examples = {
        "inline script": "<script>alert(1)</script>",
        "event handler": '<button onclick="go()">',
        "style attribute": '<p style="color: red">',
        "style element": "<style>p {}</style>",
        "javascript: URL": '<a href="javascript:go()">',
    }
    for name, example in examples.items():
        assert INLINE[name].search(example), name
    assert not INLINE["inline script"].search('<script src="/static/geolocate.js" defer>')


# --- Behind a reverse proxy ---------------------------------------------------------------------


@pytest.fixture
def proxied_app(database_url, tmp_path):
    """The app told that one reverse proxy stands in front (``PROXY_FIX=1``)."""
    proxied = create_app(base_config(database_url, tmp_path) | {"PROXY_FIX": 1})
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_a_trusted_proxy_https_is_read_from_x_forwarded_proto(proxied_app):
    response = proxied_app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_without_proxy_fix_x_forwarded_proto_is_ignored(app):
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_behind_a_trusted_proxy_rate_limits_see_the_client_address(proxied_app):
    @proxied_app.route("/test/address")
    def address():
        return request.remote_addr or ""

    client = proxied_app.test_client()
    answer = client.get("/test/address", headers={"X-Forwarded-For": "203.0.113.7"})
    assert answer.get_data(as_text=True) == "203.0.113.7"


# --- Map tiles: their server is the one image host added ---------------------------------------


@pytest.mark.parametrize(
    ("tile_url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://localhost:8080/tiles/{z}/{x}/{y}.png", "http://localhost:8080"),
    ],
)
def test_img_src_allows_the_configured_tile_server_only(app, tile_url, source):
    app.config["TILE_URL"] = tile_url
    policy = csp(app.test_client().get("/api/v1/nothing"))
    assert policy["img-src"] == f"'self' data: {source}"
    assert policy["default-src"] == "'self'" and policy["connect-src"] == "'self'"


@pytest.mark.parametrize(
    "tile_url",
    [
        "/tiles/{z}/{x}/{y}.png",  # served by the site itself
        "https://a.{s}.example.org/{z}/{x}/{y}.png",  # no CSP source can say this
        "https://{s}.org/{z}/{x}/{y}.png",  # would be a whole top-level domain
        "https://tiles.example.org;script-src *;/{z}.png",
    ],
)
def test_a_tile_url_csp_cannot_express_adds_no_image_host(app, tile_url):
    app.config["TILE_URL"] = tile_url
    policy = csp(app.test_client().get("/api/v1/nothing"))
    assert policy["img-src"] == "'self' data:"
    assert policy["script-src"] == "'self'"
