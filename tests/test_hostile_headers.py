"""Every request header the app reads (Referer, Accept-Language, X-Forwarded-*, Cookie, Host)
may be malformed, huge or odd: no page, API answer or error page ever turns it into a 500.

One app on SQLite serves the whole module (about 400 requests): header parsing does not depend
on the database backend, and a fresh app per case would make this file the slowest of the suite.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field

import pytest
from flask import Flask

from app import create_app
from directory.accounts.services import register
from directory.extensions import db
from directory.search.bridge import reindex
from directory.shops.services import create_shop
from directory.timeutil import utcnow
from tests.conftest import PASSWORD, base_config, shop_input

HUGE = "x" * 10_000


@dataclass(frozen=True)
class Site:
    """The module's app and the ids the routes below need."""

    app: Flask
    shop_url: str
    shop_id: int


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory) -> Site:
    """An app with one member and one visible shop, shared by the module."""
    tmp_path = tmp_path_factory.mktemp("hostile_headers")
    path = tmp_path / "test.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        author = register("hostile@example.org", "Hôte", PASSWORD, time_cost=1, memory_cost=1024)
        author.email_confirmed_at = utcnow()
        author.approved_posts = 1  # a trusted member: the shop publishes at once
        shop = create_shop(author, shop_input())
        db.session.commit()
        shop_id, shop_url = shop.id, f"/shops/{shop.id}-{shop.slug}"
        reindex(app)
        db.session.remove()
    yield Site(app, shop_url, shop_id)
    with app.app_context():
        db.engine.dispose()


@dataclass(frozen=True)
class Route:
    """A request and the status it answers when the headers are ordinary."""

    method: str
    path: str
    status: int
    needs_csrf: bool = False
    form: tuple[tuple[str, str], ...] = ()


def routes(site: Site) -> dict[str, Route]:
    return {
        "home": Route("GET", "/", 200),
        "search-page": Route("GET", "/search?q=pain", 200),
        "search-api": Route("GET", "/api/v1/search?q=pain", 200),
        "bad-search-api": Route("GET", "/api/v1/search?per_page=0", 400),
        "login-page": Route("GET", "/login", 200),
        "login-post": Route("POST", "/login", 400, needs_csrf=True),  # the empty form again
        "logout": Route("POST", "/logout", 302, needs_csrf=True),
        "shop-page": Route("GET", site.shop_url, 200),
        "vote-anonymous": Route("POST", f"/shops/{site.shop_id}/vote", 302, needs_csrf=True),
        "tip-anonymous": Route("POST", f"/shops/{site.shop_id}/tips", 302, needs_csrf=True),
        "unknown-get": Route("GET", "/no/such/page", 404),
        "unknown-post": Route("POST", "/no/such/page", 404),
        "unknown-api": Route("GET", "/api/v1/nothing", 404),
        "favicon": Route("GET", "/favicon.ico", 200),
        "privacy": Route("GET", "/privacy", 200),
        "moderation-log": Route("GET", "/moderation/log?since=2026-01-01", 200),
        "moderation-log-api": Route("GET", "/api/v1/moderation/log?action=ban", 200),
        "forgot-page": Route("GET", "/forgot-password", 200),
        # These two mail a link built from the request's host when PUBLIC_URL is unset.
        "forgot-post": Route(
            "POST", "/forgot-password", 302, True, (("email", "hostile@example.org"),)
        ),
        "register-known-email": Route(
            "POST",
            "/register",
            302,
            True,
            (
                ("email", "hostile@example.org"),
                ("display_name", "Visiteur"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ),
        ),
        "confirm-bad-link": Route("GET", "/confirm-email/not-a-token", 400),
    }


ROUTE_NAMES = (
    "home",
    "search-page",
    "search-api",
    "bad-search-api",
    "login-page",
    "login-post",
    "logout",
    "shop-page",
    "vote-anonymous",
    "tip-anonymous",
    "unknown-get",
    "unknown-post",
    "unknown-api",
    "favicon",
)


@dataclass(frozen=True)
class Hostile:
    """What to send: headers, cookies that replace or join the visitor's own, and raw text
    added to the Cookie header. ``loses_session``: the session cookie is replaced, so a form
    posted with it fails the CSRF check (400, the right answer). ``answers``: the status every
    route gives instead of its usual one."""

    headers: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)
    raw_cookie: str = ""
    loses_session: bool = False
    answers: int | None = None


