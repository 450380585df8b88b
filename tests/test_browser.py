"""A member's first visit, in a real browser: register, post, vote, leave a tip, search.

Runs Debian's chromium through Playwright against the app served on a loopback port.
"""

import re

import pytest

from directory.accounts.models import User
from directory.extensions import db
from directory.search.bridge import reindex
from directory.shops.services import create_shop
from tests.browser import CHROMIUM, CHROMIUM_ARGS, log_in, make_member, playwright, screenshot
from tests.conftest import PASSWORD, shop_input

pytestmark = pytest.mark.browser


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


def test_new_member_registers_posts_votes_tips_and_finds_the_shop(
    live_app, live_url, page, mailbox
):
    # A community where first posts publish at once; the review queue has its own journey.
    live_app.config["NEW_MEMBER_REVIEW_POSTS"] = 0
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

    page.click("header .account-menu summary")  # the account menu folds
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
    assert "\u00a0km" in page.inner_text(".results")  # a number and its unit, never split


def test_a_member_confirms_resets_the_password_changes_email_and_leaves(live_url, page, mailbox):
    """The account lifecycle end to end, every link taken from the mail the member received."""
    first, second = "grenouille bleue au marché", "hibou jaune sur le clocher"
    register_in(page, live_url, "lea@example.org", "Léa", first)
    screenshot(page, "01-registered")
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
    screenshot(page, "02-new-password")
    page.click("main button[type=submit]")
    assert "mot de passe est changé" in page.inner_text(".flash")

    page.click("header .account-menu summary")  # the account menu folds
    page.click("header a:has-text('Réglages')")
    page.fill("#new_email-email", "lea@nouvelle.example")
    page.fill("#new_email-current_password", second)
    page.click('button:has-text("Changer d\'adresse")')
    assert "lea@nouvelle.example" in page.inner_text(".flash")
    screenshot(page, "03-settings")
    follow_mailed_link(page, live_url, mailbox, "lea@nouvelle.example", "Confirmer mon adresse")
    assert "lea@nouvelle.example" in page.inner_text("main")  # the settings show the new one
    assert "a changé" in mailbox.last("lea@example.org")["Subject"]

    page.fill("#delete-current_password", second)
    page.check("#delete-understood")
    page.click("button:has-text('Supprimer définitivement mon compte')")
    assert "compte est supprimé" in page.inner_text(".flash")
    screenshot(page, "04-deleted")
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
    author_id = make_member(live_app, "csp@example.org", "Céline", approved_posts=1)
    with live_app.app_context():
        create_shop(db.session.get(User, author_id), shop_input())
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


