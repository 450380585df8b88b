"""The shop page's share/copy button and its contact links in a real browser, on a phone."""

from __future__ import annotations

import pytest

from directory.accounts.services import register
from directory.extensions import db
from directory.shops.services import create_shop
from directory.timeutil import utcnow
from tests.browser import CHROMIUM, CHROMIUM_ARGS, playwright, screenshot
from tests.conftest import PASSWORD, shop_input

pytestmark = pytest.mark.browser

# Taps smaller than this are easy to miss with a thumb (WCAG 2.5.5 asks for 44 CSS pixels).
TAP_TARGET_PX = 44
# Headless chromium on Linux has no share sheet; the copy test makes sure of it either way.
NO_WEB_SHARE = "Object.defineProperty(Navigator.prototype, 'share', {value: undefined});"
RECORDED_SHARE = """
window.sharedData = null;
Object.defineProperty(Navigator.prototype, 'share', {
  value: function (data) { window.sharedData = data; return Promise.resolve(); }
});
"""


@pytest.fixture
def shop_path(live_app) -> str:
    """A published shop with a phone number, posted by a trusted member."""
    with live_app.app_context():
        author = register("ines@example.org", "Inès", PASSWORD, time_cost=1, memory_cost=1024)
        author.email_confirmed_at = utcnow()
        author.approved_posts = 1
        shop = create_shop(author, shop_input(phone="063 22 33 44"))
        db.session.commit()
        return f"/shops/{shop.id}-{shop.slug}"


@pytest.fixture
def phone():
    """Factory: a 390×844 French-speaking page whose console messages are kept."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(init_script: str, permissions: list[str] | None = None):
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="fr-BE", permissions=permissions
            )
            context.add_init_script(init_script)
            page = context.new_page()
            page.console_messages_seen = []
            page.on("console", lambda message: page.console_messages_seen.append(message.text))
            return page

        yield open_page
        browser.close()


def csp_violations(page) -> list[str]:
    return [text for text in page.console_messages_seen if "Content Security Policy" in text]


def test_the_copy_button_copies_the_page_address_and_says_so(live_url, shop_path, phone):
    page = phone(NO_WEB_SHARE, permissions=["clipboard-read", "clipboard-write"])
    page.goto(live_url + shop_path)
    button = page.locator("#share-button")
    playwright.expect(button).to_have_text("Copier le lien")  # share.js ran: shown, labelled
    button.click()
    playwright.expect(page.locator("#share-status")).to_have_text("Lien copié")
    assert page.evaluate("navigator.clipboard.readText()") == live_url + shop_path
    screenshot(page, "shop-contact-copied")
    # The JSON-LD block and the script tag break no rule of the policy.
    assert page.locator("script[type='application/ld+json']").count() == 1
    assert csp_violations(page) == []


def test_the_share_button_uses_the_web_share_api_when_there_is_one(live_url, shop_path, phone):
    page = phone(RECORDED_SHARE)
    page.goto(live_url + shop_path)
    button = page.locator("#share-button")
    playwright.expect(button).to_have_text("Partager")
    button.click()
    playwright.expect(page.locator("#share-status")).to_have_text("Lien partagé")
    shared = page.evaluate("window.sharedData")
    assert shared == {"title": "Boulangerie du Marché", "url": live_url + shop_path}
    assert csp_violations(page) == []


def test_contact_links_are_big_enough_to_tap_on_a_phone(live_url, shop_path, phone):
    page = phone(NO_WEB_SHARE, permissions=["clipboard-write"])
    page.goto(live_url + shop_path)
    page.locator("#share-button").wait_for(state="visible")
    targets = page.locator(".contact-actions a, #share-button")
    assert targets.count() == 4  # directions, navigation app, phone, copy
    for index in range(targets.count()):
        box = targets.nth(index).bounding_box()
        assert box["height"] >= TAP_TARGET_PX, targets.nth(index).inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # nothing runs off the screen
    screenshot(page, "shop-contact-phone")
