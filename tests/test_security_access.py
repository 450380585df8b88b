"""Who may change what: every POST route walked anonymously, as the wrong member, as a banned
member, on hidden shops, the moderators' routes as everyone who is not one, and the same rules
checked again in the service layer."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select, update

from directory.accounts.models import Role, User
from directory.errors import NotFound, PermissionDenied
from directory.extensions import db
from directory.merchants import claims
from directory.merchants.editing import PracticalInfo, revert_revision, update_practical_info
from directory.merchants.models import Claim, ShopRevision
from directory.moderation import actions
from directory.moderation.flags import flag_shop, flag_tip
from directory.moderation.models import Flag
from directory.moderation.services import ban_member
from directory.products.models import Product
from directory.products.services import (
    ProductInput,
    add_product,
    delete_product,
    edit_product,
    hide_product,
    restore_product,
)
from directory.shops.models import Shop
from directory.shops.services import create_shop, update_shop
from directory.timeutil import utcnow
from directory.tips.models import Tip
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
    ("/shops/<int:shop_id>/delete", "shops.delete"),
    ("/shops/<int:shop_id>/vote", "votes.vote"),
    ("/shops/<int:shop_id>/unvote", "votes.unvote"),
    ("/shops/<int:shop_id>/tips", "tips.create"),
    ("/tips/<int:tip_id>/edit", "tips.edit"),
    ("/tips/<int:tip_id>/delete", "tips.delete"),
    ("/shops/<int:shop_id>/flag", "flags.shop"),
    ("/tips/<int:tip_id>/flag", "flags.tip"),
    (
        "/moderation/shops/<int:shop_id>/<any(approve, hide, restore, close):action>",
        "moderation.shop_action",
    ),
    ("/moderation/shops/<int:shop_id>/merge", "moderation.merge"),
    ("/moderation/flags/<int:flag_id>/dismiss", "moderation.dismiss"),
    ("/moderation/tips/<int:tip_id>/delete", "moderation.delete_tip"),
    ("/moderation/users/<int:user_id>/ban", "moderation.ban"),
    ("/moderation/users/<int:user_id>/warn", "moderation.warn"),
    ("/confirm-email/<token>", "account_links.confirm_link"),
    ("/confirm-email", "account_links.resend_confirmation"),
    ("/forgot-password", "account_links.forgot_password"),
    ("/reset-password/<token>", "account_links.reset_link"),
    ("/settings/profile", "settings.profile"),
    ("/settings/email", "settings.email"),
    ("/settings/password", "settings.password"),
    ("/settings/delete", "settings.delete"),
    ("/shops/<int:shop_id>/claim", "claims.new"),
    ("/claims/<int:claim_id>/code", "claims.code"),
    ("/claims/<int:claim_id>/resend", "claims.resend"),
    ("/claims/<int:claim_id>/send", "claims.send_on"),
    ("/claims/<int:claim_id>/withdraw", "claims.withdraw"),
    (
        "/moderation/claims/<int:claim_id>/<any(accept, reject):decision>",
        "moderation.claim_action",
    ),
    ("/shops/<int:shop_id>/merchant", "merchants.edit"),
    ("/revisions/<int:revision_id>/revert", "merchants.revert"),
    ("/shops/<int:shop_id>/products/new", "products.new"),
    ("/products/<int:product_id>/edit", "products.edit"),
    ("/products/<int:product_id>/delete", "products.delete"),
    ("/products/<int:product_id>/<any(hide, restore):action>", "products.moderate"),
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


def first_tip_id(app, shop_id: int) -> int:
    """The oldest tip on the shop: the scene's, by ``other_member``."""
    with app.app_context():
        return db.session.scalar(select(Tip.id).where(Tip.shop_id == shop_id).order_by(Tip.id))


def first_claim_id(app, shop_id: int) -> int:
    """The oldest claim on the shop: on the scene's, ``other_member``'s."""
    with app.app_context():
        return db.session.scalar(
            select(Claim.id).where(Claim.shop_id == shop_id).order_by(Claim.id)
        )


