"""Issue 9: a merchant claims a listing with evidence (a code mailed to an address at the shop
website's domain, a phone, a note); moderators accept or reject it from the review queue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app import create_app
from directory.accounts.models import User
from directory.accounts.services import register
from directory.errors import Conflict, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.merchants import claims
from directory.merchants.models import Claim, ClaimStatus
from directory.merchants.permissions import is_merchant_of
from directory.moderation.models import ModerationEntry
from directory.moderation.queue import review_queue
from directory.shops.models import Shop
from directory.shops.services import create_shop
from directory.timeutil import utcnow
from tests.conftest import PASSWORD, Browser, base_config, shop_input
from tests.conftest import database_snapshot as snapshot
from tests.test_bad_input import field_errors, has_value

SITE = "https://www.boulangerie-du-marche.be/fr/"
EMAIL = "patron@boulangerie-du-marche.be"
PHONE = "+32 63 21 00 00"
REASON = {"reason": "Code vérifié, numéro de la fiche"}


# --- Helpers -----------------------------------------------------------------------------------


@pytest.fixture
def bakery(make_shop) -> Shop:
    """A published shop with a website of its own and a phone number, posted by ``member``."""
    return make_shop(website=SITE, phone="063 21 00 00")


@pytest.fixture
def merchant(make_user) -> User:
    """The member who runs the bakery (not the member who posted it)."""
    return make_user("Marchande")


@pytest.fixture
def modo(app, moderator) -> Browser:
    """A moderator's logged-in browser."""
    browser = Browser(app.test_client())
    browser.login(moderator.email)
    return browser


def logged_in(app, user: User) -> Browser:
    browser = Browser(app.test_client())
    browser.login(user.email)
    return browser


def claim_rows(app) -> list[tuple]:
    with app.app_context():
        return [
            (c.shop_id, c.user_id, c.status, c.email, c.phone, c.note)
            for c in db.session.scalars(select(Claim).order_by(Claim.id))
        ]


def only_claim(app) -> Claim:
    with app.app_context():
        claim = db.session.scalars(select(Claim)).one()
        db.session.expunge(claim)
        return claim


def mailed_code(mailbox, to: str = EMAIL) -> str:
    body = mailbox.last(to).get_content()
    return re.search(r"^(\d{6})\r?$", body, re.M).group(1)


def claim_by_email(app, browser: Browser, shop: Shop, mailbox) -> tuple[int, str]:
    """Claim ``shop`` with the email evidence; the claim's id and the code mailed."""
    answer = browser.post(
        f"/shops/{shop.id}/claim", {"email": EMAIL, "phone": PHONE, "note": "La patronne"}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    claim = only_claim(app)
    assert answer.headers["Location"] == f"/claims/{claim.id}/code"
    return claim.id, mailed_code(mailbox)


def open_claim(app, user: User, shop: Shop, **evidence) -> int:
    """A claim already waiting for a moderator (no email: open at once)."""
    with app.app_context():
        started = claims.start_claim(
            db.session.get(User, user.id), shop.id, phone=evidence.get("phone", PHONE)
        )
        db.session.commit()
        return started.claim.id


def set_claim(app, claim_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Claim).where(Claim.id == claim_id).values(**values))
        db.session.commit()


def shop_page(browser: Browser, shop: Shop) -> str:
    return browser.get(f"/shops/{shop.id}-{shop.slug}").get_data(as_text=True)


def log(app) -> list[tuple]:
    with app.app_context():
        return [
            (e.action, e.target_type, e.target_id, e.reason, e.private_note)
            for e in db.session.scalars(select(ModerationEntry).order_by(ModerationEntry.id))
        ]


# --- The whole flow ----------------------------------------------------------------------------


