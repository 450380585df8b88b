"""Register, log in, log out, profile."""

import threading

import pytest
from sqlalchemy import func, select

from directory.accounts.models import User
from directory.accounts.services import register
from directory.errors import Conflict
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


def test_display_names_are_unique_whatever_their_case(app, member):
    with app.app_context():
        with pytest.raises(Conflict) as error:
            register(
                "autre@example.org",
                member.display_name.upper(),
                PASSWORD,
                time_cost=1,
                memory_cost=1024,
            )
        assert error.value.field == "display_name"


@pytest.mark.parametrize(
    ("emails", "names"),
    [
        (["same@example.org"] * 4, ["Un", "Deux", "Trois", "Quatre"]),
        (["a@example.org", "b@example.org", "c@example.org", "d@example.org"], ["Zoé"] * 4),
    ],
    ids=["same-email", "same-name"],
)
def test_parallel_registrations_create_one_account_and_conflict_the_rest(app, emails, names):
    barrier = threading.Barrier(len(emails))
    outcomes = []

    def attempt(email, name):
        with app.app_context():
            barrier.wait()
            try:
                register(email, name, PASSWORD, time_cost=1, memory_cost=1024)
                db.session.commit()
                outcomes.append("created")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(emails, names, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["created"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_owner_sees_the_moderation_state_of_their_posts_in_words(app, browser, member, make_shop):
    from directory.shops.models import Shop

    shop = make_shop(name="En Attente")
    with app.app_context():
        db.session.get(Shop, shop.id).status = "pending"
        db.session.commit()
    assert "En Attente" not in browser.get(f"/users/{member.id}").get_data(as_text=True)
    browser.login(member.email)
    page = browser.get(f"/users/{member.id}").get_data(as_text=True)
    assert "Statut : en attente de modération" in page
