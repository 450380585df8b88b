"""The account lifecycle as a member lives it, with the mails caught by the test SMTP server:
register and confirm, post once confirmed, reset a forgotten password, change the email."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app import create_app
from directory.accounts.models import User
from directory.extensions import db
from tests.conftest import PASSWORD, Browser, base_config, shop_input
from tests.smtp import _free_port
from tests.test_accounts import registration

NEW_PASSWORD = "girafe orange dans la baignoire"


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def follow(browser: Browser, link: str):
    """Open a mailed link, then press its button, as a member would."""
    assert browser.get(link).status_code == 200
    return browser.post(link)


def flash_text(response) -> str:
    """The flashed messages of a page."""
    return "\n".join(re.findall(r'<p class="flash[^>]*>(.*?)</p>', response.get_data(as_text=True)))


# Registering and confirming ----------------------------------------------------------------


def test_registering_mails_a_confirmation_link_and_does_not_log_in(app, browser, mailbox):
    response = browser.post("/register", registration())
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    user = user_by_email(app, "claire@example.org")
    assert user is not None and not user.is_confirmed
    assert user.password_hash.startswith("$argon2id$")
    message = mailbox.last("claire@example.org")
    assert "Confirmez votre adresse" in message["Subject"]
    assert "Bonjour Claire" in message.get_content()
    assert browser.get("/shops/new").status_code == 302  # not logged in


def test_the_confirmation_link_confirms_on_its_button_but_never_logs_in(app, browser, mailbox):
    browser.post("/register", registration())
    link = mailbox.link("claire@example.org")
    page = browser.get(link)
    assert page.status_code == 200 and "Confirmer mon adresse" in page.get_data(as_text=True)
    assert not user_by_email(app, "claire@example.org").is_confirmed  # opening it is not enough
    response = browser.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert user_by_email(app, "claire@example.org").is_confirmed
    assert browser.get("/shops/new").status_code == 302  # a link is not a login
    assert browser.login("claire@example.org").status_code == 302
    assert browser.get("/shops/new").status_code == 200


def test_a_confirmation_link_works_once(app, browser, mailbox):
    """Review of issue 6: a used link confirmed (and logged in) again for 48 hours."""
    browser.post("/register", registration())
    link = mailbox.link("claire@example.org")
    follow(browser, link)
    again = Browser(app.test_client()).post(link)
    assert again.status_code == 400 and "plus valable" in again.get_data(as_text=True)


def test_a_password_reset_kills_a_pending_email_change(app, browser, member, mailbox):
    """Review of issue 6: someone who knew the password asked to move the account to their
    address; the owner's reset must make that link useless."""
    browser.login(member.email)
    browser.post(
        "/settings/email",
        {"new_email-email": "intrus@example.net", "new_email-current_password": PASSWORD},
    )
    stolen = mailbox.link("intrus@example.net")
    owner = Browser(app.test_client())
    owner.post("/forgot-password", {"email": member.email})
    owner.post(mailbox.link(member.email), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert Browser(app.test_client()).post(stolen).status_code == 400
    assert user_by_email(app, member.email).id == member.id


def test_a_signed_token_with_an_absurd_account_id_is_a_bad_link(app, browser):
    from directory.accounts.tokens import Purpose, make_token

    for uid in (2**70, -1, True, "1", None):
        with app.test_request_context():
            confirm = make_token(Purpose.CONFIRM_EMAIL, {"uid": uid, "email": "a@b.c"})
            reset = make_token(Purpose.RESET_PASSWORD, {"uid": uid})
        assert browser.get(f"/confirm-email/{confirm}").status_code == 400
        assert browser.get(f"/reset-password/{reset}").status_code == 400


def test_a_tampered_or_expired_confirmation_link_is_refused(app, browser, mailbox):
    browser.post("/register", registration())
    link = mailbox.link("claire@example.org")
    tampered = browser.get(link[:-3] + "abc")
    assert tampered.status_code == 400
    assert "plus valable" in tampered.get_data(as_text=True)
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    assert browser.get(link).status_code == 400
    assert browser.post(link).status_code == 400
    assert not user_by_email(app, "claire@example.org").is_confirmed


def test_register_answers_the_same_whether_the_email_has_an_account(app, browser, mailbox):
    """Issue 6, defect 8: /register told who had an account ("Un compte existe déjà")."""
    first = browser.post("/register", registration(), follow_redirects=True)
    again = Browser(app.test_client()).post(
        "/register", registration(display_name="Autre Claire"), follow_redirects=True
    )
    assert first.status_code == again.status_code == 200
    assert flash_text(first) == flash_text(again)
    assert "existe déjà" not in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1
        assert db.session.scalar(select(User.id).where(User.display_name == "Autre Claire")) is None
    confirmation, notice = mailbox.messages("claire@example.org")
    assert "Confirmez" in confirmation["Subject"]
    assert "déjà un compte" in notice["Subject"]
    assert "/forgot-password" in notice.get_content()


def test_a_taken_display_name_is_still_refused_with_the_input_kept(browser, member):
    response = browser.post("/register", registration(display_name="alice"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ce nom est déjà pris" in page and 'value="Claire@Example.org"' in page


@pytest.mark.parametrize(
    "name", ["Ancien membre", "ANCIEN\u200b MEMBRE", "Former member", "deleted-7", "Deleted-12"]
)
def test_the_name_shown_for_deleted_accounts_cannot_be_registered(browser, name):
    response = browser.post("/register", registration(display_name=name))
    assert response.status_code == 400
    assert "Ce nom est réservé" in response.get_data(as_text=True)


def test_a_mail_server_that_is_down_does_not_break_registration(database_url, tmp_path):
    config = base_config(database_url, tmp_path) | {"MAIL_PORT": _free_port()}
    app = create_app(config)
    with app.app_context():
        from search_index import SearchIndex

        SearchIndex.rebuild(app.config["SEARCH_INDEX_DIR"], []).close()
    response = Browser(app.test_client()).post("/register", registration())
    assert response.status_code == 302
    assert user_by_email(app, "claire@example.org") is not None
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# Posting waits for the confirmation --------------------------------------------------------


def test_an_unconfirmed_member_can_vote_but_not_post(app, browser, make_user, mailbox):
    author = make_user("Auteur")
    with app.app_context():
        from directory.shops.services import create_shop

        shop = create_shop(db.session.get(User, author.id), shop_input())
        db.session.commit()
        shop_id = shop.id
    newcomer = make_user("Nouvelle", confirmed=False)
    browser.login(newcomer.email)
    page = browser.get("/").get_data(as_text=True)
    assert "Confirmez votre adresse e-mail pour pouvoir publier" in page
    assert browser.post(f"/shops/{shop_id}/vote").status_code == 302
    refused = browser.post(f"/shops/{shop_id}/tips", {"body": "Le pain du dimanche !"})
    assert refused.status_code == 400
    assert "abord votre adresse e-mail" in refused.get_data(as_text=True)
    resent = browser.post("/confirm-email")
    assert resent.status_code == 302
    assert "Confirmez" in mailbox.last(newcomer.email)["Subject"]
    follow(browser, mailbox.link(newcomer.email))
    accepted = browser.post(f"/shops/{shop_id}/tips", {"body": "Le pain du dimanche !"})
    assert accepted.status_code == 302


def test_require_email_confirmation_off_lets_unconfirmed_members_post(app, browser, make_user):
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = False
    author = make_user("Auteur")
    with app.app_context():
        from directory.shops.services import create_shop

        shop = create_shop(db.session.get(User, author.id), shop_input())
        db.session.commit()
        shop_id = shop.id
    browser.login(make_user("Nouvelle", confirmed=False).email)
    assert "pour pouvoir publier" not in browser.get("/").get_data(as_text=True)
    assert browser.post(f"/shops/{shop_id}/tips", {"body": "Bon pain"}).status_code == 302


def test_the_unconfirmed_predicate_is_checked_in_the_service(ctx, make_user):
    from directory.errors import PermissionDenied
    from directory.shops.services import create_shop

    member = db.session.get(User, make_user("Nouvelle", confirmed=False).id)
    with pytest.raises(PermissionDenied, match="Confirmez"):
        create_shop(member, shop_input())


# Forgotten password ------------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_unknown_emails(browser, member, mailbox):
    known = browser.post("/forgot-password", {"email": member.email}, follow_redirects=True)
    unknown = browser.post(
        "/forgot-password", {"email": "nobody@example.org"}, follow_redirects=True
    )
    assert known.status_code == unknown.status_code == 200
    assert flash_text(known).replace(member.email, "X") == flash_text(unknown).replace(
        "nobody@example.org", "X"
    )
    # One mail either way, so the timing does not tell either: the unknown address is told
    # it has no account (maybe its owner registered with another one).
    assert "/register" in mailbox.last("nobody@example.org").get_content()
    assert "/reset-password/" not in mailbox.last("nobody@example.org").get_content()
    assert "/reset-password/" in mailbox.last(member.email).get_content()


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(app, member, mailbox):
    elsewhere = Browser(app.test_client())
    elsewhere.login(member.email)
    assert elsewhere.get("/settings").status_code == 200
    browser = Browser(app.test_client())
    browser.post("/forgot-password", {"email": member.email})
    link = mailbox.link(member.email)
    weak = browser.post(link, {"password": "azerty", "confirm": "azerty"})
    assert weak.status_code == 400  # the link still works after a refused password
    response = browser.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert browser.get("/settings").status_code == 200  # logged in by the reset
    assert elsewhere.get("/settings").status_code == 302  # the other session ended
    again = Browser(app.test_client())
    assert again.login(member.email).status_code == 400  # the old password
    assert again.login(member.email, NEW_PASSWORD).status_code == 302
    used = Browser(app.test_client()).get(link)
    assert used.status_code == 400 and "plus valable" in used.get_data(as_text=True)


def test_mailed_links_are_built_on_public_url_not_the_host_header(app, browser, member, mailbox):
    app.config["PUBLIC_URL"] = "https://bonnes-adresses.example"
    browser.client.environ_base["HTTP_HOST"] = "attacker.example"
    assert browser.post("/forgot-password", {"email": member.email}).status_code == 302
    body = mailbox.last(member.email).get_content()
    assert "https://bonnes-adresses.example/reset-password/" in body
    assert "attacker.example" not in body


# Changing the email ------------------------------------------------------------------------


def test_changing_the_email_waits_for_the_new_address_to_confirm(app, browser, member, mailbox):
    browser.login(member.email)
    wrong = browser.post(
        "/settings/email",
        {"new_email-email": "alice@nouveau.example", "new_email-current_password": "non"},
    )
    assert wrong.status_code == 400
    assert 'value="alice@nouveau.example"' in wrong.get_data(as_text=True)
    assert mailbox.messages("alice@nouveau.example") == []
    asked = browser.post(
        "/settings/email",
        {"new_email-email": "Alice@Nouveau.example", "new_email-current_password": PASSWORD},
    )
    assert asked.status_code == 302
    assert user_by_email(app, member.email) is not None  # unchanged until confirmed
    elsewhere = Browser(app.test_client())
    elsewhere.login(member.email)
    follow(browser, mailbox.link("alice@nouveau.example"))
    assert user_by_email(app, "alice@nouveau.example").id == member.id
    assert browser.get("/settings").status_code == 200  # this session goes on
    assert elsewhere.get("/settings").status_code == 302  # the others end with the old address
    assert "a changé" in mailbox.last(member.email)["Subject"]  # the old address is told
    fresh = Browser(app.test_client())
    assert fresh.login(member.email).status_code == 400
    assert fresh.login("alice@nouveau.example").status_code == 302


def test_changing_to_a_taken_email_tells_nothing_and_mails_its_owner(
    app, browser, member, other_member, mailbox
):
    browser.login(member.email)
    response = browser.post(
        "/settings/email",
        {"new_email-email": other_member.email, "new_email-current_password": PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert other_member.email in flash_text(response)
    assert "déjà un compte" in mailbox.last(other_member.email)["Subject"]
    assert user_by_email(app, member.email).id == member.id


def test_mails_are_written_in_the_members_language(app, browser, mailbox):
    browser.get("/?lang=nl")
    browser.post("/register", registration())
    assert user_by_email(app, "claire@example.org").language == "nl"
    with app.test_request_context(), force_locale("nl_BE"):
        subject = gettext("Confirmez votre adresse e-mail")
    assert subject != "Confirmez votre adresse e-mail"  # the Dutch catalogue has it
    assert subject in mailbox.last("claire@example.org")["Subject"]
