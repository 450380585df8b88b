"""Defects of issue 6 reproduced from outside: long passphrases, invisible characters in names,
the member's own words in passwords, shops that are not visible, and voting for oneself."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from directory.accounts.models import User
from directory.accounts.services import register
from directory.errors import Conflict, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.shops.models import Shop, ShopStatus
from directory.votes.models import Vote
from directory.votes.services import upvote
from tests.conftest import PASSWORD

PASSPHRASE = " ".join(["cornichon", "violet", "sur", "la", "lune", "de", "Tintigny"] * 6)[:200]


def register_form(**overrides) -> dict:
    form = {"email": "zoe@example.org", "display_name": "Zoé", "password": PASSWORD}
    form.update(overrides)
    form.setdefault("confirm", form["password"])
    return form


# 1. Long passphrases


@pytest.mark.parametrize("length", [73, 100, 200])
def test_a_long_passphrase_registers_and_logs_in(app, browser, length):
    passphrase = PASSPHRASE[:length]
    assert len(passphrase) == length
    response = browser.post("/register", register_form(password=passphrase))
    assert response.status_code == 302
    browser.logout()
    assert browser.login("zoe@example.org", passphrase).status_code == 302
    assert browser.get("/me").status_code == 302
    assert "/users/" in browser.get("/me").headers["Location"]


# 9. Invisible and confusable characters in display names


@pytest.mark.parametrize(
    "lookalike",
    [
        "Se\u200bc",  # zero-width space
        "S\u200dec",  # zero-width joiner
        "\u2060Sec",  # word joiner
        "Sec\ufeff",  # byte order mark
        "Ｓｅｃ",  # fullwidth letters
        "S\u00adec",  # soft hyphen
        "SEC",
    ],
)
def test_a_lookalike_of_a_taken_name_is_refused(ctx, lookalike):
    register("sec@example.org", "Sec", PASSWORD, time_cost=1, memory_cost=1024)
    with pytest.raises(Conflict) as refused:
        register("other@example.org", lookalike, PASSWORD, time_cost=1, memory_cost=1024)
    assert refused.value.field == "display_name"


@pytest.mark.parametrize(
    ("taken", "twin"), [("Émile", "émile"), ("Łucja", "łucja"), ("Straße", "STRASSE")]
)
def test_names_differing_only_by_the_case_of_a_non_ascii_letter_are_one_name(ctx, taken, twin):
    """SQLite's lower() folds ASCII only: the lower(display_name) index let these through."""
    register("first@example.org", taken, PASSWORD, time_cost=1, memory_cost=1024)
    with pytest.raises(Conflict) as refused:
        register("second@example.org", twin, PASSWORD, time_cost=1, memory_cost=1024)
    assert refused.value.field == "display_name"


def test_the_database_itself_refuses_a_twin_name(ctx):
    """The unique index holds even for a write that skips the service's check."""
    register("first@example.org", "Émile", PASSWORD, time_cost=1, memory_cost=1024)
    db.session.flush()
    twin = User(email="second@example.org", display_name="éMILE", password_hash="x")
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_display_names_are_stored_without_invisible_characters(ctx):
    user = register(
        "a@example.org", " Zo\u200bé  \u00a0Lu ", PASSWORD, time_cost=1, memory_cost=1024
    )
    assert user.display_name == "Zoé Lu"


def test_a_name_of_invisible_characters_only_is_refused(ctx):
    with pytest.raises(ValidationFailed) as refused:
        register("a@example.org", "\u200b\u200b\u200b", PASSWORD, time_cost=1, memory_cost=1024)
    assert refused.value.field == "display_name"


# 10. The member's own words in the password


@pytest.mark.parametrize(
    ("email", "name", "password"),
    [
        ("jean.dupont@example.org", "Jeannot", "jeandupont2024"),
        ("marie-claire@example.org", "MC", "marieclaire1987"),
        ("zoe@example.org", "Cornemuse", "cornemuse12345"),
        ("zoe@example.org", "Zoé", "bonnesadresses2024"),
    ],
)
def test_a_password_made_of_the_members_own_words_is_refused(ctx, email, name, password):
    with pytest.raises(ValidationFailed) as refused:
        register(email, name, password, time_cost=1, memory_cost=1024)
    assert refused.value.field == "password"


