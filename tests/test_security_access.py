"""Who may change what: every POST route walked anonymously, as the wrong member, as a banned
member, on hidden shops, and the same rules checked again in the service layer."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select, update

from directory.accounts.models import User
from directory.errors import NotFound, PermissionDenied
from directory.extensions import db
from directory.shops.models import Shop
from directory.shops.services import create_shop, update_shop
from directory.tips.services import add_tip
from directory.votes.models import Vote
from directory.votes.services import upvote, withdraw_vote
from tests.conftest import PASSWORD, shop_input
from tests.conftest import database_snapshot as snapshot

# Every (rule, endpoint) accepting POST. A new POST route makes
# test_every_post_route_is_known_to_this_suite fail until it is added here and walked below.
POST_ROUTES = {
    ("/register", "accounts.register"),
    ("/login", "accounts.login"),
    ("/logout", "accounts.logout"),
    ("/shops/new", "shops.new"),
    ("/shops/<int:shop_id>/edit", "shops.edit"),
    ("/shops/<int:shop_id>/vote", "votes.vote"),
    ("/shops/<int:shop_id>/unvote", "votes.unvote"),
    ("/shops/<int:shop_id>/tips", "tips.create"),
    ("/confirm-email/<token>", "account_links.confirm_link"),
    ("/confirm-email", "account_links.resend_confirmation"),
    ("/forgot-password", "account_links.forgot_password"),
    ("/reset-password/<token>", "account_links.reset_link"),
    ("/settings/profile", "settings.profile"),
    ("/settings/email", "settings.email"),
    ("/settings/password", "settings.password"),
    ("/settings/delete", "settings.delete"),
}
# Anyone may register, log in or follow a mailed link: that is what those forms are for (a
# mailed link carries its own signed token, which tests/test_account_lifecycle.py covers).
PUBLIC_BY_DESIGN = {
    "accounts.register",
    "accounts.login",
    "account_links.forgot_password",
    "account_links.confirm_link",
    "account_links.reset_link",
}


def valid_shop_form(app, **overrides) -> dict:
    """Form fields that would post (or save) a valid shop for a logged-in author."""
    with app.app_context():
        data = shop_input()
    form = {
        "name": "Fromagerie des Trois Rivières",
        "category_id": str(data.category_id),
        "address": "Rue des Martyrs 3",
        "postcode": "6700",
        "town": "Arlon",
        "country": "BE",
        "description": "Un orval affiné sur place.",
    }
    form.update(overrides)
    return form


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303) and response.headers["Location"].startswith(
        "/login"
    )


def set_shop(app, shop_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Shop).where(Shop.id == shop_id).values(**values))
        db.session.commit()


def set_user(app, user_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(**values))
        db.session.commit()


def add_vote(app, user_id: int, shop_id: int) -> None:
    with app.app_context():
        upvote(db.session.get(User, user_id), shop_id)
        db.session.commit()


def vote_count(app, shop_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Shop.vote_count).where(Shop.id == shop_id))


@pytest.fixture
def scene(app, member, other_member, shop_in_arlon):
    """A shop by ``member`` that ``other_member`` has upvoted, so unvote has work to do."""
    add_vote(app, other_member.id, shop_in_arlon.id)
    return shop_in_arlon


# What a logged-in member would send to change something through each member-only route.
MEMBER_ONLY_REQUESTS = {
    "accounts.logout": lambda app, shop: ("/logout", {}),
    "shops.new": lambda app, shop: ("/shops/new", valid_shop_form(app)),
    "shops.edit": lambda app, shop: (
        f"/shops/{shop.id}/edit",
        valid_shop_form(app, name="Nom réécrit par un anonyme"),
    ),
    "votes.vote": lambda app, shop: (f"/shops/{shop.id}/vote", {"next": f"/shops/{shop.id}"}),
    "votes.unvote": lambda app, shop: (f"/shops/{shop.id}/unvote", {"next": f"/shops/{shop.id}"}),
    "tips.create": lambda app, shop: (
        f"/shops/{shop.id}/tips",
        {"body": "Demandez les pralines maison."},
    ),
    "account_links.resend_confirmation": lambda app, shop: ("/confirm-email", {}),
    "settings.profile": lambda app, shop: (
        "/settings/profile",
        {"display_name": "Nom choisi par un anonyme", "language": "en"},
    ),
    "settings.email": lambda app, shop: (
        "/settings/email",
        {"new_email-email": "anonyme@example.org", "new_email-current_password": PASSWORD},
    ),
    "settings.password": lambda app, shop: (
        "/settings/password",
        {
            "new_password-current_password": PASSWORD,
            "new_password-password": "girafe orange dans la baignoire",
            "new_password-confirm": "girafe orange dans la baignoire",
        },
    ),
    "settings.delete": lambda app, shop: (
        "/settings/delete",
        {"delete-current_password": PASSWORD, "delete-understood": "y"},
    ),
}


# --- The route inventory -----------------------------------------------------------------------


def test_every_post_route_is_known_to_this_suite(app):
    found = {
        (rule.rule, rule.endpoint) for rule in app.url_map.iter_rules() if "POST" in rule.methods
    }
    assert found == POST_ROUTES


def test_every_post_route_is_either_public_or_walked_anonymously():
    endpoints = {endpoint for _rule, endpoint in POST_ROUTES}
    assert set(MEMBER_ONLY_REQUESTS) | PUBLIC_BY_DESIGN == endpoints
    assert not set(MEMBER_ONLY_REQUESTS) & PUBLIC_BY_DESIGN


# --- Anonymous visitors ------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", sorted(MEMBER_ONLY_REQUESTS))
def test_anonymous_post_with_a_valid_token_changes_nothing(app, browser, scene, endpoint):
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
    before = snapshot(app)
    response = browser.post(url, data)
    assert (
        is_login_redirect(response)
        or (endpoint == "accounts.logout" and response.status_code == 302)
        or 400 <= response.status_code < 500
    )
    assert snapshot(app) == before


@pytest.mark.parametrize("endpoint", sorted(set(MEMBER_ONLY_REQUESTS) - {"accounts.logout"}))
def test_anonymous_post_to_a_member_route_is_sent_to_login(app, browser, scene, endpoint):
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
    response = browser.post(url, data)
    assert is_login_redirect(response)


@pytest.mark.parametrize("url", ["/shops/new", "/shops/{id}/edit", "/me"])
def test_anonymous_get_of_a_member_page_is_sent_to_login(browser, shop_in_arlon, url):
    response = browser.get(url.format(id=shop_in_arlon.id))
    assert is_login_redirect(response)


def test_member_route_requests_really_change_things_when_logged_in(
    app, browser, scene, member, make_user
):
    """Control for the anonymous walk: the same requests by the author (or, for the vote, by
    a member who is not the author) do change the data."""
    voter = make_user("Chloé")
    for email, endpoint in (
        (member.email, "shops.new"),
        (member.email, "shops.edit"),
        (member.email, "tips.create"),
        (voter.email, "votes.vote"),
    ):
        browser.login(email)
        url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
        before = snapshot(app)
        response = browser.post(url, data)
        assert response.status_code == 302, endpoint
        assert snapshot(app) != before, endpoint
        browser.logout()


# --- The wrong member, and moderators ----------------------------------------------------------


def test_another_member_cannot_open_the_edit_form(browser, other_member, shop_in_arlon):
    browser.login(other_member.email)
    assert browser.get(f"/shops/{shop_in_arlon.id}/edit").status_code == 403


def test_another_member_cannot_save_an_edit(app, browser, other_member, shop_in_arlon):
    browser.login(other_member.email)
    before = snapshot(app)
    response = browser.post(
        f"/shops/{shop_in_arlon.id}/edit", valid_shop_form(app, name="Détourné")
    )
    assert response.status_code == 403
    assert snapshot(app) == before


def test_the_shop_page_offers_no_edit_link_to_another_member(browser, other_member, shop_in_arlon):
    browser.login(other_member.email)
    page = browser.get(f"/shops/{shop_in_arlon.id}", follow_redirects=True).get_data(as_text=True)
    assert f"/shops/{shop_in_arlon.id}/edit" not in page


def test_a_moderator_can_open_the_edit_form(browser, moderator, shop_in_arlon):
    browser.login(moderator.email)
    assert browser.get(f"/shops/{shop_in_arlon.id}/edit").status_code == 200


def test_a_moderator_can_save_an_edit_and_the_author_stays(
    app, browser, moderator, member, shop_in_arlon, reload
):
    browser.login(moderator.email)
    response = browser.post(
        f"/shops/{shop_in_arlon.id}/edit", valid_shop_form(app, name="Nom corrigé")
    )
    assert response.status_code == 302
    shop = reload(Shop, shop_in_arlon.id)
    assert shop.name == "Nom corrigé"
    assert shop.author_id == member.id


def test_posting_a_shop_ignores_fields_the_form_does_not_have(app, browser, member, other_member):
    browser.login(member.email)
    form = valid_shop_form(
        app,
        author_id=str(other_member.id),
        status="hidden",
        vote_count="999",
        hot_score="1e9",
        is_demo="y",
        source_key="osm:1",
    )
    response = browser.post("/shops/new", form)
    assert response.status_code == 302
    with app.app_context():
        shop = db.session.scalar(select(Shop).where(Shop.name == form["name"]))
        assert (shop.author_id, shop.status, shop.vote_count) == (member.id, "visible", 0)
        assert (shop.is_demo, shop.source_key) == (False, None)
        assert shop.hot_score < 1e9


def test_editing_cannot_hand_the_shop_to_someone_else(
    app, browser, member, other_member, shop_in_arlon, reload
):
    browser.login(member.email)
    form = valid_shop_form(app, author_id=str(other_member.id), vote_count="999")
    assert browser.post(f"/shops/{shop_in_arlon.id}/edit", form).status_code == 302
    shop = reload(Shop, shop_in_arlon.id)
    assert (shop.author_id, shop.vote_count) == (member.id, 0)


# --- Banned members ----------------------------------------------------------------------------


def test_a_banned_member_cannot_log_in(app, browser, member):
    set_user(app, member.id, is_banned=True)
    response = browser.login(member.email)
    assert response.status_code == 400
    assert is_login_redirect(browser.get("/shops/new"))


@pytest.mark.parametrize("endpoint", ["shops.new", "votes.vote", "tips.create"])
def test_a_banned_member_cannot_post_vote_or_tip(
    app, browser, other_member, shop_in_arlon, endpoint
):
    browser.login(other_member.email)
    set_user(app, other_member.id, is_banned=True)
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, shop_in_arlon)
    before = snapshot(app)
    response = browser.post(url, data)
    assert is_login_redirect(response)
    assert snapshot(app) == before


# --- Hidden shops ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["hidden", "pending", "merged"])
def test_voting_on_a_shop_that_is_not_visible_is_404_and_counts_nothing(
    app, browser, other_member, shop_in_arlon, status
):
    set_shop(app, shop_in_arlon.id, status=status)
    browser.login(other_member.email)
    before = snapshot(app)
    response = browser.post(f"/shops/{shop_in_arlon.id}/vote")
    assert response.status_code == 404
    assert snapshot(app) == before
    assert vote_count(app, shop_in_arlon.id) == 0


@pytest.mark.parametrize("status", ["hidden", "pending", "merged"])
def test_withdrawing_ones_vote_from_a_shop_that_is_not_visible_still_works(
    app, browser, other_member, scene, status
):
    """A vote is the member's own data: moderation does not keep it hostage."""
    set_shop(app, scene.id, status=status)
    browser.login(other_member.email)
    response = browser.post(f"/shops/{scene.id}/unvote")
    assert response.status_code == 302
    assert vote_count(app, scene.id) == 0