@pytest.fixture
def new_page():
    """Factory: a fresh page in its own browser context, so each person has their own session."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(width: int = 390):
            context = browser.new_context(viewport={"width": width, "height": 844}, locale="fr-BE")
            return context.new_page()

        yield open_page
        browser.close()


def test_moderators_handle_flags_duplicates_and_a_spammer(live_app, live_url, new_page, mailbox):
    """Flag from one account, handle the queue from another, merge two real duplicates, ban a
    spammer and read the public log in the three languages."""
    from flask_babel import force_locale

    from directory.moderation.models import ACTION_LABELS, Action

    make_member(live_app, "alice@example.org", "Alice", approved_posts=1)
    make_member(live_app, "spam@example.org", "Promo Pascher", approved_posts=1)
    make_member(live_app, "zoe@example.org", "Zoé")
    make_member(live_app, "bruno@example.org", "Bruno", approved_posts=1)
    make_member(live_app, "modo@example.org", "Modo", role="moderator")
    with live_app.app_context():
        alice = db.session.scalar(db.select(User).where(User.display_name == "Alice"))
        spammer = db.session.scalar(db.select(User).where(User.display_name == "Promo Pascher"))
        kept = create_shop(
            alice,
            shop_input(
                name="Les Péchés Mignons du Goethe",
                address="Rue des Capucins 10",
                category="boulangerie",
            ),
        )
        spam = create_shop(spammer, shop_input(name="MEGA PROMO montres", category="bijouterie"))
        db.session.commit()
        kept_id, spam_id = kept.id, spam.id
        reindex(live_app)

    # A new member re-posts the same shop: she is shown the listing that already exists.
    zoe = new_page()
    log_in(zoe, live_url, "zoe@example.org", PASSWORD)
    zoe.goto(live_url + "/shops/new")
    zoe.fill("#name", "Les péchés mignons du Goethe")
    zoe.select_option("#category_id", label="Boulangerie & pâtisserie")
    zoe.fill("#address", "Rue des Capucins 10")
    zoe.fill("#postcode", "6700")
    zoe.fill("#town", "Arlon")
    zoe.click("main button[type=submit]")
    assert "Recommander celle-ci plutôt" in zoe.inner_text(".duplicates")
    assert zoe.input_value("#name") == "Les péchés mignons du Goethe"
    screenshot(zoe, "10-duplicate-warning")
    zoe.check("#confirm_not_duplicate")
    zoe.click("main button[type=submit]")
    assert "un modérateur la relit" in zoe.inner_text(".flash")
    assert "en attente de modération" in zoe.inner_text("main")
    duplicate_url = zoe.url
    duplicate_id = int(re.search(r"/shops/(\d+)", duplicate_url).group(1))

    # Another member flags the spam.
    bruno = new_page()
    log_in(bruno, live_url, "bruno@example.org", PASSWORD)
    bruno.goto(f"{live_url}/shops/{spam_id}")
    bruno.click("text=Signaler un problème")
    bruno.check("input[value=spam]")
    bruno.fill("#note", "Publicité pour des montres, pas un commerce local.")
    screenshot(bruno, "11-flag")
    bruno.click("main button[type=submit]")
    assert "la modération va examiner" in bruno.inner_text(".flash")

    # The moderator's queue: the probable duplicate and the flagged spam.
    modo = new_page(1280)
    log_in(modo, live_url, "modo@example.org", PASSWORD)
    modo.click("header .account-menu summary")  # the account menu folds
    modo.click("header a:has-text('Modération')")
    queue = modo.inner_text(".review-queue")
    assert "Doublon probable" in queue and "MEGA PROMO montres" in queue
    screenshot(modo, "12-queue")
    modo.click(f"a[href='/moderation/shops/{duplicate_id}']")
    assert "Les Péchés Mignons du Goethe" in modo.inner_text(".side-by-side")
    assert modo.input_value("#merge-into") == str(kept_id)
    screenshot(modo, "13-side-by-side")
    modo.click('button:has-text("Fusionner dans l\'adresse gardée")')
    assert "Doublons fusionnés" in modo.inner_text(".flash")
    zoe.goto(duplicate_url)
    assert re.search(rf"/shops/{kept_id}-", zoe.url)  # the old URL leads to the kept shop

    # The spam: a look at its author's record, then a ban.
    modo.goto(f"{live_url}/moderation/shops/{spam_id}")
    assert "retenus : 0 · rejetés : 0 · ouverts : 1" in modo.inner_text(".flag")
    modo.click("a:has-text('Promo Pascher')")
    modo.fill("#ban-reason", "Publicité en série")
    screenshot(modo, "14-member")
    modo.click("button:has-text('Suspendre ou bannir')")
    assert "Compte suspendu" in modo.inner_text(".flash")
    modo.goto(f"{live_url}/moderation/shops/{spam_id}")
    modo.fill("#hide-reason", "Publicité")
    modo.click("button:has-text('Masquer')")
    assert "Rien à examiner" in modo.inner_text("main")

    # Everyone reads the public log, in the three languages.
    visitor = new_page()
    for lang in ("fr", "nl", "en"):
        visitor.goto(f"{live_url}/moderation/log?lang={lang}")
        text = visitor.inner_text("main")
        for action in (Action.MERGE, Action.BAN, Action.HIDE):
            with live_app.test_request_context():
                with force_locale(lang):
                    label = str(ACTION_LABELS[action])
                with force_locale("fr"):
                    french = str(ACTION_LABELS[action])
            assert label in text, (lang, action)
            assert (lang == "fr") == (label == french), label  # really translated
        assert "Publicité en série" in text and "Les péchés mignons du Goethe" in text
        screenshot(visitor, f"15-log-{lang}")