def test_a_claim_with_its_code_reaches_the_queue_and_once_accepted_verifies_the_shop(
    app, browser, bakery, merchant, moderator, modo, mailbox, reload
):
    me = logged_in(app, merchant)
    assert "C'est votre commerce ? Revendiquez cette fiche" in shop_page(me, bakery)
    form = me.get(f"/shops/{bakery.id}/claim").get_data(as_text=True)
    assert "boulangerie-du-marche.be" in form and 'name="email"' in form

    claim_id, code = claim_by_email(app, me, bakery, mailbox)
    claim = only_claim(app)
    assert claim.status == ClaimStatus.AWAITING_CODE.value
    assert code not in (claim.email_code_hash or "") and len(claim.email_code_hash) == 64
    assert "Votre demande attend son code" in shop_page(me, bakery)
    assert "Revendication de" not in modo.get("/moderation/queue").get_data(as_text=True)

    assert me.post(f"/claims/{claim_id}/code", {"code": code}).status_code == 302
    claim = only_claim(app)
    assert claim.status == ClaimStatus.OPEN.value and claim.email_verified_at is not None
    assert "Votre demande est en cours d'examen" in shop_page(me, bakery)

    queue = modo.get("/moderation/queue").get_data(as_text=True)
    assert f"Revendication de {bakery.name}" in queue
    assert EMAIL in queue and "vérifiée par code" in queue and "celui de la fiche" in queue
    assert "La patronne" in queue and "1 adresse approuvée" in queue
    review = modo.get(f"/moderation/claims/{claim_id}").get_data(as_text=True)
    assert f'action="/moderation/claims/{claim_id}/accept"' in review

    answer = modo.post(f"/moderation/claims/{claim_id}/accept", REASON)
    assert answer.status_code == 302
    shop = reload(Shop, bakery.id)
    assert shop.merchant_id == merchant.id and shop.verified_at is not None
    with app.app_context():
        assert is_merchant_of(db.session.get(User, merchant.id), db.session.get(Shop, bakery.id))
    assert only_claim(app).status == ClaimStatus.ACCEPTED.value
    assert "est vérifiée" in mailbox.last(merchant.email)["Subject"]

    assert "vérifié par le commerçant" in shop_page(browser, bakery)
    assert "Revendiquez cette fiche" not in shop_page(browser, bakery)
    assert "Vous gérez cette fiche" in shop_page(me, bakery)
    assert "Revendication de" not in modo.get("/moderation/queue").get_data(as_text=True)


def test_the_public_log_records_the_decision_without_the_evidence(
    app, browser, bakery, merchant, modo, mailbox
):
    claim_id, code = claim_by_email(app, logged_in(app, merchant), bakery, mailbox)
    logged_in(app, merchant).post(f"/claims/{claim_id}/code", {"code": code})
    modo.post(f"/moderation/claims/{claim_id}/accept", REASON)
    ((action, target, target_id, reason, note),) = log(app)
    assert (action, target, target_id, reason) == (
        "accept_claim",
        "shop",
        bakery.id,
        REASON["reason"],
    )
    assert EMAIL in note and "(verified)" in note and PHONE in note  # for moderators
    answer = browser.get("/api/v1/moderation/log")
    entry = answer.get_json()["entries"][0]
    assert entry["action"] == "accept_claim" and entry["target"]["id"] == bakery.id
    public = answer.get_data(as_text=True) + browser.get("/moderation/log").get_data(as_text=True)
    assert EMAIL not in public and "21 00 00" not in public and "patron@" not in public


def test_a_claim_without_an_email_is_open_at_once_and_mails_nobody(app, bakery, merchant, mailbox):
    me = logged_in(app, merchant)
    answer = me.post(f"/shops/{bakery.id}/claim", {"phone": "063/21.00.00", "note": ""})
    claim = only_claim(app)
    assert answer.headers["Location"] == f"/claims/{claim.id}"
    assert claim_rows(app) == [(bakery.id, merchant.id, "open", None, "063/21.00.00", "")]
    assert mailbox.messages() == []
    page = me.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Votre demande est en cours d'examen" in page and "Retirer ma demande" in page


def test_the_claimant_may_send_the_claim_on_without_the_code(app, bakery, merchant, modo, mailbox):
    me = logged_in(app, merchant)
    claim_id, _code = claim_by_email(app, me, bakery, mailbox)
    assert me.post(f"/claims/{claim_id}/send").status_code == 302
    claim = only_claim(app)
    assert claim.status == "open" and claim.email_verified_at is None
    queue = modo.get("/moderation/queue").get_data(as_text=True)
    assert EMAIL in queue and "non vérifiée" in queue