@pytest.mark.parametrize("status", ["hidden", "pending", "merged"])
def test_tipping_a_shop_that_is_not_visible_is_404(
    app, browser, other_member, shop_in_arlon, status
):
    set_shop(app, shop_in_arlon.id, status=status)
    browser.login(other_member.email)
    before = snapshot(app)
    response = browser.post(f"/shops/{shop_in_arlon.id}/tips", {"body": "Très bon pain."})
    assert response.status_code == 404
    assert snapshot(app) == before


# --- The service layer does not trust its caller -----------------------------------------------

ANONYMOUS_ACTORS = [None, AnonymousUserMixin()]


@pytest.mark.parametrize("actor", ANONYMOUS_ACTORS, ids=["none", "anonymous"])
def test_create_shop_refuses_an_anonymous_author(ctx, actor):
    with pytest.raises(PermissionDenied):
        create_shop(actor, shop_input())
    assert db.session.scalar(select(Shop.id)) is None


def test_create_shop_refuses_a_banned_author(ctx, member):
    author = db.session.get(User, member.id)
    author.is_banned = True
    with pytest.raises(PermissionDenied):
        create_shop(author, shop_input())


@pytest.mark.parametrize("actor", ANONYMOUS_ACTORS, ids=["none", "anonymous"])
def test_update_shop_refuses_an_anonymous_actor(ctx, shop_in_arlon, actor):
    shop = db.session.get(Shop, shop_in_arlon.id)
    with pytest.raises(PermissionDenied):
        update_shop(actor, shop, shop_input(name="Anonyme"))


