"""A member's first visit, in a real browser: register, post, vote, leave a tip, search.

Runs Debian's chromium through Playwright against the app served on a loopback port.
"""

import os
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
from directory.timeutil import utcnow
from tests.ci import missing
from tests.conftest import PASSWORD, base_config, shop_input

CHROMIUM = shutil.which("chromium")
# `SCREENSHOTS=dir make test` keeps what the member saw at each step, to look at.
SCREENSHOTS = os.environ.get("SCREENSHOTS")
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


def register_in(page, live_url: str, email: str, name: str, password: str) -> None:
    """Fill in the registration form as a visitor does."""
    page.goto(live_url + "/register")
    page.fill("#email", email)
    page.fill("#display_name", name)
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("main button[type=submit]")
    assert f"envoyé un e-mail à {email}" in page.inner_text(".flash")


def follow_mailed_link(page, live_url: str, mailbox, email: str, button: str) -> None:
    """Open the newest link mailed to ``email`` and press its button."""
    page.goto(live_url + mailbox.link(email))
    page.click(f"main button:has-text('{button}')")


def log_in(page, live_url: str, email: str, password: str) -> None:
    page.goto(live_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    assert "Vous êtes connecté" in page.inner_text("main")


def test_new_member_registers_posts_votes_tips_and_finds_the_shop(live_url, page, mailbox):
    register_in(page, live_url, "nadia@example.org", "Nadia", "grenouille bleue au marché")
    follow_mailed_link(page, live_url, mailbox, "nadia@example.org", "Confirmer mon adresse")
    assert "adresse e-mail est confirmée" in page.inner_text(".flash")
    log_in(page, live_url, "nadia@example.org", "grenouille bleue au marché")

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
    # A second member votes before even confirming their address: voting does not wait.
    register_in(page, live_url, "omar@example.org", "Omar", "tortue rousse du marché couvert")
    log_in(page, live_url, "omar@example.org", "tortue rousse du marché couvert")
    assert "pour pouvoir publier" in page.inner_text("main")
    page.goto(shop_url)
    page.click("button:has-text('Je recommande')")
    assert page.inner_text("#vote-count") == "▲ 1 vote"

    page.goto(live_url + "/search?q=fleuristes&near=6700&radius_km=5")
    assert "Fleurs & Co" in page.inner_text(".results")
    assert " km" in page.inner_text(".results")


def snapshot(page, name: str) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_member_confirms_resets_the_password_changes_email_and_leaves(live_url, page, mailbox):
    """The account lifecycle end to end, every link taken from the mail the member received."""
    first, second = "grenouille bleue au marché", "hibou jaune sur le clocher"
    register_in(page, live_url, "lea@example.org", "Léa", first)
    snapshot(page, "01-registered")
    follow_mailed_link(page, live_url, mailbox, "lea@example.org", "Confirmer mon adresse")
    assert "connectez-vous" in page.inner_text(".flash")

    page.goto(live_url + "/login")
    page.click("text=Mot de passe oublié ?")
    page.fill("#email", "lea@example.org")
    page.click("main button[type=submit]")
    assert "Si un compte existe pour lea@example.org" in page.inner_text(".flash")
    page.goto(live_url + mailbox.link("lea@example.org"))
    page.fill("#password", second)
    page.fill("#confirm", second)
    snapshot(page, "02-new-password")
    page.click("main button[type=submit]")
    assert "mot de passe est changé" in page.inner_text(".flash")

    page.click("header a:has-text('Réglages')")
    page.fill("#new_email-email", "lea@nouvelle.example")
    page.fill("#new_email-current_password", second)
    page.click('button:has-text("Changer d\'adresse")')
    assert "lea@nouvelle.example" in page.inner_text(".flash")
    snapshot(page, "03-settings")
    follow_mailed_link(page, live_url, mailbox, "lea@nouvelle.example", "Confirmer mon adresse")
    assert "lea@nouvelle.example" in page.inner_text("main")  # the settings show the new one
    assert "a changé" in mailbox.last("lea@example.org")["Subject"]

    page.fill("#delete-current_password", second)
    page.check("#delete-understood")
    page.click("button:has-text('Supprimer définitivement mon compte')")
    assert "compte est supprimé" in page.inner_text(".flash")
    snapshot(page, "04-deleted")
    page.goto(live_url + "/login")
    page.fill("#email", "lea@nouvelle.example")
    page.fill("#password", second)
    page.click("main button[type=submit]")
    assert "E-mail ou mot de passe incorrect" in page.inner_text("main")


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
        author.email_confirmed_at = utcnow()
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