def test_rejection_mails_the_reason_and_leaves_the_shop_unverified(
    app, bakery, merchant, modo, mailbox, reload
):
    claim_id = open_claim(app, merchant, bakery)
    answer = modo.post(f"/moderation/claims/{claim_id}/reject", {"reason": "Aucune preuve"})
    assert answer.status_code == 302
    assert only_claim(app).status == "rejected"
    assert reload(Shop, bakery.id).merchant_id is None
    assert [(a, t, i, r) for a, t, i, r, _note in log(app)] == [
        ("reject_claim", "shop", bakery.id, "Aucune preuve")
    ]
    assert "Aucune preuve" in mailbox.last(merchant.email).get_content()
    me = logged_in(app, merchant)
    assert "Revendiquez cette fiche" in shop_page(me, bakery)  # may try again
    assert "Aucune preuve" in me.get(f"/claims/{claim_id}").get_data(as_text=True)


def test_accepting_one_claim_rejects_the_other_live_ones(
    app, bakery, merchant, make_user, modo, mailbox
):
    rival = make_user("Concurrent")
    rival_claim = open_claim(app, rival, bakery)
    waiting = make_user("En attente")
    with app.app_context():
        claims.start_claim(db.session.get(User, waiting.id), bakery.id, email=EMAIL)
        db.session.commit()
    mine = open_claim(app, merchant, bakery)
    modo.post(f"/moderation/claims/{mine}/accept", REASON)
    with app.app_context():
        statuses = dict(db.session.execute(select(Claim.user_id, Claim.status)).all())
        rejected = db.session.get(Claim, rival_claim)
        assert rejected.decision_reason == claims.SUPERSEDED
    assert statuses == {merchant.id: "accepted", rival.id: "rejected", waiting.id: "rejected"}
    assert "Un autre membre" in mailbox.last(rival.email).get_content()
    assert "Un autre membre" in mailbox.last(waiting.email).get_content()


def test_the_claimant_withdraws_a_waiting_claim(app, bakery, merchant, other_member, modo):
    claim_id = open_claim(app, merchant, bakery)
    assert logged_in(app, other_member).post(f"/claims/{claim_id}/withdraw").status_code == 404
    assert only_claim(app).status == "open"
    me = logged_in(app, merchant)
    assert me.post(f"/claims/{claim_id}/withdraw").status_code == 302
    assert only_claim(app).status == "withdrawn"
    assert "Revendication de" not in modo.get("/moderation/queue").get_data(as_text=True)
    assert "Revendiquez cette fiche" in shop_page(me, bakery)
    assert modo.post(f"/moderation/claims/{claim_id}/accept", REASON).status_code == 409


# --- The code ----------------------------------------------------------------------------------


def test_wrong_codes_are_counted_and_the_sixth_try_is_refused_even_when_right(
    app, bakery, merchant, mailbox
):
    me = logged_in(app, merchant)
    claim_id, code = claim_by_email(app, me, bakery, mailbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        answer = me.post(f"/claims/{claim_id}/code", {"code": wrong})
        assert answer.status_code == 400
        errors = field_errors(answer.get_data(as_text=True), "code")
        assert errors == [f"Code incorrect : il vous reste {left} essai{'s' if left > 1 else ''}."]
    answer = me.post(f"/claims/{claim_id}/code", {"code": wrong})
    assert "dernier essai" in field_errors(answer.get_data(as_text=True), "code")[0]
    answer = me.post(f"/claims/{claim_id}/code", {"code": code})
    assert answer.status_code == 429 and "Retry-After" in answer.headers
    assert "Trop d'essais" in field_errors(answer.get_data(as_text=True), "code")[0]
    claim = only_claim(app)
    assert claim.status == "awaiting_code" and claim.email_code_attempts == 5

    # A new code (after the cooldown) starts over; the old one no longer works.
    set_claim(app, claim_id, email_code_sent_at=utcnow() - timedelta(minutes=2))
    assert me.post(f"/claims/{claim_id}/resend").status_code == 302
    fresh = mailed_code(mailbox)
    if fresh != code:
        assert me.post(f"/claims/{claim_id}/code", {"code": code}).status_code == 400
    assert me.post(f"/claims/{claim_id}/code", {"code": fresh}).status_code == 302
    assert only_claim(app).status == "open"


def test_an_expired_code_is_refused(app, bakery, merchant, mailbox):
    me = logged_in(app, merchant)
    claim_id, code = claim_by_email(app, me, bakery, mailbox)
    set_claim(app, claim_id, email_code_sent_at=utcnow() - timedelta(minutes=31))
    answer = me.post(f"/claims/{claim_id}/code", {"code": code})
    assert answer.status_code == 400
    assert field_errors(answer.get_data(as_text=True), "code") == [
        "Ce code a expiré : demandez-en un nouveau."
    ]
    claim = only_claim(app)
    assert claim.status == "awaiting_code" and claim.email_verified_at is None


@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "１２３４５６", "1234567"])
def test_a_malformed_code_is_refused_on_its_field(app, bakery, merchant, mailbox, typed):
    me = logged_in(app, merchant)
    claim_id, _code = claim_by_email(app, me, bakery, mailbox)
    answer = me.post(f"/claims/{claim_id}/code", {"code": typed})
    assert answer.status_code == 400
    assert field_errors(answer.get_data(as_text=True), "code")
    assert only_claim(app).status == "awaiting_code"