def test_update_shop_refuses_another_member(ctx, other_member, shop_in_arlon):
    shop = db.session.get(Shop, shop_in_arlon.id)
    with pytest.raises(PermissionDenied):
        update_shop(db.session.get(User, other_member.id), shop, shop_input(name="Détourné"))
    db.session.rollback()
    assert db.session.get(Shop, shop_in_arlon.id).name == "Boulangerie du Marché"


def test_update_shop_refuses_a_banned_author(ctx, member, shop_in_arlon):
    author = db.session.get(User, member.id)
    author.is_banned = True
    with pytest.raises(PermissionDenied):
        update_shop(author, db.session.get(Shop, shop_in_arlon.id), shop_input(name="Banni"))


def test_update_shop_accepts_a_moderator(ctx, moderator, shop_in_arlon):
    shop = db.session.get(Shop, shop_in_arlon.id)
    update_shop(db.session.get(User, moderator.id), shop, shop_input(name="Corrigé"))
    assert shop.name == "Corrigé"


@pytest.mark.parametrize("actor", ANONYMOUS_ACTORS, ids=["none", "anonymous"])
@pytest.mark.parametrize("action", [upvote, withdraw_vote], ids=["upvote", "withdraw"])
def test_vote_services_refuse_an_anonymous_voter(ctx, shop_in_arlon, actor, action):
    with pytest.raises(PermissionDenied):
        action(actor, shop_in_arlon.id)
    assert db.session.scalar(select(Vote.id)) is None


def test_upvote_refuses_a_banned_member(ctx, other_member, shop_in_arlon):
    voter = db.session.get(User, other_member.id)
    voter.is_banned = True
    with pytest.raises(PermissionDenied):
        upvote(voter, shop_in_arlon.id)


@pytest.mark.parametrize("status", ["hidden", "pending", "merged"])
def test_upvote_service_refuses_a_shop_that_is_not_visible(
    ctx, other_member, shop_in_arlon, status
):
    db.session.get(Shop, shop_in_arlon.id).status = status
    with pytest.raises(NotFound):
        upvote(db.session.get(User, other_member.id), shop_in_arlon.id)


@pytest.mark.parametrize("actor", ANONYMOUS_ACTORS, ids=["none", "anonymous"])
def test_add_tip_refuses_an_anonymous_author(ctx, shop_in_arlon, actor):
    with pytest.raises(PermissionDenied):
        add_tip(actor, shop_in_arlon.id, "Très bon pain.")


def test_add_tip_refuses_a_banned_member(ctx, other_member, shop_in_arlon):
    author = db.session.get(User, other_member.id)
    author.is_banned = True
    with pytest.raises(PermissionDenied):
        add_tip(author, shop_in_arlon.id, "Très bon pain.")