def first_product_id(app, shop_id: int) -> int:
    """The oldest product of the shop's window: on the scene's, ``other_member``'s suggestion."""
    with app.app_context():
        return db.session.scalar(
            select(Product.id).where(Product.shop_id == shop_id).order_by(Product.id)
        )


def verified_shop_id(app) -> int:
    """The scene's shop verified by ``merchant``."""
    with app.app_context():
        return db.session.scalar(
            select(Shop.id).where(Shop.merchant_id.is_not(None)).order_by(Shop.id)
        )


SITE = "https://www.boulangerie-du-marche.be/"
CLAIM_EMAIL = "patron@boulangerie-du-marche.be"
CLAIM_PHONE = "+32 63 21 00 00"
# The code mailed for the scene's claim (the database keeps only its hash).
CLAIM_CODE = "246810"


@pytest.fixture
def merchant(make_user) -> User:
    """The member whose claim on the scene's verified shop a moderator accepted."""
    return make_user("Marchande")


@pytest.fixture
def scene(app, member, other_member, merchant, moderator, shop_in_arlon, make_shop):
    """A shop by ``member`` that ``other_member`` has upvoted and tipped, so unvote, tip edits
    and deletions have work to do; ``other_member`` has also claimed it by email (the code not
    entered yet, a new one may be asked for) and suggested a product for its window. A second
    shop by ``member`` is verified by ``merchant``, who has edited its hours once."""
    add_vote(app, other_member.id, shop_in_arlon.id)
    set_shop(app, shop_in_arlon.id, website=SITE)
    verified = make_shop(name="Crémerie du Beffroi", town="Namur", postcode="5000")
    with app.app_context():
        claimant = db.session.get(User, other_member.id)
        add_tip(claimant, shop_in_arlon.id, "Le pain du mardi.")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(claims.secrets, "randbelow", lambda _n: int(CLAIM_CODE))
            started = claims.start_claim(claimant, shop_in_arlon.id, email=CLAIM_EMAIL)
        assert started.code == CLAIM_CODE
        # Sent a while ago: the code still works, and a new one may be asked for.
        started.claim.email_code_sent_at = utcnow() - 2 * claims.CODE_RESEND_COOLDOWN
        add_product(claimant, shop_in_arlon.id, ProductInput(name="Cramique du dimanche"))
        accepted = claims.start_claim(
            db.session.get(User, merchant.id), verified.id, phone=CLAIM_PHONE
        )
        claims.accept_claim(
            db.session.get(User, moderator.id), accepted.claim.id, "Numéro de la fiche rappelé."
        )
        update_practical_info(
            db.session.get(User, merchant.id),
            db.session.get(Shop, verified.id),
            PracticalInfo(opening_hours="Mo-Sa 08:00-18:00"),
        )
        db.session.commit()
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
    "shops.delete": lambda app, shop: (f"/shops/{shop.id}/delete", {}),
    "tips.create": lambda app, shop: (
        f"/shops/{shop.id}/tips",
        {"body": "Demandez les pralines maison."},
    ),
    "tips.edit": lambda app, shop: (
        f"/tips/{first_tip_id(app, shop.id)}/edit",
        {"body": "Conseil réécrit par un anonyme."},
    ),
    "tips.delete": lambda app, shop: (f"/tips/{first_tip_id(app, shop.id)}/delete", {}),
    # Anyone but the shop's author (who may only report it closed) may flag it...
    "flags.shop": lambda app, shop: (f"/shops/{shop.id}/flag", {"reason": "spam"}),
    # ... and anyone but the tip's author (``other_member`` in the scene) may flag the tip.
    "flags.tip": lambda app, shop: (
        f"/tips/{first_tip_id(app, shop.id)}/flag",
        {"reason": "offensive"},
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
    "claims.new": lambda app, shop: (
        f"/shops/{shop.id}/claim",
        {"phone": CLAIM_PHONE, "note": "Je tiens la caisse le samedi."},
    ),
    "claims.code": lambda app, shop: (
        f"/claims/{first_claim_id(app, shop.id)}/code",
        {"code": CLAIM_CODE},
    ),
    "claims.resend": lambda app, shop: (f"/claims/{first_claim_id(app, shop.id)}/resend", {}),
    "claims.send_on": lambda app, shop: (f"/claims/{first_claim_id(app, shop.id)}/send", {}),
    "claims.withdraw": lambda app, shop: (f"/claims/{first_claim_id(app, shop.id)}/withdraw", {}),
    "merchants.edit": lambda app, shop: (
        f"/shops/{verified_shop_id(app)}/merchant",
        {"opening_hours": "Tu-Su 07:00-13:00", "merchant_answer": "Réponse d'un anonyme."},
    ),
    "products.new": lambda app, shop: (
        f"/shops/{shop.id}/products/new",
        {"name": "Pralines maison", "price": "12,50"},
    ),
    "products.edit": lambda app, shop: (
        f"/products/{first_product_id(app, shop.id)}/edit",
        {"name": "Produit réécrit par un anonyme", "price": "1"},
    ),
    "products.delete": lambda app, shop: (
        f"/products/{first_product_id(app, shop.id)}/delete",
        {},
    ),
}
# Who may really use each route of the merchants' claims and shop windows in the scene: the
# member who is none of the above ("newcomer": Chloé), the claimant and product author
# (``other_member``), the verified merchant. The control of the walks of the anonymous visitor,
# of the wrong member and of the banned member.
RIGHTFUL_MEMBER = {
    "claims.new": "newcomer",
    "claims.code": "other_member",
    "claims.resend": "other_member",
    "claims.send_on": "other_member",
    "claims.withdraw": "other_member",
    "merchants.edit": "merchant",
    "products.new": "newcomer",
    "products.edit": "other_member",
    "products.delete": "other_member",
}
# The routes acting on something of one member's: their claim, their listing, their product.
OWNED = sorted(endpoint for endpoint, who in RIGHTFUL_MEMBER.items() if who != "newcomer")