def test_a_new_code_waits_for_the_cooldown(app, bakery, merchant, mailbox):
    me = logged_in(app, merchant)
    claim_id, _code = claim_by_email(app, me, bakery, mailbox)
    answer = me.post(f"/claims/{claim_id}/resend", follow_redirects=True)
    assert "réessayez dans" in answer.get_data(as_text=True)
    assert len(mailbox.messages(EMAIL)) == 1


def test_nobody_else_enters_or_sees_the_code_page(app, bakery, merchant, other_member, mailbox):
    claim_id, code = claim_by_email(app, logged_in(app, merchant), bakery, mailbox)
    other = logged_in(app, other_member)
    assert other.get(f"/claims/{claim_id}").status_code == 404
    assert other.get(f"/claims/{claim_id}/code").status_code == 404
    assert other.post(f"/claims/{claim_id}/code", {"code": code}).status_code == 404
    assert other.post(f"/claims/{claim_id}/send").status_code == 404
    assert only_claim(app).status == "awaiting_code"


# --- The email's domain ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("website", "email", "kept"),
    [
        (SITE, "Patron@Boulangerie-du-Marche.BE", "patron@boulangerie-du-marche.be"),
        (SITE, "caisse@shop.boulangerie-du-marche.be", "caisse@shop.boulangerie-du-marche.be"),
        ("https://boulangerie-du-marche.be", "a@www.boulangerie-du-marche.be", None),
        ("https://www.café-liège.be/", "Info@Café-Liège.be", "info@xn--caf-lige-60ag.be"),
        ("https://xn--caf-lige-60ag.be/", "info@café-liège.be", "info@xn--caf-lige-60ag.be"),
    ],
)
def test_an_address_at_the_website_domain_or_a_subdomain_is_accepted(ctx, website, email, kept):
    assert claims.checked_email(email, Shop(website=website)) == (kept or email)


@pytest.mark.parametrize(
    ("website", "email", "words"),
    [
        (SITE, "patron@boulangerie-du-marche.be.example.com", "au domaine du site"),
        (SITE, "patron@autre-boulangerie-du-marche.be", "au domaine du site"),
        (SITE, "patron@marche.be", "au domaine du site"),
        (SITE, "patron@gmail.com", "au domaine du site"),
        (SITE, "pas une adresse", "Adresse e-mail invalide"),
        (SITE, "patron@", "Adresse e-mail invalide"),
        (None, "patron@boulangerie-du-marche.be", "n'indique pas de site web"),
        ("https://www.facebook.com/boulangerie", "x@facebook.com", "n'indique pas de site web"),
    ],
)
def test_an_address_elsewhere_is_refused_saying_why(ctx, website, email, words):
    with pytest.raises(ValidationFailed) as refused:
        claims.checked_email(email, Shop(website=website))
    assert refused.value.field == "email" and words in refused.value.message


