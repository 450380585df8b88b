"""Issue 9: the verified merchant edits the practical information of their listing (hours,
services, delivery radius, e-shop link, public answer); each edit is one revision that
moderators read and may revert."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select, update

from directory.accounts.models import User
from directory.errors import Conflict, NotFound, PermissionDenied
from directory.extensions import db
from directory.merchants.editing import (
    PracticalInfo,
    describe_changes,
    revert_revision,
    update_practical_info,
)
from directory.merchants.models import ShopRevision
from directory.moderation.models import ModerationEntry
from directory.shops.models import Shop
from directory.timeutil import utcnow
from tests.conftest import Browser
from tests.conftest import database_snapshot as snapshot
from tests.test_bad_input import field_errors

HOURS = "Mo-Fr 09:00-18:00; Sa 10:00-17:00; PH off"
ANSWER = "Merci pour vos conseils ! Le cramique est cuit le samedi matin."
REASON = {"reason": "Horaires fantaisistes, vérifiés par téléphone"}


@pytest.fixture
def merchant(make_user) -> User:
    """The member whose claim on the bakery was accepted (not the member who posted it)."""
    return make_user("Marchande")


@pytest.fixture
def bakery(app, make_shop, merchant) -> Shop:
    """A published shop verified by ``merchant``, with no hours yet."""
    shop = make_shop()
    with app.app_context():
        db.session.execute(
            update(Shop)
            .where(Shop.id == shop.id)
            .values(merchant_id=merchant.id, verified_at=utcnow())
        )
        db.session.commit()
    return shop


def logged_in(app, user: User) -> Browser:
    browser = Browser(app.test_client())
    browser.login(user.email)
    return browser


@pytest.fixture
def as_merchant(app, merchant) -> Browser:
    return logged_in(app, merchant)


@pytest.fixture
def as_moderator(app, moderator) -> Browser:
    return logged_in(app, moderator)


def edit_form(**overrides) -> dict:
    """What the merchant submits: hours, delivery within 12 km, the e-shop and an answer."""
    form = {
        "opening_hours": HOURS,
        "takeaway": "y",
        "delivery": "y",
        "delivery_radius_km": "12",
        "eshop_url": "https://boutique.example.be",
        "merchant_answer": ANSWER,
    }
    form.update(overrides)
    return {name: value for name, value in form.items() if value is not None}


def edit_url(shop: Shop) -> str:
    return f"/shops/{shop.id}/merchant"


def revisions(app, shop_id: int) -> list[ShopRevision]:
    """The shop's revisions, oldest first, detached."""
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(ShopRevision)
                .where(ShopRevision.shop_id == shop_id)
                .order_by(ShopRevision.id)
            )
        )
        db.session.expunge_all()
        return rows


def count_revisions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ShopRevision))


def edit_as(app, user_id: int, shop_id: int, **values) -> int | None:
    """Call the service directly, as the form would, commit, and return the revision's id."""
    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        current = {name: getattr(shop, name) for name in PracticalInfo.__dataclass_fields__}
        revision = update_practical_info(
            db.session.get(User, user_id), shop, PracticalInfo(**{**current, **values})
        )
        db.session.commit()
        return revision.id if revision is not None else None


# --- The edit ----------------------------------------------------------------------------------


def test_the_merchant_opens_the_form_filled_with_the_listing(app, as_merchant, bakery):
    response = as_merchant.get(edit_url(bakery))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="opening_hours"' in page and "PH off" in page  # the syntax help
    assert 'name="merchant_answer"' in page and 'name="csrf_token"' in page


