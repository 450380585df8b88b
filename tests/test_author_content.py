"""Authors manage their own content: they edit and delete their tips and delete their shops;
other members, visitors and banned members cannot, and a deleted shop leaves search."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from directory.accounts.models import User
from directory.errors import NotFound, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.search.bridge import drain, get_index
from directory.shops.models import Shop
from directory.shops.services import delete_shop
from directory.tips.models import TIP_MAX_LENGTH, Tip
from directory.tips.services import add_tip, delete_tip, edit_tip
from directory.votes.models import Vote
from directory.votes.services import upvote
from tests.conftest import database_snapshot as snapshot
from tests.test_bad_input import field_errors
from tests.test_security_access import is_login_redirect, set_shop, set_user

TIP_TEXT = "Demandez les pralines maison, le samedi."


@pytest.fixture
def tip_by_other_member(app, other_member, shop_in_arlon) -> Tip:
    """``other_member``'s tip on ``member``'s shop."""
    with app.app_context():
        tip = add_tip(db.session.get(User, other_member.id), shop_in_arlon.id, TIP_TEXT)
        db.session.commit()
        db.session.refresh(tip)
        db.session.expunge(tip)
        return tip


def tip_body(app, tip_id: int) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Tip.body).where(Tip.id == tip_id))


def count(app, model, shop_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(model.shop_id == shop_id))


def shop_path(shop) -> str:
    return f"/shops/{shop.id}-{shop.slug}"


# --- Editing a tip -----------------------------------------------------------------------------


def test_the_edit_form_shows_the_tip_text(browser, other_member, tip_by_other_member):
    browser.login(other_member.email)
    response = browser.get(f"/tips/{tip_by_other_member.id}/edit")
    assert response.status_code == 200
    assert TIP_TEXT in response.get_data(as_text=True)


def test_the_author_edits_their_tip_and_the_shop_page_shows_it(
    app, browser, other_member, shop_in_arlon, tip_by_other_member
):
    browser.login(other_member.email)
    response = browser.post(
        f"/tips/{tip_by_other_member.id}/edit", {"body": "Le pain au levain du mardi."}
    )
    assert response.status_code == 302
    tip_anchor = f"#tip-{tip_by_other_member.id}"
    assert response.headers["Location"] == shop_path(shop_in_arlon) + tip_anchor
    assert tip_body(app, tip_by_other_member.id) == "Le pain au levain du mardi."
    page = browser.get(shop_path(shop_in_arlon)).get_data(as_text=True)
    assert "Le pain au levain du mardi." in page
    assert TIP_TEXT not in page
    assert f'id="tip-{tip_by_other_member.id}"' in page


@pytest.mark.parametrize(
    "body",
    ["", "   ", "a" * (TIP_MAX_LENGTH + 1)],
    ids=["empty", "blank", "too-long"],
)
def test_a_bad_edit_shows_the_form_again_with_the_text_kept(
    app, browser, other_member, tip_by_other_member, body
):
    browser.login(other_member.email)
    before = snapshot(app)
    response = browser.post(f"/tips/{tip_by_other_member.id}/edit", {"body": body})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_errors(page, "body")
    if body.strip():
        assert body in page  # what was typed stays in the textarea
    assert snapshot(app) == before


def test_a_moderator_may_correct_a_tip(app, browser, moderator, tip_by_other_member):
    browser.login(moderator.email)
    response = browser.post(f"/tips/{tip_by_other_member.id}/edit", {"body": "Corrigé."})
    assert response.status_code == 302
    assert tip_body(app, tip_by_other_member.id) == "Corrigé."


# --- Deleting a tip ----------------------------------------------------------------------------


def test_the_author_deletes_their_tip(
    app, browser, other_member, shop_in_arlon, tip_by_other_member
):
    browser.login(other_member.email)
    response = browser.post(f"/tips/{tip_by_other_member.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{shop_path(shop_in_arlon)}#tips"
    assert tip_body(app, tip_by_other_member.id) is None
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Conseil supprimé." in page
    assert TIP_TEXT not in page


def test_a_moderator_does_not_delete_tips_through_the_authors_route(
    app, browser, moderator, tip_by_other_member
):
    """Moderators remove tips through the moderation log, with a reason."""
    browser.login(moderator.email)
    assert browser.post(f"/tips/{tip_by_other_member.id}/delete").status_code == 403
    assert tip_body(app, tip_by_other_member.id) == TIP_TEXT


# --- Who may not touch a tip -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/tips/{id}/edit", None),
        ("post", "/tips/{id}/edit", {"body": "Réécrit par un autre."}),
        ("post", "/tips/{id}/delete", {}),
    ],
    ids=["edit-form", "edit", "delete"],
)
def test_another_member_cannot_edit_or_delete_a_tip(
    app, browser, member, tip_by_other_member, method, url, data
):
    browser.login(member.email)  # the shop's author, not the tip's
    before = snapshot(app)
    url = url.format(id=tip_by_other_member.id)
    response = browser.get(url) if method == "get" else browser.post(url, data)
    assert response.status_code == 403
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/tips/{id}/edit", None),
        ("post", "/tips/{id}/edit", {"body": "Réécrit par un visiteur."}),
        ("post", "/tips/{id}/delete", {}),
    ],
    ids=["edit-form", "edit", "delete"],
)
def test_a_visitor_is_sent_to_login(app, browser, tip_by_other_member, method, url, data):
    before = snapshot(app)
    url = url.format(id=tip_by_other_member.id)
    response = browser.get(url) if method == "get" else browser.post(url, data)
    assert is_login_redirect(response)
    assert snapshot(app) == before


@pytest.mark.parametrize("path", ["edit", "delete"])
def test_a_banned_author_cannot_edit_or_delete_their_tip(
    app, browser, other_member, tip_by_other_member, path
):
    browser.login(other_member.email)
    set_user(app, other_member.id, is_banned=True)
    before = snapshot(app)
    response = browser.post(f"/tips/{tip_by_other_member.id}/{path}", {"body": "Banni."})
    assert is_login_redirect(response)
    assert snapshot(app) == before


@pytest.mark.parametrize("path", ["edit", "delete"])
def test_a_tip_on_a_hidden_shop_is_not_found_for_its_author(
    app, browser, other_member, shop_in_arlon, tip_by_other_member, path
):
    set_shop(app, shop_in_arlon.id, status="hidden")
    browser.login(other_member.email)
    before = snapshot(app)
    response = browser.post(f"/tips/{tip_by_other_member.id}/{path}", {"body": "Caché."})
    assert response.status_code == 404
    assert snapshot(app) == before


@pytest.mark.parametrize("path", ["edit", "delete"])
def test_a_missing_tip_is_not_found(browser, member, path):
    browser.login(member.email)
    assert browser.post(f"/tips/999999/{path}", {"body": "Fantôme."}).status_code == 404


# --- The shop page offers the buttons to whom they work for ------------------------------------


def test_the_tip_author_sees_edit_and_delete_on_their_tip(
    browser, other_member, shop_in_arlon, tip_by_other_member
):
    browser.login(other_member.email)
    page = browser.get(shop_path(shop_in_arlon)).get_data(as_text=True)
    assert f"/tips/{tip_by_other_member.id}/edit" in page
    assert f"/tips/{tip_by_other_member.id}/delete" in page
    assert f"/shops/{shop_in_arlon.id}/delete" not in page  # not their shop


def test_another_member_sees_no_tip_buttons_but_the_shop_author_may_delete_the_shop(
    browser, member, shop_in_arlon, tip_by_other_member
):
    browser.login(member.email)
    page = browser.get(shop_path(shop_in_arlon)).get_data(as_text=True)
    assert f"/tips/{tip_by_other_member.id}/edit" not in page
    assert f"/tips/{tip_by_other_member.id}/delete" not in page
    assert f"/shops/{shop_in_arlon.id}/delete" in page
    assert "Supprimer cette adresse" in page


def test_a_visitor_sees_no_author_buttons(browser, shop_in_arlon, tip_by_other_member):
    page = browser.get(shop_path(shop_in_arlon)).get_data(as_text=True)
    assert f"/tips/{tip_by_other_member.id}/edit" not in page
    assert f"/tips/{tip_by_other_member.id}/delete" not in page
    assert f"/shops/{shop_in_arlon.id}/delete" not in page


# --- Deleting a shop ---------------------------------------------------------------------------


@pytest.fixture
def shop_with_votes_and_tips(app, make_user, shop_in_arlon, tip_by_other_member) -> Shop:
    """``member``'s shop with a vote and a tip from other members."""
    voter = make_user("Chloé")
    with app.app_context():
        upvote(db.session.get(User, voter.id), shop_in_arlon.id)
        db.session.commit()
    return shop_in_arlon