HOSTILE = {
    # Referer: the page a re-rendered POST form links back to is read from it.
    "referer-bad-ipv6": Hostile(headers={"Referer": "http://[x/"}),
    "referer-unclosed-ipv6": Hostile(headers={"Referer": "http://[::1/path"}),
    "referer-reversed-brackets": Hostile(headers={"Referer": "http://]x[/"}),
    "referer-same-host-bad-ipv6-path": Hostile(headers={"Referer": "http://localhost/[x]//[y"}),
    "referer-huge": Hostile(headers={"Referer": "http://localhost/" + HUGE}),
    "referer-bad-port": Hostile(headers={"Referer": "http://localhost:99999/"}),
    "referer-javascript": Hostile(headers={"Referer": "javascript:alert(1)"}),
    "referer-other-site": Hostile(headers={"Referer": "//evil.example/"}),
    "referer-backslashes": Hostile(headers={"Referer": "http://localhost/\\\\evil.example"}),
    "referer-latin1": Hostile(headers={"Referer": "http://localhost/caf\xe9"}),
    "referer-empty": Hostile(headers={"Referer": ""}),
    # Accept-Language: picks the interface language.
    "accept-language-bad-quality": Hostile(headers={"Accept-Language": "*;q=abc"}),
    "accept-language-huge": Hostile(headers={"Accept-Language": HUGE}),
    "accept-language-many": Hostile(headers={"Accept-Language": ",".join(["nl;q=0.1"] * 2000)}),
    "accept-language-unknown": Hostile(headers={"Accept-Language": "xx-YY"}),
    "accept-language-quality-above-one": Hostile(headers={"Accept-Language": "nl;q=2, en;q=-1"}),
    "accept-language-punctuation": Hostile(headers={"Accept-Language": ";;;,,,=;q="}),
    "accept-language-latin1": Hostile(headers={"Accept-Language": "fr-\xe9\xe9"}),
    # X-Forwarded-*: only read when PROXY_FIX is set (not here): must stay harmless.
    "forwarded-for-garbage": Hostile(headers={"X-Forwarded-For": "not-an-ip, [x, " + HUGE}),
    "forwarded-proto-odd": Hostile(headers={"X-Forwarded-Proto": "gopher"}),
    "forwarded-host-bad-ipv6": Hostile(headers={"X-Forwarded-Host": "[x"}),
    "forwarded-host-other-site": Hostile(headers={"X-Forwarded-Host": "evil.example"}),
    "forwarded-prefix": Hostile(headers={"X-Forwarded-Prefix": "/../..//evil"}),
    # Host: compared with the Referer's host.
    "host-bad-ipv6": Hostile(headers={"Host": "[x"}),
    "host-bad-ipv6-with-referer": Hostile(headers={"Host": "[x", "Referer": "http://[x/"}),
    "host-other-site": Hostile(
        headers={"Host": "evil.example", "Referer": "http://evil.example/search"}
    ),
    "host-bad-port": Hostile(headers={"Host": "localhost:notaport"}),
    "host-huge": Hostile(headers={"Host": "a" * 1000}, answers=400),  # no URL can be built
    # Cookies: the session, the remember-me token and the language.
    "session-garbage": Hostile(cookies={"session": "garbage.garbage.garbage"}, loses_session=True),
    "session-huge": Hostile(cookies={"session": HUGE}, loses_session=True),
    "remember-garbage": Hostile(cookies={"remember_token": "1|not-a-signature"}),
    "remember-huge": Hostile(cookies={"remember_token": HUGE}),
    "remember-no-separator": Hostile(cookies={"remember_token": "garbage"}),
    "language-unknown": Hostile(cookies={"lang": "xx"}),
    "language-huge": Hostile(cookies={"lang": HUGE}),
    "cookie-header-garbage": Hostile(raw_cookie='=;;=;session;%%%;"\x7f=\x01; a="b'),
}


def csrf_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def send(site: Site, route: Route, hostile: Hostile):
    """The request of ``route`` from a visitor who has seen a form, with the hostile headers.

    The Cookie header is written here: the test client would replace a hand-made one with
    the cookies it stored, and refuses to store one as big as a hostile client can send.
    """
    client = site.app.test_client()
    token = csrf_token(client)
    data = {"csrf_token": token, **dict(route.form)} if route.needs_csrf else None
    cookies = {"session": client.get_cookie("session").value} | hostile.cookies
    cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    headers = {"Cookie": "; ".join(filter(None, (cookie_header, hostile.raw_cookie)))}
    headers.update(hostile.headers)
    response = site.app.test_client(use_cookies=False).open(
        route.path, method=route.method, data=data, headers=headers
    )
    response.get_data()
    response.close()  # a static file's handle, closed as the server would
    return response


@pytest.mark.parametrize("header_case", list(HOSTILE))
@pytest.mark.parametrize("route_name", ROUTE_NAMES)
def test_hostile_headers_never_give_a_server_error(site, route_name, header_case):
    route, hostile = routes(site)[route_name], HOSTILE[header_case]
    response = send(site, route, hostile)
    expected = hostile.answers or route.status
    if hostile.loses_session and route.needs_csrf:
        expected = 400  # the CSRF token lived in the session the bad cookie replaced
    assert response.status_code == expected, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("route_name", ROUTE_NAMES)
def test_hostile_headers_pages_stay_well_formed(site, route_name):
    """The answer to a malformed Referer is a whole page or JSON document, not a stub."""
    route = routes(site)[route_name]
    response = send(site, route, HOSTILE["referer-bad-ipv6"])
    if route.path.startswith("/api/"):
        assert response.is_json
    elif response.mimetype == "text/html" and response.status_code != 302:
        assert "</html>" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("referer", "comes_back_to"),
    [
        ("http://localhost/search?q=pain", "/search?q%3Dpain"),  # control: the page it was on
        ("http://[x/", "/"),
        ("http://[::1/search", "/"),
        ("http://localhost/[x]//[y", "/%5Bx%5D//%5By"),
        ("http://evil.example/search", "/"),
    ],
)
def test_an_anonymous_vote_comes_back_to_the_referring_page_or_home(site, referer, comes_back_to):
    """A vote button cannot be replayed after login: the visitor comes back to the page the
    button was on, read from the Referer; one that cannot be parsed means the home page."""
    client = site.app.test_client()
    response = client.post(
        f"/shops/{site.shop_id}/vote",
        data={"csrf_token": csrf_token(client)},
        headers={"Referer": referer},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={comes_back_to}"


def test_a_language_asked_for_with_a_bad_header_falls_back_to_french(site):
    response = site.app.test_client().get("/", headers={"Accept-Language": "*;q=abc"})
    assert '<html lang="fr">' in response.get_data(as_text=True)


def test_a_readable_accept_language_still_picks_the_language(site):
    """Control for the case above: the header is read when it makes sense."""
    response = site.app.test_client().get("/", headers={"Accept-Language": "xx-YY, nl;q=0.5"})
    assert '<html lang="nl">' in response.get_data(as_text=True)