def test_the_form_explains_when_the_shop_has_no_website(app, make_shop, merchant):
    plain = make_shop(name="Épicerie sans site")
    page = logged_in(app, merchant).get(f"/shops/{plain.id}/claim").get_data(as_text=True)
    assert "la preuve par e-mail n'est pas possible" in page


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"email": "patron@ailleurs.be", "phone": PHONE, "note": "Gérante"}, "email", "domaine"),
        ({"email": "patron@@x", "phone": PHONE, "note": "Gérante"}, "email", "invalide"),
        ({"email": "", "phone": "appelez-moi", "note": "Gérante"}, "phone", "Numéro"),
        ({"email": "", "phone": PHONE, "note": "x" * 501}, "note", "500"),
        ({"email": "", "phone": "", "note": "   "}, "email", "au moins une preuve"),
    ],
)
def test_bad_evidence_is_refused_on_its_field_with_the_input_kept(
    app, bakery, merchant, mailbox, form, field, words
):
    me = logged_in(app, merchant)
    before = snapshot(app)
    answer = me.post(f"/shops/{bakery.id}/claim", form)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    errors = field_errors(page, field)
    assert len(errors) == 1 and words in errors[0], errors
    for name, value in form.items():
        if value.strip() and name != "note":
            assert has_value(page, value), name
    assert claim_rows(app) == [] and snapshot(app) == before and mailbox.messages() == []


def test_a_second_claim_on_the_same_shop_is_refused(app, bakery, merchant):
    claim_id = open_claim(app, merchant, bakery)
    me = logged_in(app, merchant)
    answer = me.get(f"/shops/{bakery.id}/claim")
    assert answer.headers["Location"] == f"/claims/{claim_id}"
    with app.app_context(), pytest.raises(Conflict):
        claims.start_claim(db.session.get(User, merchant.id), bakery.id, phone=PHONE)
    assert len(claim_rows(app)) == 1


def test_a_verified_shop_cannot_be_claimed_and_says_how_to_report_its_merchant(
    app, bakery, merchant, other_member, modo
):
    modo.post(f"/moderation/claims/{open_claim(app, merchant, bakery)}/accept", REASON)
    other = logged_in(app, other_member)
    page = other.get(f"/shops/{bakery.id}/claim").get_data(as_text=True)
    assert "déjà vérifiée" in page and f"/shops/{bakery.id}/flag" in page
    answer = other.post(f"/shops/{bakery.id}/claim", {"phone": PHONE}, follow_redirects=True)
    assert answer.status_code == 409 and "Signaler un problème" in answer.get_data(as_text=True)
    assert len(claim_rows(app)) == 1


@pytest.mark.parametrize("status", ["hidden", "pending", "closed"])
def test_an_unpublished_shop_cannot_be_claimed(app, bakery, merchant, status):
    with app.app_context():
        db.session.execute(update(Shop).where(Shop.id == bakery.id).values(status=status))
        db.session.commit()
    me = logged_in(app, merchant)
    assert me.get(f"/shops/{bakery.id}/claim").status_code == 404
    assert me.post(f"/shops/{bakery.id}/claim", {"phone": PHONE}).status_code == 404
    assert claim_rows(app) == []


def test_a_merged_shop_sends_the_claimant_to_the_kept_one(app, bakery, make_shop, merchant):
    old = make_shop(name="Ancienne fiche", town="Habay", postcode="6720")
    with app.app_context():
        db.session.execute(
            update(Shop).where(Shop.id == old.id).values(status="merged", merged_into_id=bakery.id)
        )
        db.session.commit()
    me = logged_in(app, merchant)
    answer = me.get(f"/shops/{old.id}/claim")
    assert answer.status_code == 301 and answer.headers["Location"] == f"/shops/{bakery.id}/claim"
    assert me.post(f"/shops/{old.id}/claim", {"phone": PHONE}).status_code == 404
    assert claim_rows(app) == []


# --- Who may do what ---------------------------------------------------------------------------


def test_a_visitor_is_offered_to_log_in_first(app, browser, bakery):
    page = shop_page(browser, bakery)
    assert f"/login?next=/shops/{bakery.id}/claim" in page
    answer = browser.get(f"/shops/{bakery.id}/claim")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert browser.post(f"/shops/{bakery.id}/claim", {"phone": PHONE}).status_code == 302
    assert claim_rows(app) == []


