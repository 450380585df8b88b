"""The settings page: profile and language, password, download my data, delete my account;
and the Argon2 rehash at login."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from directory.accounts.models import User
from directory.extensions import db
from directory.merchants.models import Claim
from directory.products.models import Product
from directory.shops.models import Shop
from directory.shops.services import create_shop
from directory.timeutil import utcnow
from directory.tips.models import Tip
from directory.tips.services import add_tip
from directory.votes.models import Vote
from directory.votes.services import upvote
from tests.conftest import PASSWORD, Browser, shop_input

NEW_PASSWORD = "girafe orange dans la baignoire"


def logged_in(app, user) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email).status_code == 302
    return browser


def member_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def alice_posts_votes_and_tips(app, member, other_member) -> tuple[int, int]:
    """``member`` posts a shop, and votes and leaves a tip on one of ``other_member``'s; the
    ids of both shops."""
    with app.app_context():
        alice = db.session.get(User, member.id)
        mine = create_shop(alice, shop_input(name="Fromagerie d'Alice"))
        theirs = create_shop(db.session.get(User, other_member.id), shop_input(name="Chez Bruno"))
        db.session.flush()
        upvote(alice, theirs.id)
        add_tip(alice, theirs.id, "Le comté de 24 mois")
        db.session.commit()
        return mine.id, theirs.id


def test_settings_need_a_login(browser):
    response = browser.get("/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert browser.get("/settings/export").status_code == 302


def test_the_settings_page_shows_every_form_with_distinct_fields(app, member):
    page = logged_in(app, member).get("/settings").get_data(as_text=True)
    for name in (
        "display_name",
        "new_email-email",
        "new_password-current_password",
        "delete-current_password",
        "delete-understood",
    ):
        assert f'name="{name}"' in page
    assert page.count('id="new_password-password"') == 1
    assert "/settings/export" in page and "/privacy" in page


def test_the_display_name_is_normalised_and_stays_unique(app, member, other_member):
    browser = logged_in(app, member)
    taken = browser.post("/settings/profile", {"display_name": "BRU\u200bNO", "language": ""})
    assert taken.status_code == 409
    page = taken.get_data(as_text=True)
    assert "Ce nom est déjà pris" in page and 'value="BRU\u200bNO"' in page  # the input kept
    changed = browser.post("/settings/profile", {"display_name": "Ａlice  B.", "language": ""})
    assert changed.status_code == 302
    assert member_row(app, member.id).display_name == "Alice B."


def test_the_chosen_language_is_kept_and_followed_at_login(app, member):
    browser = logged_in(app, member)
    response = browser.post("/settings/profile", {"display_name": "Alice", "language": "nl"})
    assert "lang=nl" in response.headers.get("Set-Cookie", "")
    assert member_row(app, member.id).language == "nl"
    elsewhere = logged_in(app, member)  # a new browser: the login brings the language back
    assert '<html lang="nl">' in elsewhere.get("/").get_data(as_text=True)
    refused = browser.post("/settings/profile", {"display_name": "Alice", "language": "xx"})
    assert refused.status_code == 400


def test_changing_the_password_asks_the_current_one_and_ends_other_sessions(app, member):
    browser, elsewhere = logged_in(app, member), logged_in(app, member)
    wrong = browser.post(
        "/settings/password",
        {
            "new_password-current_password": "pas le bon",
            "new_password-password": NEW_PASSWORD,
            "new_password-confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 400
    assert "Mot de passe incorrect" in wrong.get_data(as_text=True)
    changed = browser.post(
        "/settings/password",
        {
            "new_password-current_password": PASSWORD,
            "new_password-password": NEW_PASSWORD,
            "new_password-confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert browser.get("/settings").status_code == 200  # this session goes on
    assert elsewhere.get("/settings").status_code == 302  # the other one ended
    assert Browser(app.test_client()).login(member.email, NEW_PASSWORD).status_code == 302


def test_download_my_data_gives_everything_about_the_member(app, member, other_member):
    shop_id, other_id = alice_posts_votes_and_tips(app, member, other_member)
    browser = logged_in(app, member)
    browser.post(f"/shops/{other_id}/flag", {"reason": "wrong_info", "note": "Fermé le lundi"})
    response = browser.get("/settings/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == member.email
    assert data["account"]["display_name"] == "Alice"
    assert [s["id"] for s in data["shops"]] == [shop_id]
    assert data["tips"][0]["body"] == "Le comté de 24 mois"
    assert [v["shop_id"] for v in data["votes"]] == [other_id]
    assert [(f["shop_id"], f["note"]) for f in data["flags"]] == [(other_id, "Fermé le lundi")]
    assert "password" not in json.dumps(data)


def test_deleting_the_account_keeps_posts_as_a_former_member(app, member, other_member):
    mine_id, theirs_id = alice_posts_votes_and_tips(app, member, other_member)
    browser, elsewhere = logged_in(app, member), logged_in(app, member)
    refused = browser.post("/settings/delete", {"delete-current_password": PASSWORD})
    assert refused.status_code == 400  # the "I understand" box is required
    wrong = browser.post(
        "/settings/delete", {"delete-current_password": "non", "delete-understood": "y"}
    )
    assert wrong.status_code == 400
    deleted = browser.post(
        "/settings/delete", {"delete-current_password": PASSWORD, "delete-understood": "y"}
    )
    assert deleted.status_code == 302
    assert elsewhere.get("/settings").status_code == 302  # every session ended
    assert Browser(app.test_client()).login(member.email).status_code == 400
    with app.app_context():
        row = db.session.get(User, member.id)
        assert row.is_deleted and member.email not in row.email and "Alice" not in row.display_name
        assert db.session.get(Shop, mine_id).author_id == member.id  # the post stays
        assert db.session.get(Shop, theirs_id).vote_count == 0  # the vote was withdrawn
        assert db.session.scalar(select(func.count(Vote.id))) == 0
        assert db.session.scalar(select(func.count(Tip.id))) == 0
    page = browser.get(f"/shops/{mine_id}", follow_redirects=True).get_data(as_text=True)
    assert "Proposée par ancien membre" in page and f"/users/{member.id}" not in page
    assert browser.get(f"/users/{member.id}").status_code == 404
    # The email is free again: its owner may come back with a new account.
    again = browser.post(
        "/register",
        {"email": member.email, "display_name": "Alice", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == member.email)).id != member.id


def test_a_login_rehashes_a_password_made_with_older_argon2_parameters(app, member):
    before = member_row(app, member.id).password_hash
    assert "t=1," in before
    app.config["ARGON2_TIME_COST"] = 2
    assert Browser(app.test_client()).login(member.email).status_code == 302
    after = member_row(app, member.id).password_hash
    assert "t=2," in after and after != before
    assert Browser(app.test_client()).login(member.email).status_code == 302
    assert member_row(app, member.id).password_hash == after  # no rehash when up to date


def test_the_privacy_page_says_what_deletion_does(browser):
    page = browser.get("/privacy").get_data(as_text=True)
    assert "ancien membre" in page and "Télécharger mes données" in page
    assert 'href="/privacy"' in browser.get("/").get_data(as_text=True)


def test_choosing_the_browsers_language_again_lets_the_browser_decide(app, member):
    """Review of issue 6: the cookie of an earlier choice kept winning."""
    browser = logged_in(app, member)
    browser.post("/settings/profile", {"display_name": "Alice", "language": "nl"})
    browser.post("/settings/profile", {"display_name": "Alice", "language": ""})
    page = browser.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_the_moderation_log_forgets_a_deleted_members_name(app, member):
    from directory.moderation.models import ModerationEntry
    from directory.moderation.services import ban_member

    with app.app_context():
        ban_member(None, db.session.get(User, member.id), "essai", days=1)
        db.session.execute(db.update(User).where(User.id == member.id).values(is_banned=False))
        db.session.commit()
    logged_in(app, member).post(
        "/settings/delete", {"delete-current_password": PASSWORD, "delete-understood": "y"}
    )
    with app.app_context():
        assert db.session.scalar(select(ModerationEntry.target_name)) == f"deleted-{member.id}"


def test_deleting_a_merchant_account_erases_claims_and_unverifies_the_shop(app, member):
    """A claim's evidence (email, phone, note) is the member's; the export includes it first."""
    with app.app_context():
        shop = create_shop(db.session.get(User, member.id), shop_input())
        db.session.add(Claim(shop_id=shop.id, user_id=member.id, phone="063 11 22 33", note="x"))
        shop.merchant_id, shop.verified_at, shop.merchant_answer = member.id, utcnow(), "Merci !"
        db.session.add(Product(shop_id=shop.id, author_id=member.id, name="Couques"))
        db.session.commit()
        shop_id = shop.id
    browser = logged_in(app, member)
    exported = json.loads(browser.get("/settings/export").get_data(as_text=True))
    assert exported["claims"][0]["phone"] == "063 11 22 33"
    assert exported["products"][0]["name"] == "Couques"
    deleted = browser.post(
        "/settings/delete", {"delete-current_password": PASSWORD, "delete-understood": "y"}
    )
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Claim.id))) == 0
        shop = db.session.get(Shop, shop_id)
        assert shop.merchant_id is None and not shop.is_verified and shop.merchant_answer == ""
        assert db.session.scalar(select(func.count(Product.id))) == 1  # the window stays
