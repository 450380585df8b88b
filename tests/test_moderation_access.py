"""Issue 7: every moderation route refuses whoever is not a moderator (403, nothing changed),
found by walking the whole URL map so a new route cannot be forgotten."""

from __future__ import annotations

import pytest

from directory.accounts.models import Role, User
from directory.extensions import db
from directory.moderation.flags import flag_shop
from directory.tips.services import add_tip
from tests.conftest import Browser
from tests.conftest import database_snapshot as snapshot

PUBLIC = {"moderation.log"}


def form(scene: dict[str, int]) -> dict[str, str]:
    """What a moderator would send: enough for each action to succeed if it were allowed."""
    return {"reason": "parce que", "into": str(scene["kept"]), "days": "3"}


@pytest.fixture
def scene(app, make_shop, make_user, member, other_member):
    """A pending shop, a published one with a flagged tip, and their ids for every URL."""
    newcomer = make_user("Nouvelle", trusted=False)
    pending = make_shop(author=newcomer, name="En attente")
    shop = make_shop(name="Publiée", town="Namur", postcode="5000")
    with app.app_context():
        tip = add_tip(db.session.get(User, other_member.id), shop.id, "Un conseil")
        flag = flag_shop(db.session.get(User, other_member.id), shop.id, "spam")
        db.session.commit()
        return {
            "shop_id": pending.id,
            "tip_id": tip.id,
            "flag_id": flag.id,
            "user_id": newcomer.id,
            "kept": shop.id,
        }


def moderation_urls(app, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(method, url) of every moderation route but the public log, filled with real ids."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("moderation.") or rule.endpoint in PUBLIC:
            continue
        values = {arg: ids[arg] for arg in rule.arguments if arg in ids}
        if "action" in rule.arguments:
            for action in ("approve", "hide", "restore", "close"):
                found += [(m, rule.build({**values, "action": action})[1]) for m in _methods(rule)]
        else:
            found += [(m, rule.build(values)[1]) for m in _methods(rule)]
    return found


def _methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


def test_the_walk_covers_the_queue_and_every_action(app, scene):
    urls = {url for _method, url in moderation_urls(app, scene)}
    for expected in (
        "/moderation/queue",
        f"/moderation/shops/{scene['shop_id']}/approve",
        f"/moderation/shops/{scene['shop_id']}/merge",
        f"/moderation/flags/{scene['flag_id']}/dismiss",
        f"/moderation/users/{scene['user_id']}/ban",
    ):
        assert expected in urls


@pytest.mark.parametrize("who", ["visitor", "member", "banned moderator"])
def test_every_moderation_route_refuses_non_moderators(app, scene, make_user, who):
    browser = Browser(app.test_client())
    if who == "member":
        browser.login(make_user("Curieux").email)
    elif who == "banned moderator":
        former = make_user("Ancien Modo", role=Role.MODERATOR)
        browser.login(former.email)
        with app.app_context():
            db.session.get(User, former.id).is_banned = True
            db.session.commit()
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
