"""Issue 7: every moderation route refuses whoever is not a moderator (403, nothing changed),
found by walking the whole URL map so a new route cannot be forgotten; issue 9 added the
claims' decisions, and moderators' routes outside the moderation pages (products, listing
history)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from directory.accounts.models import Role, User
from directory.extensions import db
from directory.merchants import claims
from directory.merchants.editing import PracticalInfo, update_practical_info
from directory.moderation.flags import flag_shop
from directory.products.services import ProductInput, add_product, hide_product
from directory.shops.models import Shop
from directory.timeutil import utcnow
from directory.tips.services import add_tip
from tests.conftest import Browser
from tests.conftest import database_snapshot as snapshot

PUBLIC = {"moderation.log"}
# Moderators' routes outside the moderation blueprint, walked with it.
ELSEWHERE = {"products.moderate"}
# The values of each route's fixed-choice argument.
CHOICES = {
    "moderation.shop_action": ("action", ("approve", "hide", "restore", "close")),
    "moderation.claim_action": ("decision", ("accept", "reject")),
    "products.moderate": ("action", ("hide", "restore")),
}


def form(scene: dict[str, int]) -> dict[str, str]:
    """What a moderator would send: enough for each action to succeed if it were allowed."""
    return {"reason": "parce que", "into": str(scene["kept"]), "days": "3"}


@pytest.fixture
def scene(app, make_shop, make_user, member, other_member, moderator):
    """A pending shop, a published one with a flagged tip, an open claim on it and two products
    in its window (one hidden), a shop verified by its merchant who edited it once, and their
    ids for every URL."""
    newcomer = make_user("Nouvelle", trusted=False)
    merchant = make_user("Marchande")
    pending = make_shop(author=newcomer, name="En attente")
    shop = make_shop(name="Publiée", town="Namur", postcode="5000")
    verified = make_shop(name="Vérifiée", town="Liège", postcode="4000")
    with app.app_context():
        author = db.session.get(User, other_member.id)
        modo = db.session.get(User, moderator.id)
        tip = add_tip(author, shop.id, "Un conseil")
        flag = flag_shop(author, shop.id, "spam")
        claim = claims.start_claim(author, shop.id, phone="+32 81 22 00 00").claim
        product = add_product(author, shop.id, ProductInput(name="Pain au levain"))
        hidden = add_product(author, shop.id, ProductInput(name="Pain brûlé"))
        hide_product(modo, hidden.id, "Photo d'un autre commerce")
        db.session.execute(
            update(Shop)
            .where(Shop.id == verified.id)
            .values(merchant_id=merchant.id, verified_at=utcnow())
        )
        revision = update_practical_info(
            db.session.get(User, merchant.id),
            db.session.get(Shop, verified.id),
            PracticalInfo(opening_hours="Mo-Sa 08:00-18:00"),
        )
        db.session.commit()
        return {
            "shop_id": pending.id,
            "tip_id": tip.id,
            "flag_id": flag.id,
            "user_id": newcomer.id,
            "kept": shop.id,
            "claim_id": claim.id,
            "product_id": product.id,
            "hidden_product_id": hidden.id,
            "verified_shop_id": verified.id,
            "revision_id": revision.id,
        }


def _urls(rule, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(method, url) of one rule, for each value of its fixed-choice argument if it has one."""
    values = {arg: ids[arg] for arg in rule.arguments if arg in ids}
    arg, choices = CHOICES.get(rule.endpoint, (None, (None,)))
    found = []
    for choice in choices:
        filled = dict(values) if arg is None else {**values, arg: choice}
        if rule.endpoint == "products.moderate" and choice == "restore":
            # Restoring is for a hidden product: a visible one's form sends back to the window.
            filled["product_id"] = ids["hidden_product_id"]
        found += [(method, rule.build(filled)[1]) for method in _methods(rule)]
    return found


def moderation_urls(app, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(method, url) of every moderation route but the public log, and of the moderators'
    routes elsewhere, filled with real ids."""
    found = []
    for rule in app.url_map.iter_rules():
        in_blueprint = rule.endpoint.startswith("moderation.") and rule.endpoint not in PUBLIC
        if in_blueprint or rule.endpoint in ELSEWHERE:
            found += _urls(rule, ids)
    return found


def _methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


def logged_in_as(app, make_user, who: str) -> Browser:
    """A browser of a visitor, a member, or a moderator banned once logged in."""
    browser = Browser(app.test_client())
    if who == "member":
        browser.login(make_user("Curieux").email)
    elif who == "banned moderator":
        former = make_user("Ancien Modo", role=Role.MODERATOR)
        browser.login(former.email)
        with app.app_context():
            db.session.get(User, former.id).is_banned = True
            db.session.commit()
    return browser


def test_the_walk_covers_the_queue_and_every_action(app, scene):
    urls = {url for _method, url in moderation_urls(app, scene)}
    for expected in (
        "/moderation/queue",
        f"/moderation/shops/{scene['shop_id']}/approve",
        f"/moderation/shops/{scene['shop_id']}/merge",
        f"/moderation/flags/{scene['flag_id']}/dismiss",
        f"/moderation/users/{scene['user_id']}/ban",
        f"/moderation/claims/{scene['claim_id']}",
        f"/moderation/claims/{scene['claim_id']}/accept",
        f"/moderation/claims/{scene['claim_id']}/reject",
        f"/products/{scene['product_id']}/hide",
        f"/products/{scene['hidden_product_id']}/restore",
    ):
        assert expected in urls


@pytest.mark.parametrize("who", ["visitor", "member", "banned moderator"])
def test_every_moderation_route_refuses_non_moderators(app, scene, make_user, who):
    browser = logged_in_as(app, make_user, who)
    before = snapshot(app)
    for method, url in moderation_urls(app, scene):
        response = browser.get(url) if method == "GET" else browser.post(url, form(scene))
        assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot(app) == before


def test_the_same_walk_as_a_moderator_is_allowed(app, scene, moderator):
    """Control for the test above: the routes do answer a moderator."""
    browser = Browser(app.test_client())
    browser.login(moderator.email)
    for method, url in moderation_urls(app, scene):
        if method == "GET":
            assert browser.get(url).status_code == 200, url
    approve = browser.post(f"/moderation/shops/{scene['shop_id']}/approve", form(scene))
    assert approve.status_code == 302


def history_urls(ids: dict[str, int]) -> list[tuple[str, str]]:
    """The listing history (moderators read it) and the revert of one of its edits."""
    return [
        ("GET", f"/shops/{ids['verified_shop_id']}/history"),
        ("POST", f"/revisions/{ids['revision_id']}/revert"),
    ]


@pytest.mark.parametrize(
    "who",
    [
        "visitor",
        "member",
        "banned moderator",
    ],
)
def test_the_listing_history_and_its_reverts_refuse_non_moderators(app, scene, make_user, who):
    browser = logged_in_as(app, make_user, who)
    before = snapshot(app)
    for method, url in history_urls(scene):
        response = browser.get(url) if method == "GET" else browser.post(url, form(scene))
        assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot(app) == before


def test_the_listing_history_and_a_revert_answer_a_moderator(app, scene, moderator):
    """Control for the test above."""
    browser = Browser(app.test_client())
    browser.login(moderator.email)
    (_get, history), (_post, revert) = history_urls(scene)
    assert browser.get(history).status_code == 200
    before = snapshot(app)
    assert browser.post(revert, form(scene)).status_code == 302
    assert snapshot(app) != before
