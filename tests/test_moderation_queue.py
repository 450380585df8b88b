"""Issue 7: the review queue and the moderators' actions, each logged with its reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.accounts.models import Role, User
from directory.extensions import db
from directory.moderation.flags import flag_shop, flag_tip
from directory.moderation.models import Flag, ModerationEntry
from directory.shops.models import Shop
from directory.tips.models import Tip
from directory.tips.services import add_tip
from tests.conftest import Browser


@pytest.fixture
def modo(app, moderator) -> Browser:
    """A moderator's logged-in browser."""
    browser = Browser(app.test_client())
    browser.login(moderator.email)
    return browser


def log(app) -> list[tuple]:
    with app.app_context():
        return [
            (e.action, e.target_type, e.target_id, e.reason)
            for e in db.session.scalars(select(ModerationEntry).order_by(ModerationEntry.id))
        ]


def status(app, shop_id: int) -> str:
    with app.app_context():
        return db.session.get(Shop, shop_id).status


def flag(app, user: User, shop_id: int, reason: str = "spam", **kwargs) -> int:
    with app.app_context():
        flag_id = flag_shop(db.session.get(User, user.id), shop_id, reason, **kwargs).id
        db.session.commit()
        return flag_id


def test_the_queue_is_for_moderators_only(browser, member, modo):
    assert browser.get("/moderation/queue").status_code == 403
    browser.login(member.email)
    assert browser.get("/moderation/queue").status_code == 403
    assert modo.get("/moderation/queue").status_code == 200


def test_a_new_members_first_post_waits_visible_to_them_only(app, browser, make_user, make_shop):
    newcomer = make_user("Nouvelle", trusted=False)
    shop = make_shop(author=newcomer, name="Fromagerie du Coin")
    assert shop.status == "pending"
    assert browser.get(f"/shops/{shop.id}").status_code == 404
    assert "Fromagerie du Coin" not in browser.get("/?sort=new").get_data(as_text=True)
    browser.login(newcomer.email)
    page = browser.get(f"/shops/{shop.id}", follow_redirects=True).get_data(as_text=True)
    assert "en attente de modération" in page and "seuls vous et les modérateurs" in page


def test_approving_publishes_and_trusts_the_author(app, make_user, make_shop, modo):
    newcomer = make_user("Nouvelle", trusted=False)
    first = make_shop(author=newcomer, name="Fromagerie du Coin")
    queue = modo.get("/moderation/queue").get_data(as_text=True)
    assert "Fromagerie du Coin" in queue and "En attente de relecture" in queue
    item = modo.get(f"/moderation/shops/{first.id}").get_data(as_text=True)
    assert f'action="/moderation/shops/{first.id}/approve"' in item
    answer = modo.post(f"/moderation/shops/{first.id}/approve", {"reason": "Conforme"})
    assert answer.status_code == 302
    assert status(app, first.id) == "visible"
    assert log(app) == [("approve", "shop", first.id, "Conforme")]
    second = make_shop(author=newcomer, name="Librairie du Coin")
    assert second.status == "visible"


def test_no_review_when_new_member_review_posts_is_zero(app, make_user, make_shop):
    app.config["NEW_MEMBER_REVIEW_POSTS"] = 0
    newcomer = make_user("Nouvelle", trusted=False)
    assert make_shop(author=newcomer).status == "visible"


def test_more_posts_wait_when_the_threshold_is_higher(app, make_user, make_shop, modo):
    app.config["NEW_MEMBER_REVIEW_POSTS"] = 2
    newcomer = make_user("Nouvelle", trusted=False)
    first = make_shop(author=newcomer, name="Un")
    modo.post(f"/moderation/shops/{first.id}/approve", {"reason": "ok"})
    assert make_shop(author=newcomer, name="Deux").status == "pending"


def test_moderators_posts_never_wait(make_user, make_shop):
    assert make_shop(author=make_user("Modo2", role=Role.MODERATOR, trusted=False)).status == (
        "visible"
    )


def test_the_queue_orders_by_weight_then_age_with_context(
    app, make_user, make_shop, modo, other_member
):
    light = make_shop(name="Épicerie Légère")
    heavy = make_shop(name="Bazar Lourd", town="Namur", postcode="5000")
    veteran = make_user("Vétéran")
    flag(app, other_member, light.id, "wrong_info")
    flag(app, other_member, heavy.id, "spam")
    flag(app, veteran, heavy.id, "offensive")
    page = modo.get("/moderation/queue").get_data(as_text=True)
    assert page.index("Bazar Lourd") < page.index("Épicerie Légère")
    item = modo.get(f"/moderation/shops/{heavy.id}").get_data(as_text=True)
    assert "Spam ou publicité" in item and "Contenu choquant" in item
    assert "retenus : 0 · rejetés : 0 · ouverts : 1" in item  # each reporter's record


