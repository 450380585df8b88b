"""A member's first visit, in a real browser: register, post, vote, leave a tip, search.

Runs Debian's chromium through Playwright against the app served on a loopback port.
"""

import re
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from directory.extensions import db
from tests.conftest import base_config

CHROMIUM = shutil.which("chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
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


@pytest.fixture
def live_url(sqlite_template, tmp_path):
    """The app on a copy of the seeded template database, served on a free loopback port."""
    path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", tmp_path))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


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

    page.click("button:has-text('Je recommande')")
    assert page.inner_text("#vote-count") == "▲ 1 vote"

    page.fill("#body", "Demandez le bouquet du jour.")
    page.click("button:has-text('Publier mon conseil')")
    assert "Demandez le bouquet du jour." in page.inner_text("#tips")

    page.goto(live_url + "/search?q=fleuristes&near=6700&radius_km=5")
    assert "Fleurs & Co" in page.inner_text(".results")
    assert " km" in page.inner_text(".results")