# --- The route inventory -----------------------------------------------------------------------


def test_every_post_route_is_known_to_this_suite(app):
    found = {
        (rule.rule, rule.endpoint) for rule in app.url_map.iter_rules() if "POST" in rule.methods
    }
    assert found == POST_ROUTES


def test_every_post_route_is_either_public_or_walked_anonymously():
    """Public, member-only (login redirect) or moderator-only (403): exactly one of the three."""
    endpoints = {endpoint for _rule, endpoint in POST_ROUTES}
    groups = (set(MEMBER_ONLY_REQUESTS), set(MODERATOR_ONLY_REQUESTS), PUBLIC_BY_DESIGN)
    assert set().union(*groups) == endpoints
    assert sum(len(group) for group in groups) == len(endpoints)  # no endpoint in two groups


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


@pytest.mark.parametrize(
    "url",
    [
        "/shops/new",
        "/shops/{id}/edit",
        "/me",
        "/shops/{id}/claim",
        "/shops/{id}/products/new",
        "/shops/{id}/merchant",
    ],
)
def test_anonymous_get_of_a_member_page_is_sent_to_login(browser, shop_in_arlon, url):
    response = browser.get(url.format(id=shop_in_arlon.id))
    assert is_login_redirect(response)


def test_member_route_requests_really_change_things_when_logged_in(
    app, browser, scene, member, other_member, make_user
):
    """Control for the anonymous walk (and for the banned member below): the same requests by
    the author (or, for the vote and the flags, by a member who is not the author) do change the
    data."""
    voter = make_user("Chloé")
    for email, endpoint in (
        (member.email, "shops.new"),
        (member.email, "shops.edit"),
        (member.email, "tips.create"),
        (voter.email, "votes.vote"),
        (voter.email, "flags.shop"),
        (voter.email, "flags.tip"),
        (other_member.email, "tips.edit"),
        (other_member.email, "tips.delete"),
        (member.email, "shops.delete"),  # last: the shop is gone afterwards
    ):
        browser.login(email)
        url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
        before = snapshot(app)
        response = browser.post(url, data)
        assert response.status_code == 302, endpoint
        assert snapshot(app) != before, endpoint
        browser.logout()