def test_hiding_upholds_the_flags_and_takes_the_shop_everywhere_out(
    app, browser, shop_in_arlon, other_member, modo
):
    flag(app, other_member, shop_in_arlon.id)
    assert (
        modo.post(f"/moderation/shops/{shop_in_arlon.id}/hide", {"reason": "Pub"}).status_code
        == 302
    )
    assert status(app, shop_in_arlon.id) == "hidden"
    with app.app_context():
        assert db.session.scalar(select(Flag.status)) == "upheld"
    assert browser.get(f"/shops/{shop_in_arlon.id}").status_code == 404
    assert shop_in_arlon.name not in browser.get("/").get_data(as_text=True)
    assert browser.get("/api/v1/search?q=boulangerie").get_json()["total"] == 0
    assert "Rien à examiner" in modo.get("/moderation/queue").get_data(as_text=True)
    modo.post(f"/moderation/shops/{shop_in_arlon.id}/restore", {"reason": "Erreur"})
    assert status(app, shop_in_arlon.id) == "visible"
    assert browser.get("/api/v1/search?q=boulangerie").get_json()["total"] == 1
    assert [e[0] for e in log(app)] == ["hide", "restore"]
    public = browser.get("/moderation/log").get_data(as_text=True)
    assert "Masquage" in public and "Pub" in public and "Rétablissement" in public


def test_a_closure_report_is_confirmed_and_the_page_stays(
    app, browser, member, shop_in_arlon, modo
):
    flag(app, member, shop_in_arlon.id, "closed")
    queue = modo.get("/moderation/queue").get_data(as_text=True)
    assert "Fermeture annoncée" in queue
    modo.post(f"/moderation/shops/{shop_in_arlon.id}/close", {"reason": "Confirmé par l'auteur"})
    assert status(app, shop_in_arlon.id) == "closed"
    page = browser.get(f"/shops/{shop_in_arlon.id}", follow_redirects=True)
    assert page.status_code == 200 and "fermé définitivement" in page.get_data(as_text=True)
    assert "Je recommande" not in page.get_data(as_text=True)
    assert shop_in_arlon.name not in browser.get("/").get_data(as_text=True)
    assert browser.get("/api/v1/search?q=boulangerie").get_json()["total"] == 0


def test_dismissing_a_flag_is_logged_and_weighs_on_the_reporter(
    app, shop_in_arlon, other_member, modo
):
    flag_id = flag(app, other_member, shop_in_arlon.id)
    answer = modo.post(f"/moderation/flags/{flag_id}/dismiss", {"reason": "Rien d'anormal"})
    assert answer.status_code == 302
    assert status(app, shop_in_arlon.id) == "visible"
    assert log(app) == [("dismiss", "shop", shop_in_arlon.id, "Rien d'anormal")]
    again = modo.post(f"/moderation/flags/{flag_id}/dismiss", {"reason": "encore"})
    assert again.status_code == 409 and "déjà été traité" in again.get_data(as_text=True)


def test_a_flagged_tip_is_deleted_with_a_reason(
    app, browser, shop_in_arlon, member, other_member, modo
):
    with app.app_context():
        tip_id = add_tip(db.session.get(User, other_member.id), shop_in_arlon.id, "Arnaque !!!").id
        flag_tip(db.session.get(User, member.id), tip_id, "offensive")
        db.session.commit()
    queue = modo.get("/moderation/queue").get_data(as_text=True)
    assert f'href="/moderation/tips/{tip_id}"' in queue
    modo.post(f"/moderation/tips/{tip_id}/delete", {"reason": "Insultant"})
    with app.app_context():
        tip = db.session.get(Tip, tip_id)
        assert tip.is_hidden and db.session.scalar(select(Flag.status)) == "upheld"
    entry = log(app)[0]
    assert entry == ("delete_tip", "tip", tip_id, "Insultant")
    assert "Arnaque" not in browser.get("/moderation/log").get_data(as_text=True)
    page = browser.get(f"/shops/{shop_in_arlon.id}", follow_redirects=True)
    assert "Arnaque" not in page.get_data(as_text=True)


def test_actions_without_a_reason_keep_the_page_and_name_the_field(app, shop_in_arlon, modo):
    answer = modo.post(f"/moderation/shops/{shop_in_arlon.id}/hide", {"reason": "  "})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'id="hide-reason-error"' in page
    merge = modo.post(
        f"/moderation/shops/{shop_in_arlon.id}/merge", {"into": "abc", "reason": "doublon"}
    )
    assert merge.status_code == 400 and 'id="merge-into-error"' in merge.get_data(as_text=True)
    assert 'value="abc"' in merge.get_data(as_text=True)
    assert status(app, shop_in_arlon.id) == "visible" and log(app) == []


def test_an_action_the_state_no_longer_allows_is_a_conflict(app, shop_in_arlon, modo):
    answer = modo.post(f"/moderation/shops/{shop_in_arlon.id}/approve", {"reason": "ok"})
    assert answer.status_code == 409 and "déjà" in answer.get_data(as_text=True)
    assert modo.post("/moderation/shops/987654/hide", {"reason": "x"}).status_code == 404