def test_the_confirmation_page_says_what_goes_with_the_shop(
    browser, member, shop_with_votes_and_tips
):
    browser.login(member.email)
    response = browser.get(f"/shops/{shop_with_votes_and_tips.id}/delete")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Supprimer « Boulangerie du Marché » ?" in page
    assert "Les votes et conseils des autres membres seront supprimés aussi." in page
    assert "1 vote" in page
    assert "1 conseil" in page
    assert f'action="/shops/{shop_with_votes_and_tips.id}/delete"' in page


def test_opening_the_confirmation_page_deletes_nothing(
    app, browser, member, shop_with_votes_and_tips
):
    browser.login(member.email)
    before = snapshot(app)
    browser.get(f"/shops/{shop_with_votes_and_tips.id}/delete")
    assert snapshot(app) == before


def test_the_author_deletes_their_shop_with_its_votes_and_tips(
    app, browser, member, shop_with_votes_and_tips
):
    shop = shop_with_votes_and_tips
    assert (count(app, Vote, shop.id), count(app, Tip, shop.id)) == (1, 1)
    browser.login(member.email)
    response = browser.post(f"/shops/{shop.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/users/{member.id}"
    assert "« Boulangerie du Marché » a été supprimée." in browser.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Shop, shop.id) is None
    assert (count(app, Vote, shop.id), count(app, Tip, shop.id)) == (0, 0)
    assert browser.get(shop_path(shop)).status_code == 404


