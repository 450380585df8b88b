"""Register, log in, log out, profile."""

from sqlalchemy import select

from directory.accounts.models import User
from directory.extensions import db
from tests.conftest import PASSWORD


def registration(**overrides):
    data = {
        "email": "Claire@Example.org",
        "display_name": "Claire",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_register_creates_a_member_and_logs_in(app, browser):
    response = browser.post("/register", registration(), follow_redirects=True)
    assert response.status_code == 200
    assert "Bienvenue, Claire" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "claire@example.org"))
        assert user.role == "member"
        assert user.password_hash.startswith("$argon2id$")
    assert browser.get("/shops/new").status_code == 200


def test_register_refuses_an_email_already_used_in_another_case(browser, member):
    response = browser.post("/register", registration(email="USER1@example.org"))
    assert response.status_code == 400
    assert "Un compte existe déjà" in response.get_data(as_text=True)


def test_register_refuses_mismatched_confirmation_and_keeps_input(browser):
    response = browser.post("/register", registration(confirm="autre chose entièrement"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Les mots de passe diffèrent" in page
    assert 'value="Claire"' in page


def test_login_with_remember_me_and_logout(browser, member):
    response = browser.login(member.email, remember=True)
    assert response.status_code == 302
    assert "remember_token" in response.headers.get("Set-Cookie", "")
    assert browser.get("/shops/new").status_code == 200
    browser.logout()
    assert browser.get("/shops/new").status_code == 302


def test_login_is_case_insensitive_on_email(browser, member):
    assert browser.login(member.email.upper()).status_code == 302


def test_wrong_password_rerenders_with_the_email(browser, member):
    response = browser.login(member.email, "pas le bon mot de passe")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "E-mail ou mot de passe incorrect" in page
    assert member.email in page


def test_profile_lists_the_members_posts(browser, member, make_shop):
    make_shop(name="Fleurs d'Anna", category="fleuriste")
    page = browser.get(f"/users/{member.id}").get_data(as_text=True)
    assert "Fleurs d&#39;Anna" in page
    assert "Alice" in page


def test_me_redirects_to_own_profile(browser, member):
    browser.login(member.email)
    response = browser.get("/me")
    assert response.headers["Location"].endswith(f"/users/{member.id}")


def test_interface_is_french_by_default(browser):
    page = browser.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Catégories" in page