def test_a_moderator_warns_and_suspends_a_member(app, browser, member, modo, mailbox):
    browser.login(member.email)
    page = modo.get(f"/moderation/users/{member.id}").get_data(as_text=True)
    assert "Avertir" in page and "Suspendre ou bannir" in page
    modo.post(f"/moderation/users/{member.id}/warn", {"reason": "Restez courtois"})
    assert "Restez courtois" in mailbox.last(member.email).get_content()
    bad = modo.post(f"/moderation/users/{member.id}/ban", {"reason": "Spam", "days": "0"})
    assert bad.status_code == 400 and 'id="ban-days-error"' in bad.get_data(as_text=True)
    modo.post(f"/moderation/users/{member.id}/ban", {"reason": "Spam répété", "days": "7"})
    assert [e[0] for e in log(app)] == ["warn", "suspend"]
    # The suspended member's session ended at once.
    assert browser.get("/settings").status_code == 302


def test_a_moderators_correction_is_logged_with_the_fields_changed(app, shop_in_arlon, moderator):
    from directory.shops.services import update_shop
    from tests.conftest import shop_input

    with app.app_context():
        shop = db.session.get(Shop, shop_in_arlon.id)
        update_shop(db.session.get(User, moderator.id), shop, shop_input(phone="063 22 33 44"))
        db.session.commit()
    assert log(app) == [("edit", "shop", shop_in_arlon.id, "phone")]


def test_a_moderators_correction_of_a_tip_is_logged(app, shop_in_arlon, other_member, moderator):
    from directory.tips.services import edit_tip

    with app.app_context():
        tip_id = add_tip(db.session.get(User, other_member.id), shop_in_arlon.id, "Tel 0470").id
        edit_tip(db.session.get(User, other_member.id), tip_id, "Tel 0470 12")  # the author
        edit_tip(db.session.get(User, moderator.id), tip_id, "Appelez la boutique")
        db.session.commit()
    assert log(app) == [("edit", "tip", tip_id, "body")]


def test_a_post_hidden_before_review_goes_back_to_review_when_restored(
    app, make_user, make_shop, moderator
):
    from directory.moderation.actions import restore_shop
    from directory.moderation.services import ban_member

    spammer = make_user("Pressé", trusted=False)
    shop = make_shop(author=spammer, name="Jamais relue")
    with app.app_context():
        ban_member(db.session.get(User, moderator.id), db.session.get(User, spammer.id), "x", 1)
        db.session.commit()
        assert db.session.get(Shop, shop.id).status == "hidden"
        restore_shop(db.session.get(User, moderator.id), shop.id, "erreur")
        db.session.commit()
        assert db.session.get(Shop, shop.id).status == "pending"  # not published unreviewed


def test_a_look_alike_published_anyway_reaches_the_queue(app, make_shop, make_user, modo):
    make_shop(name="Fromagerie Dupont")
    second = make_shop(
        author=make_user("Autre"), name="Fromagerie Dupont", confirm_not_duplicate=True
    )
    assert second.status == "visible"  # a trusted member: published at once
    queue = modo.get("/moderation/queue").get_data(as_text=True)
    assert f'href="/moderation/shops/{second.id}"' in queue and "Doublon probable" in queue
    with app.app_context():
        assert flag_history_of(second.author_id) == (0, 0)  # their own look-alike: not a report


def flag_history_of(user_id: int) -> tuple[int, int]:
    from directory.moderation.trust import flag_history

    record = flag_history([user_id])[user_id]
    return record.upheld + record.dismissed, record.open


def test_a_deleted_members_flags_leave_the_queue_and_their_pending_posts_too(
    app, make_user, make_shop, shop_in_arlon, modo
):
    from directory.accounts.lifecycle import delete_account
    from tests.conftest import PASSWORD

    leaving = make_user("Sur le départ", trusted=False)
    pending = make_shop(author=leaving, name="Pas encore relue", town="Namur", postcode="5000")
    flag(app, leaving, shop_in_arlon.id, "wrong_info", note="mon avis personnel")
    with app.app_context():
        delete_account(db.session.get(User, leaving.id), PASSWORD)
        db.session.commit()
        assert db.session.scalars(select(Flag.note)).all() == []
        assert db.session.get(Shop, pending.id).status == "hidden"
    assert "Rien à examiner" in modo.get("/moderation/queue").get_data(as_text=True)


def test_the_member_page_names_past_actions_in_words(app, member, modo):
    modo.post(f"/moderation/users/{member.id}/warn", {"reason": "Restez courtois"})
    page = modo.get(f"/moderation/users/{member.id}?lang=en").get_data(as_text=True)
    assert "Warning" in page and "· warn ·" not in page


def test_an_author_finds_their_post_waiting_for_review_from_their_profile(
    browser, make_user, make_shop
):
    newcomer = make_user("Nouvelle", trusted=False)
    shop = make_shop(author=newcomer, name="Fromagerie du Coin")
    browser.login(newcomer.email)
    page = browser.get(f"/users/{newcomer.id}").get_data(as_text=True)
    assert f'href="/shops/{shop.id}-{shop.slug}"' in page