def test_the_edit_reaches_the_shop_row_as_one_revision(app, as_merchant, bakery, merchant, reload):
    response = as_merchant.post(edit_url(bakery), edit_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/shops/{bakery.id}-{bakery.slug}")
    shop = reload(Shop, bakery.id)
    assert shop.opening_hours == HOURS
    assert (shop.takeaway, shop.delivery, shop.delivery_radius_km) == (True, True, 12)
    assert (shop.eshop, shop.eshop_url) == (True, "https://boutique.example.be")
    assert shop.merchant_answer == ANSWER and shop.merchant_answer_at is not None
    (revision,) = revisions(app, bakery.id)
    assert revision.user_id == merchant.id and revision.reverts_id is None
    assert revision.changes == {
        "opening_hours": ["", HOURS],
        "takeaway": [False, True],
        "delivery": [False, True],
        "delivery_radius_km": [None, 12],
        "eshop": [False, True],
        "eshop_url": [None, "https://boutique.example.be"],
        "merchant_answer": ["", ANSWER],
    }


def test_only_what_changed_is_recorded(app, as_merchant, bakery):
    as_merchant.post(edit_url(bakery), edit_form())
    as_merchant.post(edit_url(bakery), edit_form(delivery_radius_km="25"))
    assert revisions(app, bakery.id)[-1].changes == {"delivery_radius_km": [12, 25]}


def test_saving_without_a_change_records_nothing(app, as_merchant, bakery):
    as_merchant.post(edit_url(bakery), edit_form())
    response = as_merchant.post(edit_url(bakery), edit_form(), follow_redirects=True)
    assert "Rien n'a changé" in html.unescape(response.get_data(as_text=True))
    assert len(revisions(app, bakery.id)) == 1


def test_the_hours_are_stored_tidied(app, as_merchant, bakery, reload):
    as_merchant.post(
        edit_url(bakery), edit_form(opening_hours="Mo-Fr 09:00-18:00\r\nSa 10:00-17:00;")
    )
    assert reload(Shop, bakery.id).opening_hours == "Mo-Fr 09:00-18:00; Sa 10:00-17:00"


def test_removing_the_answer_removes_its_date(app, as_merchant, bakery, reload):
    as_merchant.post(edit_url(bakery), edit_form())
    as_merchant.post(edit_url(bakery), edit_form(merchant_answer=""))
    shop = reload(Shop, bakery.id)
    assert (shop.merchant_answer, shop.merchant_answer_at) == ("", None)
    assert revisions(app, bakery.id)[-1].changes == {"merchant_answer": [ANSWER, ""]}


def test_no_delivery_means_no_radius(app, as_merchant, bakery, reload):
    as_merchant.post(edit_url(bakery), edit_form())
    as_merchant.post(edit_url(bakery), edit_form(delivery=None, delivery_radius_km="12"))
    shop = reload(Shop, bakery.id)
    assert (shop.delivery, shop.delivery_radius_km) == (False, None)


# --- Bad input ---------------------------------------------------------------------------------

BAD_EDITS = {
    "hours-malformed": (
        {"opening_hours": "Mo-Fr 25:00-18:00"},
        "opening_hours",
        "« 25:00 » (caractère 7)",
    ),
    "hours-french-days": (
        {"opening_hours": "Lu-Ve 9h-18h"},
        "opening_hours",
        "Horaires illisibles",
    ),
    "hours-too-long": ({"opening_hours": "Mo 09:00-10:00; " * 20}, "opening_hours", "255"),
    "radius-zero": ({"delivery_radius_km": "0"}, "delivery_radius_km", "entre 1 et 200"),
    "radius-501": ({"delivery_radius_km": "501"}, "delivery_radius_km", "entre 1 et 200"),
    "radius-abc": ({"delivery_radius_km": "abc"}, "delivery_radius_km", "entier"),
    "radius-missing": ({"delivery_radius_km": ""}, "delivery_radius_km", "rayon de livraison"),
    "eshop-script": ({"eshop_url": "javascript:alert(1)"}, "eshop_url", "Adresse web invalide"),
    "eshop-spaces": (
        {"eshop_url": "https://a.be/ma boutique"},
        "eshop_url",
        "Adresse web invalide",
    ),
    "answer-too-long": ({"merchant_answer": "x" * 501}, "merchant_answer", "500"),
    "answer-control-char": ({"merchant_answer": "Bon\x00jour"}, "merchant_answer", "invalides"),
}


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_a_bad_field_is_refused_on_that_field_and_nothing_is_stored(app, as_merchant, bakery, case):
    overrides, field, fragment = BAD_EDITS[case]
    before = snapshot(app)
    response = as_merchant.post(edit_url(bakery), edit_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = field_errors(page, field)
    assert len(errors) == 1 and fragment in errors[0], errors
    # Every other field has its own errors or none, and what was typed is still there.
    assert html.escape(ANSWER if field != "merchant_answer" else HOURS, quote=False) in page
    assert snapshot(app) == before and count_revisions(app) == 0


def test_every_bad_field_is_named_at_once(app, as_merchant, bakery):
    response = as_merchant.post(
        edit_url(bakery),
        edit_form(opening_hours="Mo-Fr 25:00", delivery_radius_km="", eshop_url="ftp://x"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("opening_hours", "delivery_radius_km", "eshop_url"):
        assert len(field_errors(page, field)) == 1, field
    assert "Mo-Fr 25:00" in page and "ftp://x" in page


def test_a_post_without_the_token_stores_nothing(app, as_merchant, bakery):
    before = snapshot(app)
    response = as_merchant.post(edit_url(bakery), edit_form(), csrf=False)
    assert response.status_code == 400
    assert snapshot(app) == before and count_revisions(app) == 0


# --- Who may edit ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["author", "other_member", "moderator"])
def test_only_the_merchant_may_open_or_post_the_form(
    app, bakery, member, other_member, moderator, who
):
    user = {"author": member, "other_member": other_member, "moderator": moderator}[who]
    browser = logged_in(app, user)
    before = snapshot(app)
    assert browser.get(edit_url(bakery)).status_code == 403
    assert browser.post(edit_url(bakery), edit_form()).status_code == 403
    assert snapshot(app) == before and count_revisions(app) == 0


def test_a_visitor_is_sent_to_log_in(browser, bakery):
    response = browser.get(edit_url(bakery))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_shop_nobody_verified_has_no_merchant(app, as_merchant, make_shop):
    unclaimed = make_shop(name="Fromagerie d'à côté", address="Rue de Diekirch 5")
    assert as_merchant.get(edit_url(unclaimed)).status_code == 403


def test_an_unknown_shop_is_404(as_merchant):
    assert as_merchant.get("/shops/999999/merchant").status_code == 404


def test_the_service_checks_the_merchant_itself(app, bakery, other_member, merchant):
    with pytest.raises(PermissionDenied):
        edit_as(app, other_member.id, bakery.id, opening_hours=HOURS)
    with app.app_context():
        db.session.execute(update(User).where(User.id == merchant.id).values(is_banned=True))
        db.session.commit()
    with pytest.raises(PermissionDenied):
        edit_as(app, merchant.id, bakery.id, opening_hours=HOURS)
    assert count_revisions(app) == 0


def test_a_hidden_listing_cannot_be_edited(app, bakery, merchant):
    with app.app_context():
        db.session.execute(update(Shop).where(Shop.id == bakery.id).values(status="hidden"))
        db.session.commit()
    with pytest.raises(NotFound):
        edit_as(app, merchant.id, bakery.id, opening_hours=HOURS)


# --- The shop page -----------------------------------------------------------------------------


def test_the_shop_page_shows_the_hours_the_answer_and_the_merchants_link(
    app, as_merchant, bakery, browser
):
    as_merchant.post(edit_url(bakery), edit_form(opening_hours="24/7"))
    url = f"/shops/{bakery.id}-{bakery.slug}"
    page = browser.get(url).get_data(as_text=True)
    assert "Horaires" in page and "24 h/24" in page and "Ouvert" in page
    assert 'aria-current="date"' in page and "Lundi" in page and "Dimanche" in page
    assert "Réponse du commerçant" in page and html.escape(ANSWER, quote=False) in page
    # After the members' tips.
    assert page.index("Conseils des membres") < page.index("Réponse du commerçant")
    assert "Modifier les informations pratiques" not in page and "Historique" not in page
    merchant_page = as_merchant.get(url).get_data(as_text=True)
    assert f'href="/shops/{bakery.id}/merchant"' in merchant_page


def test_the_answer_is_escaped(app, as_merchant, bakery, browser):
    as_merchant.post(edit_url(bakery), edit_form(merchant_answer="<script>alert(1)</script>"))
    page = browser.get(f"/shops/{bakery.id}-{bakery.slug}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_a_page_without_hours_has_no_hours_block(browser, bakery):
    page = browser.get(f"/shops/{bakery.id}-{bakery.slug}").get_data(as_text=True)
    assert 'id="hours-heading"' not in page and "Réponse du commerçant" not in page


def test_moderators_get_the_history_link(as_moderator, bakery):
    page = as_moderator.get(f"/shops/{bakery.id}-{bakery.slug}").get_data(as_text=True)
    assert f'href="/shops/{bakery.id}/history"' in page


# --- History -----------------------------------------------------------------------------------


def test_moderators_read_the_history_newest_first_in_words(app, as_merchant, as_moderator, bakery):
    as_merchant.post(edit_url(bakery), edit_form())
    as_merchant.post(edit_url(bakery), edit_form(opening_hours="Mo-Sa 08:00-19:00", takeaway=None))
    first, second = revisions(app, bakery.id)
    response = as_moderator.get(f"/shops/{bakery.id}/history")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert page.index(f'id="revision-{second.id}"') < page.index(f'id="revision-{first.id}"')
    assert "Marchande" in page
    assert "Horaires d'ouverture" in page and "Mo-Sa 08:00-19:00" in page
    assert "À emporter" in page and "Rayon de livraison (km)" in page and "12 km" in page
    assert "takeaway" not in page and "delivery_radius_km" not in page  # labels, not columns


def test_each_field_reads_before_and_after_in_words(ctx):
    lines = describe_changes(
        {"delivery_radius_km": [None, 12], "delivery": [False, True], "opening_hours": ["", "24/7"]}
    )
    assert [(line.label, line.before, line.after) for line in lines] == [
        ("Horaires d'ouverture", "(vide)", "24/7"),
        ("Livraison", "non", "oui"),
        ("Rayon de livraison (km)", "(vide)", "12 km"),
    ]


@pytest.mark.parametrize("who", ["merchant", "member"])
def test_members_and_merchants_cannot_read_the_history(app, bakery, merchant, member, who):
    browser = logged_in(app, {"merchant": merchant, "member": member}[who])
    assert browser.get(f"/shops/{bakery.id}/history").status_code == 403


# --- Revert ------------------------------------------------------------------------------------


def revert_url(revision: ShopRevision) -> str:
    return f"/revisions/{revision.id}/revert"


def test_a_moderator_reverts_an_edit_with_a_logged_reason(
    app, as_merchant, as_moderator, bakery, moderator, reload
):
    as_merchant.post(edit_url(bakery), edit_form())
    (edit,) = revisions(app, bakery.id)
    response = as_moderator.post(revert_url(edit), REASON)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/shops/{bakery.id}/history")
    shop = reload(Shop, bakery.id)
    assert shop.opening_hours == "" and shop.delivery_radius_km is None and not shop.delivery
    assert (shop.eshop, shop.eshop_url, shop.merchant_answer) == (False, None, "")
    assert shop.merchant_answer_at is None
    old, revert = revisions(app, bakery.id)
    assert old.reverted_at is not None and old.reverted_by_id == moderator.id
    assert revert.reverts_id == old.id and revert.user_id == moderator.id
    assert revert.changes == {
        name: [after, before] for name, (before, after) in old.changes.items()
    }
    with app.app_context():
        entry = db.session.scalars(select(ModerationEntry)).one()
        assert (entry.action, entry.target_type, entry.target_id) == ("revert", "shop", bakery.id)
        assert entry.moderator_id == moderator.id and entry.reason == REASON["reason"]


def test_a_field_changed_since_is_kept_and_named(app, as_merchant, as_moderator, bakery, reload):
    as_merchant.post(edit_url(bakery), edit_form())
    as_merchant.post(edit_url(bakery), edit_form(opening_hours="Mo-Sa 08:00-19:00"))
    first = revisions(app, bakery.id)[0]
    response = as_moderator.post(revert_url(first), REASON, follow_redirects=True)
    assert "sauf ces champs, modifiés depuis : Horaires d'ouverture" in html.unescape(
        response.get_data(as_text=True)
    )
    shop = reload(Shop, bakery.id)
    assert shop.opening_hours == "Mo-Sa 08:00-19:00"
    assert (shop.delivery, shop.delivery_radius_km, shop.merchant_answer) == (False, None, "")
    assert "opening_hours" not in revisions(app, bakery.id)[-1].changes


def test_the_service_says_which_fields_it_kept(app, bakery, merchant, moderator):
    first = edit_as(app, merchant.id, bakery.id, opening_hours=HOURS, takeaway=True)
    edit_as(app, merchant.id, bakery.id, takeaway=False)
    with app.app_context():
        result = revert_revision(db.session.get(User, moderator.id), first, "Fantaisiste")
        assert result.kept == ("takeaway",)
        assert result.revision.changes == {"opening_hours": [HOURS, ""]}
        db.session.commit()


def test_a_partial_revert_keeps_the_shop_consistent(app, bakery, merchant, moderator, reload):
    # Delivery was switched on with 12 km, then the radius alone changed: undoing the first
    # edit stops delivery, and a radius without delivery means nothing.
    first = edit_as(app, merchant.id, bakery.id, delivery=True, delivery_radius_km=12)
    edit_as(app, merchant.id, bakery.id, delivery_radius_km=30)
    with app.app_context():
        revert_revision(db.session.get(User, moderator.id), first, "Ne livre pas")
        db.session.commit()
    shop = reload(Shop, bakery.id)
    assert (shop.delivery, shop.delivery_radius_km) == (False, None)


def test_reverting_an_answer_restores_its_date(app, bakery, merchant, moderator, reload):
    edit_as(app, merchant.id, bakery.id, merchant_answer="Première réponse")
    written = reload(Shop, bakery.id).merchant_answer_at
    second = edit_as(app, merchant.id, bakery.id, merchant_answer="Réponse agressive")
    with app.app_context():
        revert_revision(db.session.get(User, moderator.id), second, "Ton agressif")
        db.session.commit()
    shop = reload(Shop, bakery.id)
    assert (shop.merchant_answer, shop.merchant_answer_at) == ("Première réponse", written)


def test_reverting_twice_is_refused_clearly(app, as_merchant, as_moderator, bakery):
    as_merchant.post(edit_url(bakery), edit_form())
    (edit,) = revisions(app, bakery.id)
    as_moderator.post(revert_url(edit), REASON)
    before = snapshot(app)
    response = as_moderator.post(revert_url(edit), REASON)
    assert response.status_code == 409
    assert "déjà été annulée" in html.unescape(response.get_data(as_text=True))
    assert snapshot(app) == before and len(revisions(app, bakery.id)) == 2


def test_nothing_left_to_revert_is_refused(app, bakery, merchant, moderator):
    first = edit_as(app, merchant.id, bakery.id, opening_hours=HOURS)
    edit_as(app, merchant.id, bakery.id, opening_hours="24/7")
    with app.app_context(), pytest.raises(Conflict):
        revert_revision(db.session.get(User, moderator.id), first, "Rien")


def test_a_revert_needs_a_reason(app, as_merchant, as_moderator, bakery):
    as_merchant.post(edit_url(bakery), edit_form())
    (edit,) = revisions(app, bakery.id)
    before = snapshot(app)
    response = as_moderator.post(revert_url(edit), {"reason": "  "})
    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), f"revert-{edit.id}-reason")
    assert snapshot(app) == before and revisions(app, bakery.id)[0].reverted_at is None


@pytest.mark.parametrize("who", ["merchant", "member"])
def test_only_moderators_revert(app, as_merchant, bakery, merchant, member, who):
    as_merchant.post(edit_url(bakery), edit_form())
    (edit,) = revisions(app, bakery.id)
    browser = logged_in(app, {"merchant": merchant, "member": member}[who])
    before = snapshot(app)
    assert browser.post(revert_url(edit), REASON).status_code == 403
    assert snapshot(app) == before and revisions(app, bakery.id)[0].reverted_at is None


def test_a_forged_revision_id_is_404(as_moderator, bakery):
    assert as_moderator.post("/revisions/999999/revert", REASON).status_code == 404
    assert as_moderator.post("/revisions/99999999999999999999/revert", REASON).status_code == 404
