"""Sessions and passwords: logout and bans revoke sessions server-side, login failures all look
alike, passwords are Argon2id hashes and weak ones are refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text, update

from directory.accounts.models import User
from directory.extensions import db
from tests.conftest import PASSWORD

SESSION_COOKIE = "session"
REMEMBER_COOKIE = "remember_token"


def is_anonymous(client) -> bool:
    """A member page sends anonymous visitors to the login page."""
    response = client.get("/shops/new")
    if response.status_code == 200:
        return False
    assert response.status_code == 302
    return response.headers["Location"].startswith("/login")


def client_with_cookie(app, name: str, value: str):
    """A brand-new browser holding only a copy of one cookie."""
    client = app.test_client()
    client.set_cookie(name, value)
    return client


def cookie_value(browser, name: str) -> str:
    cookie = browser.client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def ban(app, user_id: int) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(is_banned=True))
        db.session.commit()


def field_errors(page: str, field: str) -> list[str]:
    return re.findall(rf'<small class="field-error" id="{field}-error">([^<]*)</small>', page)


def all_messages(page: str) -> list[str]:
    """Field errors and flashed messages, in page order."""
    return re.findall(r'class="(?:field-error|flash[^"]*)"[^>]*>([^<]*)<', page)


# --- Logout ------------------------------------------------------------------------------------


def test_a_copied_session_cookie_works_while_logged_in(app, browser, member):
    """Control: the copy below is a working session until logout."""
    browser.login(member.email)
    copy = client_with_cookie(app, SESSION_COOKIE, cookie_value(browser, SESSION_COOKIE))
    assert not is_anonymous(copy)


def test_logout_revokes_a_copied_session_cookie(app, browser, member):
    browser.login(member.email)
    stolen = cookie_value(browser, SESSION_COOKIE)
    browser.logout()
    assert is_anonymous(client_with_cookie(app, SESSION_COOKIE, stolen))


def test_logout_leaves_the_browser_anonymous(browser, member):
    browser.login(member.email)
    browser.logout()
    assert is_anonymous(browser.client)


def test_a_remember_cookie_alone_restores_the_session(app, browser, member):
    """Control: the remember cookie really logs in a browser that has no session."""
    browser.login(member.email, remember=True)
    copy = client_with_cookie(app, REMEMBER_COOKIE, cookie_value(browser, REMEMBER_COOKIE))
    assert not is_anonymous(copy)


def test_logout_revokes_a_copied_remember_cookie(app, browser, member):
    browser.login(member.email, remember=True)
    stolen = cookie_value(browser, REMEMBER_COOKIE)
    browser.logout()
    assert is_anonymous(client_with_cookie(app, REMEMBER_COOKIE, stolen))


def test_logout_in_one_browser_ends_the_session_in_another(app, browser, member):
    browser.login(member.email)
    laptop = client_with_cookie(app, SESSION_COOKIE, cookie_value(browser, SESSION_COOKIE))
    browser.logout()
    assert is_anonymous(laptop)


def test_logging_in_again_after_logout_works(browser, member):
    browser.login(member.email)
    browser.logout()
    browser.login(member.email)
    assert not is_anonymous(browser.client)


# --- Bans --------------------------------------------------------------------------------------


def test_a_banned_members_open_session_stops_at_the_next_request(app, browser, member):
    browser.login(member.email)
    ban(app, member.id)
    assert is_anonymous(browser.client)


def test_a_banned_members_remember_cookie_stops_working(app, browser, member):
    browser.login(member.email, remember=True)
    remembered = cookie_value(browser, REMEMBER_COOKIE)
    ban(app, member.id)
    assert is_anonymous(client_with_cookie(app, REMEMBER_COOKIE, remembered))


def test_a_banned_members_profile_is_no_longer_public(app, browser, member):
    ban(app, member.id)
    assert browser.get(f"/users/{member.id}").status_code == 404


# --- Login failures ----------------------------------------------------------------------------


def test_unknown_email_and_wrong_password_give_the_same_answer(browser, member):
    unknown = browser.login("personne@example.org")
    wrong = browser.login(member.email, password="pas le bon mot de passe")
    assert unknown.status_code == wrong.status_code == 400
    unknown_messages = all_messages(unknown.get_data(as_text=True))
    assert unknown_messages == all_messages(wrong.get_data(as_text=True))
    assert "E-mail ou mot de passe incorrect." in unknown_messages


def test_a_failed_login_keeps_the_email_but_never_echoes_the_password(browser, member):
    page = browser.login(member.email, password="secret-ne-pas-afficher").get_data(as_text=True)
    assert f'value="{member.email}"' in page
    assert "secret-ne-pas-afficher" not in page


def test_login_ignores_the_case_and_spaces_of_the_email(browser, member):
    browser.login(f"  {member.email.upper()} ")
    assert not is_anonymous(browser.client)


# --- Password storage --------------------------------------------------------------------------


def register(browser, **overrides):
    data = {
        "email": "camille@example.org",
        "display_name": "Camille",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return browser.post("/register", data)


def test_passwords_are_stored_as_argon2id_hashes(app, browser):
    assert register(browser).status_code == 302
    with app.app_context():
        stored = db.session.scalar(
            select(User.password_hash).where(User.email == "camille@example.org")
        )
    assert stored.startswith("$argon2id$")


def test_the_password_appears_nowhere_in_the_database(app, browser):
    register(browser)
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM users")).all()
    assert rows
    assert all(PASSWORD not in str(value) for row in rows for value in row)


# --- Weak passwords ----------------------------------------------------------------------------

WEAK_PASSWORDS = {
    "too-short": ("Cornich0n", "au moins 10 caractères"),
    "common-french": ("motdepasse123", "trop courant"),
    "keyboard-walk": ("azertyuiop1", "trop courant"),
    "digits": ("1234567890", "trop courant"),
    "english-common": ("password1234", "trop courant"),
    "the-email": ("camille@example.org", "trop courant"),
}


@pytest.mark.parametrize("kind", sorted(WEAK_PASSWORDS))
def test_a_weak_password_is_refused_with_a_password_error(browser, kind):
    password, message = WEAK_PASSWORDS[kind]
    response = register(browser, password=password, confirm=password)
    assert response.status_code == 400
    errors = field_errors(response.get_data(as_text=True), "password")
    assert any(message in error for error in errors), errors


@pytest.mark.parametrize("kind", sorted(WEAK_PASSWORDS))
def test_a_weak_password_creates_no_account(app, browser, kind):
    password, _message = WEAK_PASSWORDS[kind]
    register(browser, password=password, confirm=password)
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None


def test_a_refused_password_keeps_the_email_and_display_name(browser):
    page = register(browser, password="motdepasse123", confirm="motdepasse123").get_data(
        as_text=True
    )
    assert 'value="camille@example.org"' in page
    assert 'value="Camille"' in page
    assert "motdepasse123" not in page


# --- Cookies -----------------------------------------------------------------------------------


def test_remember_me_sets_a_remember_cookie(browser, member):
    browser.login(member.email, remember=True)
    assert browser.client.get_cookie(REMEMBER_COOKIE) is not None


def test_without_remember_me_there_is_no_remember_cookie(browser, member):
    browser.login(member.email)
    assert browser.client.get_cookie(REMEMBER_COOKIE) is None


def test_session_and_remember_cookies_are_http_only_and_same_site(browser, member):
    response = browser.login(member.email, remember=True)
    headers = response.headers.getlist("Set-Cookie")
    for name in (SESSION_COOKIE, REMEMBER_COOKIE):
        header = next(h for h in headers if h.startswith(f"{name}="))
        assert "HttpOnly" in header, name
        assert "SameSite=Lax" in header, name


def test_a_csrf_token_from_before_login_is_not_accepted_after_it(
    app, browser, member, shop_in_arlon
):
    planted = browser.csrf_token()
    browser.login(member.email)
    response = browser.post(f"/shops/{shop_in_arlon.id}/vote", {"csrf_token": planted})
    assert response.status_code == 400