def test_a_deleted_shop_leaves_the_search(app, browser, member, make_shop):
    shop = make_shop(name="Fromagerie du Beffroi")
    with app.app_context():
        drain(get_index(app))

    def found() -> list[int]:
        answer = browser.get("/api/v1/search?q=beffroi").get_json()
        return [result["id"] for result in answer["results"]]

    assert found() == [shop.id]
    browser.login(member.email)
    assert browser.post(f"/shops/{shop.id}/delete").status_code == 302
    assert found() == []
    # The index itself dropped it (search also re-checks each hit against the database).
    with app.app_context():
        assert shop.id not in get_index(app).versions()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_member_cannot_delete_a_shop(app, browser, other_member, shop_in_arlon, method):
    browser.login(other_member.email)
    before = snapshot(app)
    url = f"/shops/{shop_in_arlon.id}/delete"
    response = browser.get(url) if method == "get" else browser.post(url)
    assert response.status_code == 403
    assert snapshot(app) == before


def test_a_moderator_cannot_delete_a_shop(app, browser, moderator, shop_in_arlon):
    """Moderators hide a shop instead, which keeps its history."""
    browser.login(moderator.email)
    before = snapshot(app)
    assert browser.post(f"/shops/{shop_in_arlon.id}/delete").status_code == 403
    assert snapshot(app) == before


def test_a_banned_author_cannot_delete_their_shop(app, browser, member, shop_in_arlon):
    browser.login(member.email)
    set_user(app, member.id, is_banned=True)
    before = snapshot(app)
    assert is_login_redirect(browser.post(f"/shops/{shop_in_arlon.id}/delete"))
    assert snapshot(app) == before


def test_a_visitor_is_sent_to_login_before_deleting_a_shop(app, browser, shop_in_arlon):
    before = snapshot(app)
    assert is_login_redirect(browser.get(f"/shops/{shop_in_arlon.id}/delete"))
    assert is_login_redirect(browser.post(f"/shops/{shop_in_arlon.id}/delete"))
    assert snapshot(app) == before


