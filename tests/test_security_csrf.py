"""Cross-site request forgery: every POST needs this visitor's own CSRF token, or nothing
happens and the answer is 400."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from directory.accounts.lifecycle import confirmation_token, password_reset_token
from directory.accounts.models import Role, User
from directory.extensions import db
from directory.merchants import claims
from directory.merchants.editing import PracticalInfo, update_practical_info
from directory.merchants.models import Claim, ShopRevision
from directory.moderation.flags import flag_shop
from directory.moderation.models import Flag
from directory.products.models import Product, ProductStatus
from directory.products.services import ProductInput, add_product, hide_product
from directory.shops.models import Category, Shop
from directory.timeutil import utcnow
from directory.tips.models import Tip
from directory.tips.services import add_tip
from directory.votes.services import upvote
from tests.conftest import PASSWORD, Browser
from tests.conftest import database_snapshot as snapshot

CSRF_MESSAGE = "Le formulaire a expiré ou n&#39;a pas été envoyé par ce site"


def bakery_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Category.id).where(Category.slug == "boulangerie"))


def shop_form(app, name: str) -> dict:
    return {
        "name": name,
        "category_id": str(bakery_id(app)),
        "postcode": "6700",
        "town": "Arlon",
        "country": "BE",
    }


NEW_PASSWORD = "girafe orange dans la baignoire"
# These only send a mail when they succeed: the control test looks at the mailbox.
MAIL_ONLY = {
    "account_links.resend_confirmation",
    "account_links.forgot_password",
    "settings.email",
}
# The four moderation actions on a shop share one rule and one endpoint; each is walked.
SHOP_ACTIONS = ("approve", "hide", "restore", "close")
# What ``fresh_shop`` must be for each action on it to succeed.
SHOP_STATUS_BEFORE = {"approve": "pending", "restore": "hidden"}
# Every endpoint whose one rule takes several actions, each walked (``endpoint:action``).
ACTIONS = {
    "moderation.shop_action": SHOP_ACTIONS,
    "moderation.claim_action": ("accept", "reject"),
    "products.moderate": ("hide", "restore"),
}
# Moderators' routes outside the moderation pages.
MODERATOR_ENDPOINTS_ELSEWHERE = {"merchants.revert", "products.moderate"}
SITE = "https://www.fleurs-de-gaume.be/"
CLAIM_EMAIL = "contact@fleurs-de-gaume.be"
CLAIM_PHONE = "+32 63 22 00 00"
# The code mailed for the member's claim (the database keeps only its hash).
CLAIM_CODE = "135790"


def endpoint_of(request_key: str) -> str:
    """``moderation.shop_action:hide`` is a request to the endpoint ``moderation.shop_action``."""
    return request_key.split(":")[0]


def prepare(app, member, fresh_shop, request_key: str) -> None:
    """Set up what the request needs to succeed, before the snapshot is taken: asking for the
    confirmation link again only does something for an unconfirmed member; the moderation
    routes need ``member`` to be a moderator, and approve or restore a shop in that state."""
    endpoint, _sep, action = request_key.partition(":")
    with app.app_context():
        if endpoint == "account_links.resend_confirmation":
            db.session.get(User, member.id).email_confirmed_at = None
        if endpoint.startswith("moderation.") or endpoint in MODERATOR_ENDPOINTS_ELSEWHERE:
            db.session.execute(update(User).where(User.id == member.id).values(role="moderator"))
        if endpoint == "moderation.shop_action" and action in SHOP_STATUS_BEFORE:
            db.session.execute(
                update(Shop)
                .where(Shop.id == fresh_shop.id)
                .values(status=SHOP_STATUS_BEFORE[action])
            )
        db.session.commit()


def mailed_tokens(app, email: str) -> tuple[str, str]:
    """A confirmation and a reset token for the member, as their mails would carry."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return confirmation_token(user), password_reset_token(user)


def tip_id(app, shop_id: int) -> int:
    """The id of the (one) tip on the shop: on ``voted_shop`` the member's, on ``fresh_shop``
    Florence's, in the scene below."""
    with app.app_context():
        return db.session.scalar(select(Tip.id).where(Tip.shop_id == shop_id))


def open_flag_id(app) -> int:
    """The scene's one flag: Florence's, on the member's shop."""
    with app.app_context():
        return db.session.scalar(select(Flag.id))


