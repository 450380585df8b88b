"""Issue 7: members flag shops and tips; one open flag per member per item; weighted flags."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from directory.accounts.models import User
from directory.errors import Conflict, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.moderation.flags import flag_shop, flag_tip, parse_shop_reference
from directory.moderation.models import Flag, FlagStatus
from directory.moderation.trust import flag_weight
from directory.shops.models import Shop
from directory.timeutil import utcnow
from directory.tips.services import add_tip


def flags(app) -> list[tuple]:
    with app.app_context():
        return [
            (f.reporter_id, f.shop_id, f.tip_id, f.reason, f.note, f.duplicate_of_id, f.status)
            for f in db.session.scalars(select(Flag).order_by(Flag.id))
        ]


def test_a_member_flags_a_shop_from_its_page(app, browser, shop_in_arlon, other_member):
    browser.login(other_member.email)
    page = browser.get(f"/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}").get_data(as_text=True)
    assert f'href="/shops/{shop_in_arlon.id}/flag"' in page
    form = browser.get(f"/shops/{shop_in_arlon.id}/flag").get_data(as_text=True)
    assert 'value="wrong_info"' in form and 'name="duplicate_of"' in form
    answer = browser.post(
        f"/shops/{shop_in_arlon.id}/flag", {"reason": "wrong_info", "note": "Fermé le lundi"}
    )
    assert answer.status_code == 302
    assert flags(app) == [
        (other_member.id, shop_in_arlon.id, None, "wrong_info", "Fermé le lundi", None, "open")
    ]


def test_flagging_twice_is_refused_with_a_clear_message(app, browser, shop_in_arlon, other_member):
    browser.login(other_member.email)
    browser.post(f"/shops/{shop_in_arlon.id}/flag", {"reason": "spam"})
    again = browser.post(f"/shops/{shop_in_arlon.id}/flag", {"reason": "offensive", "note": "x"})
    assert again.status_code == 400
    assert "déjà signalé" in again.get_data(as_text=True)
    assert len(flags(app)) == 1


def test_the_database_holds_one_open_flag_per_member_and_item(app, shop_in_arlon, other_member):
    with app.app_context():
        db.session.add(Flag(reporter_id=other_member.id, shop_id=shop_in_arlon.id, reason="spam"))
        db.session.commit()
        db.session.add(Flag(reporter_id=other_member.id, shop_id=shop_in_arlon.id, reason="other"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Once decided, the member may flag the item again (it may have changed since).
        db.session.execute(db.update(Flag).values(status=FlagStatus.DISMISSED.value))
        db.session.add(Flag(reporter_id=other_member.id, shop_id=shop_in_arlon.id, reason="other"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Flag)) == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "dunno"}, "reason", "Choisissez une raison de la liste."),
        ({}, "reason", "Choisissez une raison de la liste."),
        ({"reason": "other"}, "note", "Dites en quelques mots"),
        ({"reason": "duplicate"}, "duplicate_of", "Indiquez l&#39;autre adresse"),
        ({"reason": "duplicate", "duplicate_of": "999999"}, "duplicate_of", "plus visible"),
        ({"reason": "other", "note": "x" * 501}, "note", "500"),
    ],
)
def test_bad_flags_keep_the_input_and_name_the_field(
    app, browser, shop_in_arlon, other_member, data, field, message
):
    browser.login(other_member.email)
    answer = browser.post(f"/shops/{shop_in_arlon.id}/flag", {"note": "", **data})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in page
    assert f'id="{field}-error"' in page
    if data.get("note"):
        assert data["note"][:50] in page
    assert flags(app) == []


def test_a_duplicate_flag_names_the_other_listing_by_link_or_number(
    app, browser, make_shop, other_member
):
    first = make_shop(name="Les Péchés Mignons du Goethe")
    second = make_shop(name="Chez Goethe, pralines", confirm_not_duplicate=True)
    browser.login(other_member.email)
    url = f"http://localhost/shops/{first.id}-{first.slug}"
    browser.post(f"/shops/{second.id}/flag", {"reason": "duplicate", "duplicate_of": url})
    assert flags(app)[0][3:6] == ("duplicate", "", first.id)
    self_duplicate = browser.post(
        f"/shops/{first.id}/flag", {"reason": "duplicate", "duplicate_of": str(first.id)}
    )
    assert "son propre doublon" in self_duplicate.get_data(as_text=True)


def test_shop_references_are_parsed_from_numbers_and_links():
    assert parse_shop_reference("42") == 42
    assert parse_shop_reference(" https://x.be/shops/42-chez-nous?x=1 ") == 42
    assert parse_shop_reference("/shops/7") == 7
    assert parse_shop_reference("quarante-deux") is None
    assert parse_shop_reference("") is None


def test_an_author_only_reports_their_own_shop_closed(app, browser, member, shop_in_arlon):
    browser.login(member.email)
    page = browser.get(f"/shops/{shop_in_arlon.id}", follow_redirects=True).get_data(as_text=True)
    assert "Signaler sa fermeture définitive" in page
    assert "Signaler un problème" not in page
    spam = browser.post(f"/shops/{shop_in_arlon.id}/flag", {"reason": "spam"})
    assert spam.status_code == 400
    closed = browser.post(f"/shops/{shop_in_arlon.id}/flag", {"reason": "closed", "note": ""})
    assert closed.status_code == 302
    with app.app_context():
        flag = db.session.scalar(select(Flag))
        assert (flag.reason, flag.weight) == ("closed", 2.0)
        # History stays: the shop is still published until a moderator confirms.
        assert db.session.get(Shop, shop_in_arlon.id).status == "visible"


def test_a_member_flags_a_tip_but_not_their_own(app, browser, shop_in_arlon, other_member, member):
    with app.app_context():
        tip_id = add_tip(db.session.get(User, member.id), shop_in_arlon.id, "Allez-y le samedi").id
        db.session.commit()
    browser.login(other_member.email)
    page = browser.get(f"/shops/{shop_in_arlon.id}", follow_redirects=True).get_data(as_text=True)
    assert f'href="/tips/{tip_id}/flag"' in page
    form = browser.get(f"/tips/{tip_id}/flag").get_data(as_text=True)
    assert 'value="closed"' not in form and 'value="offensive"' in form
    assert browser.post(f"/tips/{tip_id}/flag", {"reason": "closed"}).status_code == 400
    assert browser.post(f"/tips/{tip_id}/flag", {"reason": "offensive"}).status_code == 302
    assert flags(app) == [(other_member.id, None, tip_id, "offensive", "", None, "open")]
    with app.app_context(), pytest.raises(PermissionDenied):
        flag_tip(db.session.get(User, member.id), tip_id, "spam")


def test_visitors_are_sent_to_log_in_and_missing_items_are_404(browser, shop_in_arlon, member):
    assert browser.get(f"/shops/{shop_in_arlon.id}/flag").status_code == 302
    assert browser.post(f"/shops/{shop_in_arlon.id}/flag", {"reason": "spam"}).status_code == 302
    browser.login(member.email)
    assert browser.get("/shops/987654/flag").status_code == 404
    assert browser.get("/tips/987654/flag").status_code == 404


def test_hidden_shops_cannot_be_flagged(app, shop_in_arlon, other_member):
    with app.app_context():
        db.session.get(Shop, shop_in_arlon.id).status = "hidden"
        db.session.commit()
        with pytest.raises(Exception, match="plus visible"):
            flag_shop(db.session.get(User, other_member.id), shop_in_arlon.id, "spam")


def test_new_accounts_and_often_dismissed_reporters_weigh_less(
    app, make_user, moderator, shop_in_arlon
):
    veteran = make_user("Vétéran", created_at=utcnow() - timedelta(days=400))
    newcomer = make_user("Nouvelle")
    with app.app_context():
        assert flag_weight(db.session.get(User, veteran.id)) == 1.0
        assert flag_weight(db.session.get(User, newcomer.id)) == 0.5
        assert flag_weight(db.session.get(User, moderator.id)) == 2.0
        # Three of four decided flags dismissed: a quarter of the weight is left.
        for status in ("dismissed", "dismissed", "dismissed", "upheld"):
            db.session.add(
                Flag(
                    reporter_id=veteran.id,
                    shop_id=None,
                    tip_id=add_tip(db.session.get(User, newcomer.id), shop_in_arlon.id, "…").id,
                    reason="spam",
                    status=status,
                )
            )
        db.session.commit()
        assert flag_weight(db.session.get(User, veteran.id)) == 0.25
        # All dismissed: never below the floor.
        db.session.execute(db.update(Flag).values(status="dismissed"))
        assert flag_weight(db.session.get(User, veteran.id)) == 0.2


def test_services_refuse_bad_input_without_the_web_layer(ctx, make_user, make_shop):
    reporter = make_user("Rapporteuse")
    shop = make_shop()
    user = db.session.get(User, reporter.id)
    with pytest.raises(ValidationFailed):
        flag_shop(user, shop.id, "nonsense")
    flag_shop(user, shop.id, "spam")
    with pytest.raises(Conflict):
        flag_shop(user, shop.id, "spam")
