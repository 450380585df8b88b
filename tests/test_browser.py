"""A member's first visit, in a real browser: register, post, vote, leave a tip, search.

Runs Debian's chromium through Playwright against the app served on a loopback port.
"""

import re
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from directory.accounts.services import register
from directory.extensions import db
from directory.search.bridge import reindex
from directory.shops.services import create_shop
from tests.ci import missing
from tests.conftest import PASSWORD, base_config, shop_input

CHROMIUM = shutil.which("chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def chromium():
    """Debian's chromium, which `.ci/run` installs: without it these tests skip, or fail in CI."""
    if CHROMIUM is None:
        missing("Debian's chromium is not installed")
    return CHROMIUM


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    """The app on a copy of the seeded template database, with its (empty) search index."""
    path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        reindex(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_url(live_app):
    """``live_app`` served on a free loopback port."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A French-speaking visitor: chromium would otherwise ask for en-US, and get English.
        yield browser.new_page(viewport={"width": 390, "height": 844}, locale="fr-BE")
        browser.close()


def test_new_member_registers_posts_votes_tips_and_finds_the_shop(live_url, page):
    page.goto(live_url + "/register")
    page.fill("#email", "nadia@example.org")
    page.fill("#display_name", "Nadia")
    page.fill("#password", "grenouille bleue au marché")
    page.fill("#confirm", "grenouille bleue au marché")
    page.click("main button[type=submit]")
    assert "Bienvenue, Nadia" in page.inner_text(".flash")

    page.goto(live_url + "/shops/new")
    page.fill("#name", "Fleurs & Co")
    page.select_option("#category_id", label="Fleuriste")
    page.fill("#postcode", "6700")
    page.fill("#town", "Arlom")
    page.fill("#description", "Bouquets de saison.")
    page.click("main button[type=submit]")
    assert "Vouliez-vous dire : Arlon" in page.inner_text("#town-error")
    assert page.input_value("#name") == "Fleurs & Co"  # nothing typed is lost

    page.fill("#town", "Arlon")
    page.click("main button[type=submit]")
    assert re.search(r"/shops/\d+-fleurs-co$", page.url)

    shop_url = page.url
    assert page.locator("button:has-text('Je recommande')").count() == 0  # not for one's own
    assert "les votes viennent des autres membres" in page.inner_text("main")

    page.fill("#body", "Demandez le bouquet du jour.")
    page.click("button:has-text('Publier mon conseil')")
    assert "Demandez le bouquet du jour." in page.inner_text("#tips")

    page.click("header button:has-text('Déconnexion')")
    page.goto(live_url + "/register")
    page.fill("#email", "omar@example.org")
    page.fill("#display_name", "Omar")
    page.fill("#password", "tortue rousse du marché couvert")
    page.fill("#confirm", "tortue rousse du marché couvert")
    page.click("main button[type=submit]")
    page.goto(shop_url)
    page.click("button:has-text('Je recommande')")
    assert page.inner_text("#vote-count") == "▲ 1 vote"

    page.goto(live_url + "/search?q=fleuristes&near=6700&radius_km=5")
    assert "Fleurs & Co" in page.inner_text(".results")
    assert " km" in page.inner_text(".results")


@pytest.fixture
def watched_page():
    """A page whose console messages are kept, with the visitor's position shared (Arlon)."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="fr-BE",
            permissions=["geolocation"],
            geolocation={"latitude": 49.68333, "longitude": 5.81667},
        )
        page = context.new_page()
        page.console_messages_seen = []
        page.on("console", lambda message: page.console_messages_seen.append(message.text))
        yield page
        browser.close()


def csp_violations(page) -> list[str]:
    return [text for text in page.console_messages_seen if "Content Security Policy" in text]


def test_pages_break_no_content_security_policy_rule(live_app, live_url, watched_page):
    """Home, search (with "Ma position") and a shop page load their styles and script under the
    policy: chromium reports every refused resource on the console."""
    with live_app.app_context():
        author = register("csp@example.org", "Céline", PASSWORD, time_cost=1, memory_cost=1024)
        create_shop(author, shop_input())
        db.session.commit()
        reindex(live_app)
    page = watched_page
    page.goto(live_url + "/")
    assert page.evaluate("getComputedStyle(document.body).fontFamily")  # Pico is applied
    page.goto(live_url + "/search?q=boulangerie")
    page.click("#use-my-position")  # the script ran: the button is shown, and it works
    page.wait_for_function("document.getElementById('near').value !== ''")
    assert page.input_value("#near") == "49.68333,5.81667"
    page.click(".results a[href^='/shops/']")
    page.wait_for_url(re.compile(r"/shops/\d+"))
    assert csp_violations(page) == []


def test_the_policy_check_sees_a_violation(live_url, watched_page):
    """Control for the test above: an inline script on our page is reported."""
    page = watched_page
    page.goto(live_url + "/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.append(s); }"
    )
    page.wait_for_function("() => true")
    assert page.evaluate("window.ran === undefined")
    assert csp_violations(page)