def test_a_hidden_shop_cannot_be_deleted_by_its_author(app, browser, member, shop_in_arlon):
    """A shop moderation hid keeps its history: its author gets the 404 everyone gets."""
    set_shop(app, shop_in_arlon.id, status="hidden")
    browser.login(member.email)
    before = snapshot(app)
    assert browser.post(f"/shops/{shop_in_arlon.id}/delete").status_code == 404
    assert snapshot(app) == before


def test_every_foreign_key_to_a_shop_says_what_deleting_it_does(app):
    """Deleting a shop leaves it to the database (PostgreSQL, and SQLite with its foreign keys
    on) to remove or detach the rows that point at it; a key without ON DELETE would refuse."""
    shops = db.Model.metadata.tables["shops"]
    keys = [
        f"{fk.parent.table.name}.{fk.parent.name}: {fk.ondelete}"
        for table in db.Model.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table is shops
    ]
    assert keys
    assert all(key.endswith(("CASCADE", "SET NULL")) for key in keys), keys


# --- The services do not trust their caller ----------------------------------------------------

ANONYMOUS = [None, AnonymousUserMixin()]


@pytest.mark.parametrize("actor", ANONYMOUS, ids=["none", "anonymous"])
def test_tip_services_refuse_an_anonymous_actor(ctx, tip_by_other_member, actor):
    with pytest.raises(PermissionDenied):
        edit_tip(actor, tip_by_other_member.id, "Anonyme.")
    with pytest.raises(PermissionDenied):
        delete_tip(actor, tip_by_other_member.id)


def test_tip_services_refuse_another_member(ctx, member, tip_by_other_member):
    stranger = db.session.get(User, member.id)
    with pytest.raises(PermissionDenied):
        edit_tip(stranger, tip_by_other_member.id, "Détourné.")
    with pytest.raises(PermissionDenied):
        delete_tip(stranger, tip_by_other_member.id)


def test_tip_services_refuse_a_banned_author(ctx, other_member, tip_by_other_member):
    author = db.session.get(User, other_member.id)
    author.is_banned = True
    with pytest.raises(PermissionDenied):
        edit_tip(author, tip_by_other_member.id, "Banni.")
    with pytest.raises(PermissionDenied):
        delete_tip(author, tip_by_other_member.id)


def test_tip_services_say_not_found_for_a_missing_tip(ctx, other_member):
    author = db.session.get(User, other_member.id)
    with pytest.raises(NotFound):
        edit_tip(author, 999999, "Fantôme.")
    with pytest.raises(NotFound):
        delete_tip(author, 999999)


def test_edit_tip_names_the_bad_field(ctx, other_member, tip_by_other_member):
    with pytest.raises(ValidationFailed) as raised:
        edit_tip(db.session.get(User, other_member.id), tip_by_other_member.id, " ")
    assert raised.value.field == "body"


def test_delete_tip_returns_the_shop_it_was_on(ctx, other_member, tip_by_other_member):
    shop = delete_tip(db.session.get(User, other_member.id), tip_by_other_member.id)
    assert shop.id == tip_by_other_member.shop_id
    assert db.session.get(Tip, tip_by_other_member.id) is None


@pytest.mark.parametrize("actor", ANONYMOUS, ids=["none", "anonymous"])
def test_delete_shop_refuses_an_anonymous_actor(ctx, shop_in_arlon, actor):
    with pytest.raises(PermissionDenied):
        delete_shop(actor, db.session.get(Shop, shop_in_arlon.id))


def test_delete_shop_refuses_a_moderator(ctx, moderator, shop_in_arlon):
    with pytest.raises(PermissionDenied):
        delete_shop(db.session.get(User, moderator.id), db.session.get(Shop, shop_in_arlon.id))


def test_delete_shop_refuses_a_banned_author(ctx, member, shop_in_arlon):
    author = db.session.get(User, member.id)
    author.is_banned = True
    with pytest.raises(PermissionDenied):
        delete_shop(author, db.session.get(Shop, shop_in_arlon.id))