def test_an_unconfirmed_member_must_confirm_first(app, bakery, make_user):
    newcomer = make_user("Pas confirmé", confirmed=False)
    me = logged_in(app, newcomer)
    assert "Confirmez d'abord" in me.get(f"/shops/{bakery.id}/claim").get_data(as_text=True)
    answer = me.post(f"/shops/{bakery.id}/claim", {"phone": PHONE}, follow_redirects=True)
    assert answer.status_code == 403
    assert claim_rows(app) == []


def test_a_banned_member_cannot_claim(app, bakery, merchant):
    me = logged_in(app, merchant)
    with app.app_context():
        db.session.execute(update(User).where(User.id == merchant.id).values(is_banned=True))
        db.session.commit()
        with pytest.raises(PermissionDenied):
            claims.start_claim(db.session.get(User, merchant.id), bakery.id, phone=PHONE)
    answer = me.post(f"/shops/{bakery.id}/claim", {"phone": PHONE})
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert claim_rows(app) == []


def test_only_moderators_decide_and_never_on_their_own_claim(
    app, bakery, merchant, other_member, moderator, modo
):
    claim_id = open_claim(app, merchant, bakery)
    member = logged_in(app, other_member)
    assert member.get(f"/moderation/claims/{claim_id}").status_code == 403
    for action in ("accept", "reject"):
        assert member.post(f"/moderation/claims/{claim_id}/{action}", REASON).status_code == 403
        assert (
            logged_in(app, merchant)
            .post(f"/moderation/claims/{claim_id}/{action}", REASON)
            .status_code
            == 403
        )
    with app.app_context(), pytest.raises(PermissionDenied):
        claims.accept_claim(db.session.get(User, other_member.id), claim_id, "moi")
    assert only_claim(app).status == "open" and log(app) == []

    own = open_claim(app, moderator, bakery)
    answer = modo.post(f"/moderation/claims/{own}/accept", REASON)
    assert answer.status_code == 403
    with app.app_context():
        assert db.session.get(Shop, bakery.id).merchant_id is None


def test_a_decision_needs_a_reason(app, bakery, merchant, modo):
    claim_id = open_claim(app, merchant, bakery)
    answer = modo.post(f"/moderation/claims/{claim_id}/accept", {"reason": ""})
    assert answer.status_code == 400
    assert field_errors(answer.get_data(as_text=True), "accept-reason")
    assert only_claim(app).status == "open" and log(app) == []


# --- The queue ---------------------------------------------------------------------------------


def test_claims_wait_oldest_first_behind_heavier_items(app, bakery, make_shop, make_user):
    second_shop = make_shop(name="Fromagerie du Coin", town="Habay", postcode="6720")
    first, second = make_user("Première"), make_user("Seconde")
    older = open_claim(app, first, second_shop)
    newer = open_claim(app, second, bakery)
    set_claim(app, older, created_at=utcnow() - timedelta(days=2))
    with app.app_context():
        items = review_queue().items
        assert [item.key for item in items] == [("claim", older), ("claim", newer)]
        assert {item.weight for item in items} == {1.0}
        assert items[0].shop.id == second_shop.id and not items[0].pending


# --- Rate limits -------------------------------------------------------------------------------


@pytest.fixture
def limited_app(database_url, tmp_path):
    config = base_config(database_url, tmp_path)
    config.update(RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="100 per minute")
    app = create_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_claims_are_limited_per_account_from_any_address(limited_app):
    # Built here, not with the app fixture: a second app would bind the shared limiter again.
    with limited_app.app_context():
        claimant = register("presse@example.org", "Pressé", PASSWORD, time_cost=1, memory_cost=1024)
        claimant.email_confirmed_at, claimant.approved_posts = utcnow(), 1  # publishes at once
        shop_id = create_shop(claimant, shop_input(website=SITE)).id
        db.session.commit()
    answers = []
    for n in range(11):
        visitor = Browser(limited_app.test_client())
        visitor.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        visitor.login("presse@example.org")
        answers.append(visitor.post(f"/shops/{shop_id}/claim", {"note": ""}).status_code)
    assert answers == [400] * 10 + [429]
    with limited_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Claim)) == 0
