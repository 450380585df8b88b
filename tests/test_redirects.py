"""Open redirects: ``next`` only ever leads to a path on this site, and an anonymous vote
brings the member back to the shop after login without counting anything."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from directory.accounts.redirects import safe_next
from directory.extensions import db
from directory.shops.models import Shop
from directory.votes.models import Vote
from tests.conftest import PASSWORD

# Values an attacker puts in ``next`` hoping the browser leaves the site.
OFF_SITE_TARGETS = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "http:/\\/evil.example",
    "\\/\\/evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http://evil.example/shops/1",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\\/evil.example",
    "//\t/evil",
    "/\t/evil.example",
    " //evil.example",
    "\t//evil.example",
    "\n//evil.example",
    "\r\n//evil.example",
    "\x00//evil.example",
    "/shops\r\nSet-Cookie: pwned=1",
    "evil.example",
    "@evil.example",
    "shops/1",
    "/" + "a" * 2001,
]
# The same, the way they arrive once the query string has been decoded by the server.
RAW_QUERY_ATTACKS = [
    "next=/%5cevil.example",
    "next=/%5Cevil.example",
    "next=//%09/evil.example",
    "next=%2F%2Fevil.example",
    "next=%20//evil.example",
    "next=%0a//evil.example",
    "next=https:%2F%2Fevil.example",
    "next=/%09/evil.example",
]
LOCAL_TARGETS = [
    "/",
    "/categories?x=1",
    "/shops/12-boulangerie-du-marche",
    "/shops/12#tips",
    "/towns/arlon-be?sort=top&page=2",
]


def is_path_on_this_site(location: str) -> bool:
    """What a browser would resolve against this site's origin, never another host."""
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and not any(ord(c) < 32 or ord(c) == 127 for c in location)
        and not parts.scheme
        and not parts.netloc
    )


def login_with_next(browser, email: str, query: str):
    return browser.post(f"/login?{query}", {"email": email, "password": PASSWORD})


# --- safe_next ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_safe_next_refuses_anything_that_could_leave_the_site(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", [None, ""])
def test_safe_next_gives_nothing_for_no_target(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", LOCAL_TARGETS)
def test_safe_next_keeps_a_local_path_with_its_query_and_fragment(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ["/%5cevil.example", "/%2f%2fevil.example", "/%09/evil"])
def test_safe_next_keeps_percent_escapes_as_a_path_of_this_site(target):
    """Encoded slashes and backslashes stay inside the path: browsers do not decode them."""
    result = safe_next(target)
    assert result is None or is_path_on_this_site(result)


# --- login?next= -------------------------------------------------------------------------------


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_login_never_follows_next_off_the_site(browser, member, target):
    response = login_with_next(browser, member.email, urlencode({"next": target}))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("query", RAW_QUERY_ATTACKS)
def test_login_never_follows_an_encoded_next_off_the_site(browser, member, query):
    response = login_with_next(browser, member.email, query)
    assert response.status_code == 302
    assert is_path_on_this_site(response.headers["Location"])
    assert "evil.example" not in urlsplit(response.headers["Location"]).netloc


@pytest.mark.parametrize("target", LOCAL_TARGETS)
def test_login_follows_a_local_next(browser, member, target):
    response = login_with_next(browser, member.email, urlencode({"next": target}))
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_login_keeps_the_query_of_a_local_next(browser, member):
    response = login_with_next(browser, member.email, urlencode({"next": "/categories?x=1"}))
    assert urlsplit(response.headers["Location"]).query == "x=1"


def test_a_failed_login_does_not_redirect_anywhere(browser, member):
    response = browser.post(
        "/login?" + urlencode({"next": "//evil.example"}),
        {"email": member.email, "password": "mauvais mot de passe"},
    )
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_register_never_follows_next_off_the_site(browser, target):
    response = browser.post(
        "/register?" + urlencode({"next": target}),
        {
            "email": "nouvelle@example.org",
            "display_name": "Nouvelle",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"  # the foreign next is dropped


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_language_switch_never_follows_next_off_the_site(browser, target):
    response = browser.get("/lang/nl?" + urlencode({"next": target}))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_follows_a_local_next(browser):
    response = browser.get("/lang/nl?" + urlencode({"next": "/categories?x=1"}))
    assert response.headers["Location"] == "/categories?x=1"


def test_anonymous_get_of_a_member_page_comes_back_after_login(browser, member):
    response = browser.get("/shops/new")
    location = response.headers["Location"]
    assert urlsplit(location).path == "/login"
    assert parse_qs(urlsplit(location).query)["next"] == ["/shops/new"]
    after_login = browser.post(location, {"email": member.email, "password": PASSWORD})
    assert after_login.headers["Location"] == "/shops/new"


# --- An anonymous vote -------------------------------------------------------------------------


def vote_state(app, shop_id: int) -> tuple[int, int]:
    with app.app_context():
        count = db.session.scalar(select(Shop.vote_count).where(Shop.id == shop_id))
        rows = db.session.scalar(
            select(func.count()).select_from(Vote).where(Vote.shop_id == shop_id)
        )
        return count, rows


def shop_path(shop) -> str:
    return f"/shops/{shop.id}-{shop.slug}"


def test_anonymous_vote_is_sent_to_login_with_the_shop_as_next(browser, shop_in_arlon):
    response = browser.post(f"/shops/{shop_in_arlon.id}/vote", {"next": shop_path(shop_in_arlon)})
    location = urlsplit(response.headers["Location"])
    assert response.status_code == 302
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [shop_path(shop_in_arlon)]


def test_anonymous_vote_counts_nothing(app, browser, shop_in_arlon):
    browser.post(f"/shops/{shop_in_arlon.id}/vote", {"next": shop_path(shop_in_arlon)})
    assert vote_state(app, shop_in_arlon.id) == (0, 0)


def test_after_an_anonymous_vote_login_lands_back_on_the_shop(
    app, browser, other_member, shop_in_arlon
):
    voted = browser.post(f"/shops/{shop_in_arlon.id}/vote", {"next": shop_path(shop_in_arlon)})
    logged_in = browser.post(
        voted.headers["Location"], {"email": other_member.email, "password": PASSWORD}
    )
    assert logged_in.status_code == 302
    assert logged_in.headers["Location"] == shop_path(shop_in_arlon)
    page = browser.get(logged_in.headers["Location"]).get_data(as_text=True)
    assert "Je recommande" in page  # the member still has to press the button themselves
    assert vote_state(app, shop_in_arlon.id) == (0, 0)


def test_anonymous_vote_with_a_hostile_next_is_sent_to_login_without_it(browser, shop_in_arlon):
    response = browser.post(f"/shops/{shop_in_arlon.id}/vote", {"next": "//evil.example"})
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/"]


def test_member_vote_with_a_hostile_next_goes_back_to_the_shop(
    browser, other_member, shop_in_arlon
):
    browser.login(other_member.email)
    response = browser.post(f"/shops/{shop_in_arlon.id}/vote", {"next": "https://evil.example"})
    assert response.headers["Location"] == f"/shops/{shop_in_arlon.id}"
