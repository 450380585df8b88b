"""Key pages in the three languages, on a phone, checked by axe-core (WCAG 2.1 A and AA).

`SCREENSHOTS=dir make test` keeps a screenshot of every page in every language (artifacts to
look at: what a shop owner in Arlon or Limoges would see).
"""

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.shops.models import Shop, ShopStatus
from tests.browser import axe_violations, make_member, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LANGUAGES = ("fr", "nl", "en")
# The visitor's pages first, then the member's.
PUBLIC_PAGES = {
    "home": "/",
    "search": "/search?q=boulangerie&near=Arlon",
    "search-empty": "/search?q=livres&town=Limoges",
    "search-error": "/search?near=Atlantide",
    "categories": "/categories",
    "about": "/about",
    "log": "/moderation/log",
    "login": "/login",
    "register": "/register",
}
MEMBER_PAGES = {"post": "/shops/new", "settings": "/settings"}
LIVE_ORIGIN_PREFIX = "http://127.0.0.1:"


@pytest.fixture
def shop_path(demo_app) -> str:
    """A seeded shop with tips and votes, as the demo shows it."""
    with demo_app.app_context():
        shop = db.session.scalars(
            select(Shop).where(Shop.status == ShopStatus.VISIBLE.value).order_by(Shop.id)
        ).first()
        return f"/shops/{shop.id}-{shop.slug}"


def block_tiles(page) -> None:
    """No tile server here (and none wanted in tests): the pages must work without one."""
    page.route("**/*", _abort_tiles)


def _abort_tiles(route) -> None:
    if route.request.url.startswith(LIVE_ORIGIN_PREFIX):
        route.continue_()
    else:
        route.abort()


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_pages_have_no_wcag_violations(demo_app, demo_url, page, shop_path, language):
    block_tiles(page)
    page.goto(f"{demo_url}/lang/{language}")
    found = {}
    for name, path in {**PUBLIC_PAGES, "shop": shop_path}.items():
        page.goto(demo_url + path)
        assert page.evaluate("document.documentElement.lang") == language, name
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        screenshot(page, f"a11y-{language}-{name}")
        if violations := axe_violations(page):
            found[name] = violations
    make_member(demo_app, f"axe-{language}@example.org", f"Axe {language}")
    page.goto(f"{demo_url}/login")
    page.fill("#email", f"axe-{language}@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("header .account-menu")
    for name, path in MEMBER_PAGES.items():
        page.goto(demo_url + path)
        screenshot(page, f"a11y-{language}-{name}")
        if violations := axe_violations(page):
            found[name] = violations
    assert found == {}


def test_the_check_sees_a_violation(live_url, page):
    """Control for the test above: an image without alternative text and a field without a
    label are reported."""
    page.goto(live_url + "/about")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/favicon.svg"><input type="text">\')'
    )
    assert {"image-alt", "label"} <= {v["id"] for v in axe_violations(page)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_the_first_results_show_without_scrolling(demo_url, page, language):
    block_tiles(page)
    page.goto(f"{demo_url}/lang/{language}")
    page.goto(demo_url + "/search?q=boulangerie&near=Arlon")
    first = page.locator(".results .shop-card").first.bounding_box()
    assert first["y"] + 80 <= 844  # its name, category and distance are on the first screen
    header = page.locator("body > header").bounding_box()
    assert header["height"] <= 100  # the menu fits in two short lines
    # The filters wait in a folded panel; opening it shows them.
    assert not page.is_visible("select[name=category]")
    page.click(".search-filters summary")
    assert page.is_visible("select[name=category]")


def test_an_error_puts_the_focus_on_its_field_and_is_announced(live_url, page):
    page.goto(live_url + "/search?near=Atlantide")
    assert page.evaluate("document.activeElement.id") == "near"
    described = page.get_attribute("#near", "aria-describedby")
    message = page.inner_text(f"#{described}")
    assert "Atlantide" in message
    assert page.get_attribute(f"#{described}", "role") == "alert"