def rightful_member(request, make_user, endpoint: str) -> User:
    """The member who may use ``endpoint`` in the scene (see ``RIGHTFUL_MEMBER``)."""
    who = RIGHTFUL_MEMBER[endpoint]
    return make_user("Chloé") if who == "newcomer" else request.getfixturevalue(who)


@pytest.mark.parametrize("endpoint", sorted(RIGHTFUL_MEMBER))
def test_claim_and_window_requests_really_change_things_for_the_rightful_member(
    app, browser, scene, request, make_user, endpoint
):
    """Control for the walks of claims and shop windows: each request, by the member it is
    for, changes the data (one by one: entering the code, asking for a new one and sending the
    claim on without it each need the claim still waiting for its code)."""
    browser.login(rightful_member(request, make_user, endpoint).email)
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
    before = snapshot(app)
    response = browser.post(url, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert snapshot(app) != before


# --- The wrong member, and moderators ----------------------------------------------------------


@pytest.mark.parametrize("endpoint", OWNED)
def test_another_member_cannot_act_on_a_claim_listing_or_product_not_theirs(
    app, browser, scene, member, endpoint
):
    """``member`` posted both shops of the scene, and is neither the claimant, nor the merchant,
    nor the product's author: someone else's claim is not found, the rest is refused."""
    browser.login(member.email)
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
    before = snapshot(app)
    response = browser.post(url, data)
    assert response.status_code == (404 if endpoint.startswith("claims.") else 403)
    assert snapshot(app) == before


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


@pytest.mark.parametrize("reason", ["wrong_info", "duplicate", "spam", "offensive", "other"])
def test_an_author_cannot_flag_their_own_shop(app, browser, member, scene, make_shop, reason):
    """Everything but "closed" is the author's to fix by editing; the form is otherwise valid."""
    twin = make_shop(name="Fromagerie des Trois Rivières", town="Namur", postcode="5000")
    browser.login(member.email)
    before = snapshot(app)
    response = browser.post(
        f"/shops/{scene.id}/flag",
        {"reason": reason, "note": "Une précision.", "duplicate_of": str(twin.id)},
    )
    assert response.status_code == 400
    assert snapshot(app) == before


def test_an_author_may_report_their_own_shop_closed(app, browser, member, scene):
    """Control for the test above: the author's closure report is a flag like any other."""
    browser.login(member.email)
    response = browser.post(f"/shops/{scene.id}/flag", {"reason": "closed"})
    assert response.status_code == 302
    with app.app_context():
        flag = db.session.scalar(select(Flag).where(Flag.shop_id == scene.id))
        assert (flag.reporter_id, flag.reason) == (member.id, "closed")


def test_an_author_cannot_flag_their_own_tip(app, browser, other_member, scene):
    """``other_member`` wrote the scene's tip; ``member`` flagging it is the control above."""
    browser.login(other_member.email)
    url, data = MEMBER_ONLY_REQUESTS["flags.tip"](app, scene)
    before = snapshot(app)
    response = browser.post(url, data)
    assert response.status_code == 400
    assert snapshot(app) == before


@pytest.mark.parametrize("endpoint", ["flags.shop", "flags.tip"])
def test_a_member_must_confirm_their_email_before_flagging(
    app, browser, scene, make_user, endpoint
):
    newcomer = make_user("Denise", confirmed=False)
    browser.login(newcomer.email)
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
    before = snapshot(app)
    response = browser.post(url, data)
    assert response.status_code != 302
    assert snapshot(app) == before
    # Control: once confirmed, the same request is a flag.
    set_user(app, newcomer.id, email_confirmed_at=utcnow())
    assert browser.post(url, data).status_code == 302
    assert snapshot(app) != before


# --- Banned members ----------------------------------------------------------------------------


def test_a_banned_member_cannot_log_in(app, browser, member):
    set_user(app, member.id, is_banned=True)
    response = browser.login(member.email)
    assert response.status_code == 400
    assert is_login_redirect(browser.get("/shops/new"))


@pytest.mark.parametrize(
    "endpoint",
    [
        "shops.new",
        "votes.vote",
        "tips.create",
        "flags.shop",
        "flags.tip",
        "claims.new",
        "products.new",
    ],
)
def test_a_banned_member_cannot_post_vote_tip_or_flag(app, browser, scene, make_user, endpoint):
    """Chloé, the author of nothing in the scene, could do each of these until banned (see the
    controls above)."""
    banned = make_user("Chloé")
    browser.login(banned.email)
    set_user(app, banned.id, is_banned=True)
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
    before = snapshot(app)
    response = browser.post(url, data)
    assert is_login_redirect(response)
    assert snapshot(app) == before


@pytest.mark.parametrize("endpoint", OWNED)
def test_a_banned_claimant_merchant_or_author_can_no_longer_act(
    app, browser, scene, request, make_user, endpoint
):
    """The claimant, the merchant and the product's author could each do this until banned
    (see the control above)."""
    actor = rightful_member(request, make_user, endpoint)
    browser.login(actor.email)
    set_user(app, actor.id, is_banned=True)
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
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


@pytest.mark.parametrize("status", ["hidden", "pending", "merged", "closed"])
@pytest.mark.parametrize("endpoint", ["flags.shop", "flags.tip"])
def test_flagging_a_shop_that_is_not_visible_or_its_tip_is_404(
    app, browser, scene, make_user, endpoint, status
):
    """Nothing to report on what visitors cannot see (a closed shop's page is history)."""
    set_shop(app, scene.id, status=status)
    browser.login(make_user("Chloé").email)
    url, data = MEMBER_ONLY_REQUESTS[endpoint](app, scene)
    before = snapshot(app)
    response = browser.post(url, data)
    assert response.status_code == 404
    assert snapshot(app) == before


def test_flagging_a_hidden_tip_is_404(app, browser, member, scene):
    url, data = MEMBER_ONLY_REQUESTS["flags.tip"](app, scene)
    with app.app_context():
        db.session.execute(update(Tip).where(Tip.shop_id == scene.id).values(is_hidden=True))
        db.session.commit()
    browser.login(member.email)
    before = snapshot(app)
    assert browser.post(url, data).status_code == 404
    assert snapshot(app) == before


# --- Moderators' routes: 403 for everyone else, never a login redirect ------------------------


@pytest.fixture
def moderation_scene(app, scene, member, other_member, moderator, make_shop, make_user):
    """``scene``, plus what each moderator action needs in order to succeed: a shop waiting for
    review, a hidden one, another visible one to keep in a merge, and ``member``'s open flag on
    ``other_member``'s tip (``other_member`` is the one warned and banned); Claude's open claim
    on the kept shop (to accept), ``other_member``'s claim sent on without its code (to
    reject), a product hidden by a moderator (to restore) and the merchant's edit (to revert)."""
    pending = make_shop(name="Épicerie en attente", town="Namur", postcode="5000")
    hidden = make_shop(name="Friterie masquée", town="Liège", postcode="4000")
    kept = make_shop(name="Librairie des Capucins", town="Bastogne", postcode="6600")
    claude = make_user("Claude")
    set_shop(app, pending.id, status="pending")
    set_shop(app, hidden.id, status="hidden")
    tip_id = first_tip_id(app, scene.id)
    scene_claim_id = first_claim_id(app, scene.id)
    with app.app_context():
        flag = flag_tip(db.session.get(User, member.id), tip_id, "offensive")
        to_accept = claims.start_claim(db.session.get(User, claude.id), kept.id, phone=CLAIM_PHONE)
        author = db.session.get(User, other_member.id)
        to_reject = claims.send_without_code(author, scene_claim_id)
        hidden_product = add_product(author, scene.id, ProductInput(name="Galettes au beurre"))
        hide_product(db.session.get(User, moderator.id), hidden_product.id, REASON["reason"])
        db.session.commit()
        ids = {
            "flag": flag.id,
            "claim": to_accept.claim.id,
            "open_claim": to_reject.id,
            "hidden_product": hidden_product.id,
        }
    return {
        "shop": scene.id,
        "pending": pending.id,
        "hidden": hidden.id,
        "kept": kept.id,
        "tip": tip_id,
        "user": other_member.id,
        "product": first_product_id(app, scene.id),
        "revision": first_revision_id(app),
        **ids,
    }


def first_revision_id(app) -> int:
    """The merchant's edit of the scene's verified shop."""
    with app.app_context():
        return db.session.scalar(select(ShopRevision.id).order_by(ShopRevision.id))


REASON = {"reason": "Vu par l'équipe de modération."}
# What a moderator would send through each moderator-only route, in an order in which every
# request succeeds (each action on a shop in the state it needs).
MODERATOR_ONLY_REQUESTS = {
    "moderation.shop_action": lambda ids: [
        (f"/moderation/shops/{ids['pending']}/approve", REASON),
        (f"/moderation/shops/{ids['shop']}/hide", REASON),
        (f"/moderation/shops/{ids['hidden']}/restore", REASON),
        (f"/moderation/shops/{ids['kept']}/close", REASON),
    ],
    "moderation.merge": lambda ids: [
        (f"/moderation/shops/{ids['shop']}/merge", {**REASON, "into": str(ids["kept"])})
    ],
    "moderation.dismiss": lambda ids: [(f"/moderation/flags/{ids['flag']}/dismiss", REASON)],
    "moderation.delete_tip": lambda ids: [(f"/moderation/tips/{ids['tip']}/delete", REASON)],
    "moderation.ban": lambda ids: [
        (f"/moderation/users/{ids['user']}/ban", {**REASON, "days": "3"})
    ],
    "moderation.warn": lambda ids: [(f"/moderation/users/{ids['user']}/warn", REASON)],
    "moderation.claim_action": lambda ids: [
        (f"/moderation/claims/{ids['claim']}/accept", REASON),
        (f"/moderation/claims/{ids['open_claim']}/reject", REASON),
    ],
    "merchants.revert": lambda ids: [(f"/revisions/{ids['revision']}/revert", REASON)],
    "products.moderate": lambda ids: [
        (f"/products/{ids['product']}/hide", REASON),
        (f"/products/{ids['hidden_product']}/restore", REASON),
    ],
}
NOT_MODERATORS = ["visitor", "member", "banned member", "banned moderator"]


def moderator_route_cases() -> list:
    """Each moderator-only endpoint with each kind of non-moderator."""
    return [
        pytest.param(
            endpoint,
            who,
            id=f"{endpoint}-{who}",
        )
        for endpoint in sorted(MODERATOR_ONLY_REQUESTS)
        for who in NOT_MODERATORS
    ]


def log_in_as(app, browser, make_user, member, who: str) -> None:
    """Leave ``browser`` as ``who``: nobody, ``member``, or a banned member or moderator."""
    if who == "member":
        browser.login(member.email)
    elif who.startswith("banned"):
        role = Role.MODERATOR if who == "banned moderator" else Role.MEMBER
        banned = make_user("Ancien Modo" if role == Role.MODERATOR else "Chloé", role=role)
        browser.login(banned.email)
        set_user(app, banned.id, is_banned=True)


@pytest.mark.parametrize(("endpoint", "who"), moderator_route_cases())
def test_a_moderator_route_refuses_everyone_else_with_403(
    app, browser, moderation_scene, member, make_user, mailbox, endpoint, who
):
    log_in_as(app, browser, make_user, member, who)
    before = snapshot(app)
    for url, data in MODERATOR_ONLY_REQUESTS[endpoint](moderation_scene):
        response = browser.post(url, data)
        assert response.status_code == 403, url  # not a login redirect, even for a visitor
    assert snapshot(app) == before
    assert mailbox.messages() == []


@pytest.mark.parametrize("who", ["visitor", "banned member", "banned moderator"])
def test_a_revert_without_a_moderators_session_changes_nothing(
    app, browser, moderation_scene, member, make_user, mailbox, who
):
    """What the known defect above still guarantees, whatever the answer: nothing reverted."""
    log_in_as(app, browser, make_user, member, who)
    before = snapshot(app)
    for url, data in MODERATOR_ONLY_REQUESTS["merchants.revert"](moderation_scene):
        response = browser.post(url, data)
        assert response.status_code == 403 or is_login_redirect(response), url
    assert snapshot(app) == before
    assert mailbox.messages() == []


@pytest.mark.parametrize("endpoint", sorted(MODERATOR_ONLY_REQUESTS))
def test_a_moderator_route_really_changes_things_for_a_moderator(
    app, browser, moderation_scene, moderator, mailbox, endpoint
):
    """Control for the test above: the same requests by a moderator succeed, one by one."""
    browser.login(moderator.email)
    for url, data in MODERATOR_ONLY_REQUESTS[endpoint](moderation_scene):
        before = snapshot(app)
        response = browser.post(url, data)
        assert response.status_code == 302, url
        assert snapshot(app) != before, url
    if endpoint == "moderation.warn":
        assert mailbox.messages()


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


@pytest.mark.parametrize("actor", ANONYMOUS_ACTORS, ids=["none", "anonymous"])
def test_flag_services_refuse_an_anonymous_reporter(ctx, scene, actor):
    with pytest.raises(PermissionDenied):
        flag_shop(actor, scene.id, "spam")
    with pytest.raises(PermissionDenied):
        flag_tip(actor, db.session.scalar(select(Tip.id)), "offensive")
    assert db.session.scalar(select(Flag.id)) is None


def test_flag_services_refuse_a_banned_member(ctx, make_user, scene):
    reporter = db.session.get(User, make_user("Chloé").id)
    reporter.is_banned = True
    with pytest.raises(PermissionDenied):
        flag_shop(reporter, scene.id, "spam")
    with pytest.raises(PermissionDenied):
        flag_tip(reporter, db.session.scalar(select(Tip.id)), "offensive")


def test_flag_services_refuse_the_author(ctx, member, other_member, scene):
    with pytest.raises(PermissionDenied):
        flag_shop(db.session.get(User, member.id), scene.id, "spam")
    with pytest.raises(PermissionDenied):
        flag_tip(db.session.get(User, other_member.id), db.session.scalar(select(Tip.id)), "spam")


def member_operations(shop_id: int) -> dict:
    """Each claim, listing and window operation behind ``RIGHTFUL_MEMBER``'s routes, as a call
    taking the actor, on the scene."""
    claim_id = db.session.scalar(select(Claim.id).where(Claim.shop_id == shop_id))
    product_id = db.session.scalar(select(Product.id).where(Product.shop_id == shop_id))
    verified = db.session.scalar(select(Shop).where(Shop.merchant_id.is_not(None)))
    hours = PracticalInfo(opening_hours="Tu-Su 07:00-13:00")
    return {
        "claims.new": lambda actor: claims.start_claim(actor, shop_id, phone=CLAIM_PHONE),
        "claims.code": lambda actor: claims.confirm_code(actor, claim_id, CLAIM_CODE),
        "claims.resend": lambda actor: claims.resend_code(actor, claim_id),
        "claims.send_on": lambda actor: claims.send_without_code(actor, claim_id),
        "claims.withdraw": lambda actor: claims.withdraw_claim(actor, claim_id),
        "merchants.edit": lambda actor: update_practical_info(actor, verified, hours),
        "products.new": lambda actor: add_product(actor, shop_id, ProductInput(name="Pralines")),
        "products.edit": lambda actor: edit_product(actor, product_id, ProductInput(name="Pain")),
        "products.delete": lambda actor: delete_product(actor, product_id),
    }


@pytest.mark.parametrize("actor", ANONYMOUS_ACTORS, ids=["none", "anonymous"])
@pytest.mark.parametrize("endpoint", sorted(RIGHTFUL_MEMBER))
def test_claim_listing_and_window_services_refuse_an_anonymous_actor(ctx, scene, endpoint, actor):
    with pytest.raises(PermissionDenied):
        member_operations(scene.id)[endpoint](actor)


@pytest.mark.parametrize("endpoint", sorted(RIGHTFUL_MEMBER))
def test_claim_listing_and_window_services_refuse_their_member_once_banned(
    ctx, scene, request, make_user, endpoint
):
    actor = db.session.get(User, rightful_member(request, make_user, endpoint).id)
    actor.is_banned = True
    with pytest.raises(PermissionDenied):
        member_operations(scene.id)[endpoint](actor)


@pytest.mark.parametrize("endpoint", sorted(RIGHTFUL_MEMBER))
def test_claim_listing_and_window_services_accept_their_member(
    ctx, scene, request, make_user, endpoint
):
    """Control for the two tests above."""
    actor = db.session.get(User, rightful_member(request, make_user, endpoint).id)
    assert member_operations(scene.id)[endpoint](actor) is not None


def moderation_operations(ids: dict[str, int]) -> dict:
    """Each moderation operation, as a call taking the actor, on the moderation scene."""
    reason = REASON["reason"]

    def target() -> User:
        return db.session.get(User, ids["user"])

    return {
        "approve": lambda actor: actions.approve_shop(actor, ids["pending"], reason),
        "hide": lambda actor: actions.hide_shop(actor, ids["shop"], reason),
        "restore": lambda actor: actions.restore_shop(actor, ids["hidden"], reason),
        "close": lambda actor: actions.close_shop(actor, ids["kept"], reason),
        "merge": lambda actor: actions.merge_shops(actor, ids["shop"], ids["kept"], reason),
        "dismiss": lambda actor: actions.dismiss_flag(actor, ids["flag"], reason),
        "delete_tip": lambda actor: actions.delete_tip(actor, ids["tip"], reason),
        "ban": lambda actor: ban_member(actor, target(), reason, 3),
        "warn": lambda actor: actions.warn_member(actor, target(), reason),
        "accept_claim": lambda actor: claims.accept_claim(actor, ids["claim"], reason),
        "reject_claim": lambda actor: claims.reject_claim(actor, ids["open_claim"], reason),
        "revert": lambda actor: revert_revision(actor, ids["revision"], reason),
        "hide_product": lambda actor: hide_product(actor, ids["product"], reason),
        "restore_product": lambda actor: restore_product(actor, ids["hidden_product"], reason),
    }


OPERATIONS = [
    "approve",
    "hide",
    "restore",
    "close",
    "merge",
    "dismiss",
    "delete_tip",
    "ban",
    "warn",
    "accept_claim",
    "reject_claim",
    "revert",
    "hide_product",
    "restore_product",
]


@pytest.mark.parametrize("who", ["anonymous", "member", "banned moderator"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_moderation_operations_refuse_whoever_is_not_a_moderator(
    app, moderation_scene, member, make_user, operation, who
):
    if who == "banned moderator":
        actor_id = make_user("Ancien Modo", role=Role.MODERATOR, is_banned=True).id
    else:
        actor_id = member.id
    before = snapshot(app)
    with app.app_context():
        actor = AnonymousUserMixin() if who == "anonymous" else db.session.get(User, actor_id)
        with pytest.raises(PermissionDenied):
            moderation_operations(moderation_scene)[operation](actor)
        db.session.rollback()
    assert snapshot(app) == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_moderation_operations_accept_a_moderator(app, moderation_scene, moderator, operation):
    """Control for the test above."""
    with app.app_context():
        moderation_operations(moderation_scene)[operation](db.session.get(User, moderator.id))
        db.session.rollback()