# 12. Shops that are not visible are 404 for everyone but moderators


def hide(app, shop_id: int) -> None:
    with app.app_context():
        db.session.get(Shop, shop_id).status = ShopStatus.HIDDEN.value
        db.session.commit()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_editing_a_hidden_shop_is_404_for_its_author_too(
    app, browser, member, shop_in_arlon, method
):
    hide(app, shop_in_arlon.id)
    browser.login(member.email)
    url = f"/shops/{shop_in_arlon.id}/edit"
    response = browser.get(url) if method == "GET" else browser.post(url, {"name": "X"})
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_editing_a_hidden_shop_looks_like_a_missing_one(
    app, browser, other_member, shop_in_arlon, method
):
    hide(app, shop_in_arlon.id)
    browser.login(other_member.email)
    answers = []
    for shop_id in (shop_in_arlon.id, 999_999):
        url = f"/shops/{shop_id}/edit"
        response = browser.get(url) if method == "GET" else browser.post(url, {"name": "X"})
        answers.append(response.status_code)
    assert answers == [404, 404]


def test_a_moderator_may_still_edit_a_hidden_shop(app, browser, moderator, shop_in_arlon):
    hide(app, shop_in_arlon.id)
    browser.login(moderator.email)
    assert browser.get(f"/shops/{shop_in_arlon.id}/edit").status_code == 200


def test_a_member_can_withdraw_a_vote_on_a_hidden_shop(
    app, browser, other_member, shop_in_arlon, reload
):
    browser.login(other_member.email)
    browser.post(f"/shops/{shop_in_arlon.id}/vote")
    hide(app, shop_in_arlon.id)
    assert browser.post(f"/shops/{shop_in_arlon.id}/unvote").status_code == 302
    assert reload(Shop, shop_in_arlon.id).vote_count == 0
    with app.app_context():
        assert db.session.scalar(select(Vote.id).where(Vote.user_id == other_member.id)) is None


@pytest.mark.parametrize("action", ["vote", "tips"])
def test_voting_or_tipping_on_a_hidden_shop_is_404(
    app, browser, other_member, shop_in_arlon, action
):
    hide(app, shop_in_arlon.id)
    browser.login(other_member.email)
    response = browser.post(f"/shops/{shop_in_arlon.id}/{action}", {"body": "Super accueil !"})
    assert response.status_code == 404


def test_the_authors_profile_lists_a_hidden_post_without_a_dead_link(
    app, browser, member, shop_in_arlon
):
    hide(app, shop_in_arlon.id)
    browser.login(member.email)
    page = browser.get(f"/users/{member.id}").get_data(as_text=True)
    assert shop_in_arlon.name in page
    assert f'href="/shops/{shop_in_arlon.id}-' not in page


# 13. No vote for one's own shop


def test_the_service_refuses_a_vote_for_ones_own_shop(app, member, shop_in_arlon):
    with app.app_context():
        author = db.session.get(User, member.id)
        with pytest.raises(PermissionDenied):
            upvote(author, shop_in_arlon.id)


def test_voting_for_ones_own_shop_says_why_and_changes_nothing(
    app, browser, member, shop_in_arlon, reload
):
    browser.login(member.email)
    response = browser.post(f"/shops/{shop_in_arlon.id}/vote", follow_redirects=True)
    assert response.status_code == 200
    assert "votre propre adresse" in response.get_data(as_text=True)
    assert reload(Shop, shop_in_arlon.id).vote_count == 0


def test_no_vote_button_on_ones_own_shop(browser, member, other_member, shop_in_arlon):
    url = f"/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}"
    vote_form = f'action="/shops/{shop_in_arlon.id}/vote"'
    browser.login(member.email)
    assert vote_form not in browser.get(url).get_data(as_text=True)
    browser.logout()
    browser.login(other_member.email)
    assert vote_form in browser.get(url).get_data(as_text=True)