def claim_id(app, shop_id: int) -> int:
    """The (one) claim on the shop: on ``voted_shop`` the member's, waiting for its code; on
    the member's own shop Florence's, waiting for a moderator."""
    with app.app_context():
        return db.session.scalar(select(Claim.id).where(Claim.shop_id == shop_id))


def product_id(app, shop_id: int, status: ProductStatus = ProductStatus.VISIBLE) -> int:
    """On ``fresh_shop``: the member's suggestion, or (hidden) Florence's."""
    with app.app_context():
        return db.session.scalar(
            select(Product.id).where(Product.shop_id == shop_id, Product.status == status.value)
        )


def verified_shop_id(app) -> int:
    """Florence's fourth shop, verified by the member."""
    with app.app_context():
        return db.session.scalar(select(Shop.id).where(Shop.merchant_id.is_not(None)))


def revision_id(app) -> int:
    """The member's one edit of the shop they are the merchant of."""
    with app.app_context():
        return db.session.scalar(select(ShopRevision.id))


# Per POST endpoint (per action, for the shop actions): (whether the member is logged in, url,
# form data that would succeed with a token, once ``prepare`` has run).
def requests_by_endpoint(
    app, email, shop, voted_shop, fresh_shop
) -> dict[str, tuple[bool, str, dict]]:
    confirm, reset = mailed_tokens(app, email)
    tip = tip_id(app, voted_shop.id)
    florence = fresh_shop.author_id
    reason = {"reason": "Vu par la modération."}
    claim = claim_id(app, voted_shop.id)
    product = product_id(app, fresh_shop.id)
    return {
        "accounts.register": (
            False,
            "/register",
            {
                "email": "nouveau@example.org",
                "display_name": "Nouveau",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        ),
        "accounts.login": (False, "/login", {"email": email, "password": PASSWORD}),
        "accounts.logout": (True, "/logout", {}),
        "shops.new": (True, "/shops/new", shop_form(app, "Forgée ailleurs")),
        "shops.edit": (True, f"/shops/{shop.id}/edit", shop_form(app, "Renommée ailleurs")),
        "shops.delete": (True, f"/shops/{shop.id}/delete", {}),
        "votes.vote": (True, f"/shops/{fresh_shop.id}/vote", {}),
        "votes.unvote": (True, f"/shops/{voted_shop.id}/unvote", {}),
        "tips.create": (True, f"/shops/{shop.id}/tips", {"body": "Conseil forgé."}),
        "tips.edit": (True, f"/tips/{tip}/edit", {"body": "Conseil réécrit ailleurs."}),
        "tips.delete": (True, f"/tips/{tip}/delete", {}),
        "flags.shop": (True, f"/shops/{fresh_shop.id}/flag", {"reason": "spam"}),
        "flags.tip": (True, f"/tips/{tip_id(app, fresh_shop.id)}/flag", {"reason": "offensive"}),
        **{
            f"moderation.shop_action:{action}": (
                True,
                f"/moderation/shops/{fresh_shop.id}/{action}",
                reason,
            )
            for action in SHOP_ACTIONS
        },
        "moderation.merge": (
            True,
            f"/moderation/shops/{fresh_shop.id}/merge",
            {**reason, "into": str(voted_shop.id)},
        ),
        "moderation.dismiss": (True, f"/moderation/flags/{open_flag_id(app)}/dismiss", reason),
        "moderation.delete_tip": (
            True,
            f"/moderation/tips/{tip_id(app, fresh_shop.id)}/delete",
            reason,
        ),
        "moderation.ban": (True, f"/moderation/users/{florence}/ban", {**reason, "days": "7"}),
        "moderation.warn": (True, f"/moderation/users/{florence}/warn", reason),
        "account_links.confirm_link": (False, f"/confirm-email/{confirm}", {}),
        "account_links.resend_confirmation": (True, "/confirm-email", {}),
        "account_links.forgot_password": (False, "/forgot-password", {"email": email}),
        "account_links.reset_link": (
            False,
            f"/reset-password/{reset}",
            {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        "settings.profile": (True, "/settings/profile", {"display_name": "Forgé", "language": ""}),
        "settings.email": (
            True,
            "/settings/email",
            {"new_email-email": "forge@example.org", "new_email-current_password": PASSWORD},
        ),
        "settings.password": (
            True,
            "/settings/password",
            {
                "new_password-current_password": PASSWORD,
                "new_password-password": NEW_PASSWORD,
                "new_password-confirm": NEW_PASSWORD,
            },
        ),
        "settings.delete": (
            True,
            "/settings/delete",
            {"delete-current_password": PASSWORD, "delete-understood": "y"},
        ),
        "claims.new": (True, f"/shops/{fresh_shop.id}/claim", {"phone": CLAIM_PHONE}),
        "claims.code": (True, f"/claims/{claim}/code", {"code": CLAIM_CODE}),
        "claims.resend": (True, f"/claims/{claim}/resend", {}),
        "claims.send_on": (True, f"/claims/{claim}/send", {}),
        "claims.withdraw": (True, f"/claims/{claim}/withdraw", {}),
        **{
            f"moderation.claim_action:{decision}": (
                True,
                f"/moderation/claims/{claim_id(app, shop.id)}/{decision}",
                reason,
            )
            for decision in ACTIONS["moderation.claim_action"]
        },
        "merchants.edit": (
            True,
            f"/shops/{verified_shop_id(app)}/merchant",
            {"opening_hours": "Tu-Su 07:00-13:00", "merchant_answer": "Réponse forgée."},
        ),
        "merchants.revert": (True, f"/revisions/{revision_id(app)}/revert", reason),
        "products.new": (True, f"/shops/{fresh_shop.id}/products/new", {"name": "Forgé"}),
        "products.edit": (True, f"/products/{product}/edit", {"name": "Réécrit ailleurs"}),
        "products.delete": (True, f"/products/{product}/delete", {}),
        "products.moderate:hide": (True, f"/products/{product}/hide", reason),
        "products.moderate:restore": (
            True,
            f"/products/{product_id(app, fresh_shop.id, ProductStatus.HIDDEN)}/restore",
            reason,
        ),
    }


POST_ENDPOINTS = sorted(
    [
        "accounts.register",
        "accounts.login",
        "accounts.logout",
        "shops.new",
        "shops.edit",
        "shops.delete",
        "votes.vote",
        "votes.unvote",
        "tips.create",
        "tips.edit",
        "tips.delete",
        "flags.shop",
        "flags.tip",
        "moderation.shop_action",
        "moderation.merge",
        "moderation.dismiss",
        "moderation.delete_tip",
        "moderation.ban",
        "moderation.warn",
        "account_links.confirm_link",
        "account_links.resend_confirmation",
        "account_links.forgot_password",
        "account_links.reset_link",
        "settings.profile",
        "settings.email",
        "settings.password",
        "settings.delete",
        "claims.new",
        "claims.code",
        "claims.resend",
        "claims.send_on",
        "claims.withdraw",
        "moderation.claim_action",
        "merchants.edit",
        "merchants.revert",
        "products.new",
        "products.edit",
        "products.delete",
        "products.moderate",
    ]
)
# What the two tests below walk: every endpoint, and each action of those that take several.
POST_REQUESTS = sorted(
    {e for e in POST_ENDPOINTS if e not in ACTIONS}
    | {f"{endpoint}:{action}" for endpoint, actions in ACTIONS.items() for action in actions}
)


@pytest.fixture
def scene(app, member, make_shop, make_user):
    """``member`` is the author of one shop, has voted for and tipped another member's shop, and
    not yet voted for a third (one cannot vote for one's own); Florence, the author of the
    other two, has tipped the third and flagged the member's shop (for ``member`` to flag, or to
    handle as a moderator).

    For the merchants' routes: ``member`` has claimed the second shop by email (the code not
    entered yet, a new one may be asked for), suggested a product for the third, and is the
    verified merchant of a fourth of Florence's, edited once; Florence has claimed the member's
    shop (for ``member`` to decide as a moderator), and a product she suggested for the third
    was hidden by a moderator (to restore)."""
    shop = make_shop(name="Boucherie Lambert")
    florence = make_user("Florence")
    modo = make_user("Modo", role=Role.MODERATOR)
    voted = make_shop(author=florence, name="Fleurs de Gaume", website=SITE)
    fresh = make_shop(author=florence, name="Librairie du Marché")
    verified = make_shop(author=florence, name="Crémerie du Beffroi", town="Namur", postcode="5000")
    with app.app_context():
        me, her = db.session.get(User, member.id), db.session.get(User, florence.id)
        moderator = db.session.get(User, modo.id)
        upvote(me, voted.id)
        add_tip(me, voted.id, "Les pivoines du samedi.")
        add_tip(her, fresh.id, "Ouvert le dimanche matin.")
        flag_shop(her, shop.id, "wrong_info")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(claims.secrets, "randbelow", lambda _n: int(CLAIM_CODE))
            started = claims.start_claim(me, voted.id, email=CLAIM_EMAIL)
        # Sent a while ago: the code still works, and a new one may be asked for.
        started.claim.email_code_sent_at = utcnow() - 2 * claims.CODE_RESEND_COOLDOWN
        claims.start_claim(her, shop.id, phone=CLAIM_PHONE)
        add_product(me, fresh.id, ProductInput(name="Carnet de voyage"))
        hidden = add_product(her, fresh.id, ProductInput(name="Marque-page"))
        hide_product(moderator, hidden.id, "Photo d'un autre commerce.")
        accepted = claims.start_claim(me, verified.id, phone=CLAIM_PHONE)
        claims.accept_claim(moderator, accepted.claim.id, "Numéro de la fiche rappelé.")
        update_practical_info(
            me, db.session.get(Shop, verified.id), PracticalInfo(opening_hours="Mo-Sa 08:00-18:00")
        )
        db.session.commit()
    return shop, voted, fresh


@pytest.fixture
def other_visitors_token(app) -> str:
    """A genuine token, but issued to someone else's session."""
    return Browser(app.test_client()).csrf_token()


def test_this_suite_covers_every_post_route(app):
    found = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert found == set(POST_ENDPOINTS)


def test_the_requests_below_cover_every_post_endpoint(app, member, scene):
    shop, voted, fresh = scene
    requests = requests_by_endpoint(app, member.email, shop, voted, fresh)
    assert sorted(requests) == POST_REQUESTS
    assert {endpoint_of(key) for key in requests} == set(POST_ENDPOINTS)


def forged_tokens(other_token: str) -> dict[str, str | None]:
    return {
        "missing": None,
        "empty": "",
        "garbage": "not-a-token",
        "signed-with-another-key": (
            "IjJkYzVkNjZlMDBjYmE3ZjQ4ZGNmZGI2MzQ1MzE3NDAwNTFkODBkN2Yi.Z0000A.forgedSignature00000000"
        ),
        "another-visitors-token": other_token,
    }


@pytest.mark.parametrize(
    "token_kind",
    ["missing", "empty", "garbage", "signed-with-another-key", "another-visitors-token"],
)
@pytest.mark.parametrize("request_key", POST_REQUESTS)
def test_post_without_this_visitors_token_is_400_and_changes_nothing(
    app, browser, member, scene, other_visitors_token, mailbox, request_key, token_kind
):
    shop, voted, fresh = scene
    requests = requests_by_endpoint(app, member.email, shop, voted, fresh)
    needs_login, url, data = requests[request_key]
    prepare(app, member, fresh, request_key)
    if needs_login:
        browser.login(member.email)
    browser.csrf_token()  # this visitor has a token of their own in the session
    token = forged_tokens(other_visitors_token)[token_kind]
    if token is not None:
        data["csrf_token"] = token
    before = snapshot(app)
    response = browser.post(url, data, csrf=False)
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert snapshot(app) == before
    assert mailbox.messages() == []


@pytest.mark.parametrize("request_key", POST_REQUESTS)
def test_the_same_post_with_the_token_does_change_something(
    app, browser, member, scene, mailbox, request_key
):
    """Control for the test above: its requests are ones that would otherwise succeed."""
    shop, voted, fresh = scene
    requests = requests_by_endpoint(app, member.email, shop, voted, fresh)
    needs_login, url, data = requests[request_key]
    prepare(app, member, fresh, request_key)
    endpoint = endpoint_of(request_key)
    if needs_login:
        browser.login(member.email)
    before = snapshot(app)
    response = browser.post(url, data)
    assert response.status_code == 302
    if endpoint == "accounts.login":  # logging in writes nothing: it opens a session
        assert browser.get("/shops/new").status_code == 200
    elif endpoint in MAIL_ONLY:
        assert mailbox.messages()
    else:
        assert snapshot(app) != before
    if endpoint == "moderation.warn":  # logged (above), and mailed to the member
        assert mailbox.messages()


def test_logout_without_a_token_keeps_the_member_logged_in(app, browser, member):
    browser.login(member.email)
    response = browser.post("/logout", csrf=False)
    assert response.status_code == 400
    assert browser.get("/shops/new").status_code == 200


def test_logout_without_a_token_does_not_revoke_the_session(app, browser, member):
    browser.login(member.email)
    with app.app_context():
        token_before = db.session.scalar(select(User.session_token).where(User.id == member.id))
    browser.post("/logout", csrf=False)
    with app.app_context():
        token_after = db.session.scalar(select(User.session_token).where(User.id == member.id))
    assert token_after == token_before


def test_login_without_a_token_does_not_log_in(browser, member):
    response = browser.post("/login", {"email": member.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert browser.get("/shops/new").status_code == 302


def test_a_token_in_the_query_string_is_not_accepted(app, browser, member, scene):
    shop, _voted, _fresh = scene
    browser.login(member.email)
    token = browser.csrf_token()
    before = snapshot(app)
    response = browser.post(f"/shops/{shop.id}/vote?csrf_token={token}", csrf=False)
    assert response.status_code == 400
    assert snapshot(app) == before


def test_a_json_body_cannot_stand_in_for_the_form(app, browser, member, scene):
    shop, _voted, _fresh = scene
    browser.login(member.email)
    before = snapshot(app)
    response = browser.client.post(f"/shops/{shop.id}/tips", json={"body": "Conseil en JSON."})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_every_rendered_form_carries_a_token(app, browser, member, scene):
    shop, voted, fresh = scene
    pages = ["/login", "/register"]
    browser_pages = [
        "/shops/new",
        f"/shops/{shop.id}/edit",
        f"/shops/{shop.id}/delete",
        f"/shops/{shop.id}",
        f"/shops/{voted.id}",  # with the member's own tip and its buttons
        f"/tips/{tip_id(app, voted.id)}/edit",
        f"/shops/{fresh.id}/flag",
        f"/tips/{tip_id(app, fresh.id)}/flag",
        "/settings",
        f"/shops/{fresh.id}/claim",
        f"/claims/{claim_id(app, voted.id)}",  # with its buttons: new code, send on, withdraw
        f"/claims/{claim_id(app, voted.id)}/code",
        f"/shops/{verified_shop_id(app)}",  # the merchant's own listing
        f"/shops/{verified_shop_id(app)}/merchant",
        f"/shops/{fresh.id}/products/new",
        f"/products/{product_id(app, fresh.id)}/edit",
    ]
    for url in pages:
        page = browser.get(url).get_data(as_text=True)
        assert page.count("<form") == len(re.findall(r'name="(?:[\w-]+-)?csrf_token"', page)), url
    browser.login(member.email)
    for url in browser_pages:
        page = browser.get(url, follow_redirects=True).get_data(as_text=True)
        assert page.count("<form") == len(re.findall(r'name="(?:[\w-]+-)?csrf_token"', page)), url


def test_every_moderation_form_carries_a_token(app, browser, member, scene):
    shop, _voted, fresh = scene
    prepare(app, member, fresh, "moderation.queue")  # the member is a moderator
    browser.login(member.email)
    for url, forms_at_least in [
        ("/moderation/queue", 1),  # the logout button
        (f"/moderation/shops/{shop.id}", 3),  # flagged by Florence: the actions, and dismiss
        (f"/moderation/users/{fresh.author_id}", 3),  # warn and ban
        (f"/moderation/claims/{claim_id(app, shop.id)}", 3),  # accept and reject
        (f"/shops/{verified_shop_id(app)}/history", 2),  # revert
        (f"/products/{product_id(app, fresh.id)}/hide", 2),
        (f"/products/{product_id(app, fresh.id, ProductStatus.HIDDEN)}/restore", 2),
        (f"/shops/{fresh.id}-{fresh.slug}", 2),  # the window: the member's product's delete
    ]:
        response = browser.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert page.count("<form") >= forms_at_least, url
        assert page.count("<form") == len(re.findall(r'name="(?:[\w-]+-)?csrf_token"', page)), url
