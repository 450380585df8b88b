"""Merchant claims: a member asks to be recognised as a shop's merchant, gives evidence (an
address at the shop website's domain, proved by a code mailed there; a phone number; a note),
and a moderator accepts or rejects the claim from the review queue.

A claim with an email waits for its code (``awaiting_code``) and reaches the queue (``open``)
once the code is entered, or once the claimant sends it on without it (the email then shows as
unverified); a claim without an email is open at once. Accepting verifies the shop and rejects
the other live claims on it; the claimant may withdraw a live claim.

Each operation checks its actor with a named predicate, locks what it changes (the shop first,
then its claims), raises the errors of ``directory/errors.py`` and writes the moderation log in
the same transaction. The caller commits, then sends the mail the result asks for.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.accounts.models import EMAIL_MAX_LENGTH, User
from directory.accounts.permissions import require_confirmed_member, require_member
from directory.accounts.services import normalise_email
from directory.errors import Conflict, NotFound, PermissionDenied, TooManyAttempts, ValidationFailed
from directory.extensions import db
from directory.merchants.models import CLAIM_NOTE_MAX_LENGTH, Claim, ClaimStatus
from directory.merchants.permissions import is_merchant_of
from directory.moderation.models import Action, ModerationEntry, TargetType
from directory.moderation.permissions import require_moderator
from directory.moderation.services import log_action, moderation_reason
from directory.moderation.trust import NEW_ACCOUNT_DAYS
from directory.shops.duplicates import phone_key
from directory.shops.limits import PHONE_MAX_LENGTH
from directory.shops.models import Shop
from directory.shops.services import PHONE_PATTERN, get_visible_shop, lock_shop
from directory.timeutil import utcnow
from directory.validation import clean_text

CODE_DIGITS = 6
CODE_MAX_AGE = timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_COOLDOWN = timedelta(seconds=60)
# A claim the claimant can still act on, and which blocks a second one on the same shop.
LIVE_STATUSES = (ClaimStatus.AWAITING_CODE.value, ClaimStatus.OPEN.value)
# ``decision_reason`` of the claims rejected because another claim on the shop was accepted:
# a key, not words, since the claimant reads it in their own language.
SUPERSEDED = "superseded"
# Hosts where anyone can have a page (or a mailbox): an address there proves nothing about the
# shop, so a listing whose website is one of them cannot be claimed by email.
SHARED_HOSTS = frozenset(
    {
        "facebook.com",
        "fb.com",
        "instagram.com",
        "linktr.ee",
        "google.com",
        "sites.google.com",
        "business.site",
        "wixsite.com",
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "skynet.be",
        "orange.fr",
        "free.fr",
    }
)

_GONE = "Cette adresse n'existe pas ou n'est plus visible."
_CLAIM_GONE = "Cette demande n'existe pas."


def _login_message() -> str:
    return _("Connectez-vous pour revendiquer cette fiche.")


# Reading -------------------------------------------------------------------------------------


def normalised_host(host: str | None) -> str | None:
    """``WWW.Café.be.`` → ``xn--caf-dma.be``: the host as email addresses write it (ASCII,
    lower case, no final dot), without ``www.``; None when it is no valid domain."""
    host = (host or "").strip().rstrip(".")
    if not host:
        return None
    try:
        # The email library's own domain rules (IDNA 2008), so both sides compare alike.
        ascii_domain = validate_email(f"x@{host}", check_deliverability=False).ascii_domain
    except EmailNotValidError:
        return None
    return ascii_domain.lower().removeprefix("www.")


def website_domain(shop: Shop) -> str | None:
    """The domain a claim's email must be at: the host of the shop's website, or None when the
    shop has no website (or one on a shared platform, where an address proves nothing)."""
    if not shop.website:
        return None
    try:
        host = urlsplit(shop.website).hostname
    except ValueError:
        return None
    domain = normalised_host(host)
    if domain is None or any(domain == s or domain.endswith("." + s) for s in SHARED_HOSTS):
        return None
    return domain


def live_claim(user: User | None, shop_id: int) -> Claim | None:
    """``user``'s claim on the shop that is waiting for its code or for a moderator, if any."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Claim).where(
            Claim.user_id == user.id,
            Claim.shop_id == shop_id,
            Claim.status.in_(LIVE_STATUSES),
        )
    )


@dataclass(frozen=True)
class ClaimLink:
    """What the shop page offers about claiming it: ``state`` is ``login`` (a visitor),
    ``claim``, ``awaiting_code`` or ``open`` (the member's own live ``claim``), ``merchant``,
    or ``""`` (nothing: a verified shop, or one that is not published)."""

    state: str
    claim: Claim | None = None


def claim_link(user: User | None, shop: Shop) -> ClaimLink:
    """The claim link of ``shop``'s page for ``user`` (a template global)."""
    if is_merchant_of(user, shop):
        return ClaimLink("merchant")
    if not shop.is_visible or shop.is_verified:
        return ClaimLink("")
    if user is None or not user.is_authenticated:
        return ClaimLink("login")
    if user.is_banned_now:
        return ClaimLink("")
    claim = live_claim(user, shop.id)
    if claim is not None:
        return ClaimLink(claim.status, claim)
    return ClaimLink("claim")


def own_claim(user: User | None, claim_id: int) -> Claim:
    """The claimant's own claim (any state); ``NotFound`` for anyone else's."""
    member = require_member(user, _login_message())
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.user_id != member.id:
        raise NotFound(_(_CLAIM_GONE))
    return claim


def claim_for_review(claim_id: int) -> Claim:
    """A claim with its shop and claimant, for a moderator's page (the caller checks who asks)."""
    claim = db.session.scalar(
        select(Claim)
        .where(Claim.id == claim_id)
        .options(selectinload(Claim.user), selectinload(Claim.shop), selectinload(Claim.decided_by))
    )
    if claim is None:
        raise NotFound(_(_CLAIM_GONE))
    return claim


def open_claims() -> list[Claim]:
    """Claims waiting for a moderator, oldest first, with their shop and claimant."""
    return list(
        db.session.scalars(
            select(Claim)
            .where(Claim.status == ClaimStatus.OPEN.value)
            .options(selectinload(Claim.user), selectinload(Claim.shop))
            .order_by(Claim.created_at, Claim.id)
        )
    )


@dataclass(frozen=True)
class ClaimEvidence:
    """What a moderator weighs: the evidence given and the claimant's standing."""

    email: str | None
    email_verified: bool
    phone: str | None
    # True when the phone given is the listing's own number (None: no phone to compare).
    phone_matches_listing: bool | None
    note: str
    account_created: datetime
    new_account: bool
    approved_posts: int


def claim_evidence(claim: Claim) -> ClaimEvidence:
    """The evidence of ``claim``, for the review queue and the claim's review page."""
    given, listed = phone_key(claim.phone), phone_key(claim.shop.phone)
    return ClaimEvidence(
        email=claim.email,
        email_verified=claim.email_verified_at is not None,
        phone=claim.phone,
        phone_matches_listing=(given == listed) if given and listed else None,
        note=claim.note,
        account_created=claim.user.created_at,
        new_account=claim.user.created_at > utcnow() - timedelta(days=NEW_ACCOUNT_DAYS),
        approved_posts=claim.user.approved_posts,
    )


# Input checks --------------------------------------------------------------------------------


def checked_email(value: str | None, shop: Shop) -> str | None:
    """The normalised address, at the shop website's domain or one of its subdomains; None
    when empty; else ``ValidationFailed`` on ``email`` saying what is wrong."""
    value = clean_text(value, "email", EMAIL_MAX_LENGTH)
    if not value:
        return None
    domain = website_domain(shop)
    if domain is None:
        raise ValidationFailed(
            _(
                "Cette fiche n'indique pas de site web propre au commerce : une adresse e-mail ne "
                "peut rien prouver. Laissez ce champ vide et donnez un téléphone ou une note."
            ),
            field="email",
        )
    try:
        parsed = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(
            _("Adresse e-mail invalide (par exemple : contact@%(domain)s).", domain=domain),
            field="email",
        ) from None
    at = parsed.ascii_domain.lower()
    host = normalised_host(at)
    if host != domain and not (host or "").endswith("." + domain):
        raise ValidationFailed(
            _(
                "L'adresse doit être au domaine du site de la fiche, %(domain)s (par exemple : "
                "contact@%(domain)s).",
                domain=domain,
            ),
            field="email",
        )
    local = parsed.normalized.rpartition("@")[0]
    return normalise_email(f"{local}@{at}")


def checked_phone(value: str | None) -> str | None:
    """A phone number written as the shop form accepts them, or None when empty."""
    phone = clean_text(value, "phone", PHONE_MAX_LENGTH)
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationFailed(_("Numéro de téléphone invalide."), field="phone")
    return phone or None


# The claimant's operations -------------------------------------------------------------------


@dataclass
class ClaimStarted:
    """A claim that was created or given a new code; ``code`` is set when one must be mailed
    (the database keeps only its hash)."""

    claim: Claim
    code: str | None = None


def _new_code(claim: Claim) -> str:
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    claim.email_code_hash = _code_hash(claim, code)
    claim.email_code_sent_at = utcnow()
    claim.email_code_attempts = 0
    return code


def _code_hash(claim: Claim, code: str) -> str:
    # Keyed with the secret key and bound to the claim and address: a leaked table row alone
    # does not let anyone try the million codes offline.
    secret = current_app.config["SECRET_KEY"]
    key = secret if isinstance(secret, bytes) else str(secret).encode()
    message = f"claim-code:{claim.id}:{claim.email}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def start_claim(
    claimant: User | None,
    shop_id: int,
    email: str | None = None,
    phone: str | None = None,
    note: str | None = "",
) -> ClaimStarted:
    """Claim a published shop that has no merchant yet, with at least one piece of evidence.

    With an email the claim waits for the code mailed there (returned in the result); without,
    it goes to the review queue at once.
    """
    member = require_confirmed_member(claimant, _login_message())
    lock_shop(shop_id)  # two claims at once on one shop take turns, so each sees the other
    shop = get_visible_shop(shop_id)
    if is_merchant_of(member, shop):
        raise Conflict(_("Vous gérez déjà cette fiche."))
    if shop.is_verified:
        raise Conflict(
            _(
                "Cette fiche est déjà vérifiée par son commerçant. Si ce n'est pas le bon, "
                "signalez-le avec « Signaler un problème » sur la page de l'adresse."
            )
        )
    if live_claim(member, shop.id) is not None:
        raise Conflict(_("Vous avez déjà une demande en cours pour cette fiche."))
    checked = {
        "email": checked_email(email, shop),
        "phone": checked_phone(phone),
        "note": clean_text(note, "note", CLAIM_NOTE_MAX_LENGTH),
    }
    if not any(checked.values()):
        raise ValidationFailed(
            _("Donnez au moins une preuve : une adresse e-mail, un téléphone ou une note."),
            field="email",
        )
    status = ClaimStatus.AWAITING_CODE if checked["email"] else ClaimStatus.OPEN
    claim = Claim(shop_id=shop.id, user_id=member.id, status=status.value, **checked)
    db.session.add(claim)
    db.session.flush()  # the code's hash is bound to the claim's id
    return ClaimStarted(claim, _new_code(claim) if checked["email"] else None)


def _locked_own_claim(claimant: User | None, claim_id: int, *allowed: ClaimStatus) -> Claim:
    member = require_member(claimant, _login_message())
    claim = db.session.get(Claim, claim_id, with_for_update=True, populate_existing=True)
    if claim is None or claim.user_id != member.id:
        raise NotFound(_(_CLAIM_GONE))
    if claim.status not in {status.value for status in allowed}:
        raise Conflict(_("Cette demande n'attend plus cela : voyez son état ci-dessous."))
    return claim


def _code_expired(claim: Claim) -> bool:
    sent = claim.email_code_sent_at
    return sent is None or claim.email_code_hash is None or sent + CODE_MAX_AGE < utcnow()


def _retry_after(claim: Claim, wait: timedelta) -> int:
    sent = claim.email_code_sent_at or utcnow()
    return max(1, int((sent + wait - utcnow()).total_seconds()) + 1)


def count_code_attempt(claimant: User | None, claim_id: int) -> Claim:
    """Count one try at the claim's code, or refuse it (expired, or too many tries).

    The caller commits this before ``confirm_code`` checks the code: a wrong code's error rolls
    its own transaction back, and the try must stay counted.
    """
    claim = _locked_own_claim(claimant, claim_id, ClaimStatus.AWAITING_CODE)
    if _code_expired(claim):
        raise ValidationFailed(
            _("Ce code a expiré : demandez-en un nouveau."),
            field="code",
        )
    if claim.email_code_attempts >= CODE_MAX_ATTEMPTS:
        raise TooManyAttempts(
            _(
                "Trop d'essais pour ce code : demandez-en un nouveau, ou envoyez la demande "
                "sans code."
            ),
            field="code",
            retry_after=_retry_after(claim, CODE_RESEND_COOLDOWN),
        )
    claim.email_code_attempts += 1
    db.session.flush()
    return claim


def confirm_code(claimant: User | None, claim_id: int, code: str | None) -> Claim:
    """Check the code mailed for the claim (after ``count_code_attempt``); the right one marks
    the email verified and sends the claim to the review queue."""
    claim = _locked_own_claim(claimant, claim_id, ClaimStatus.AWAITING_CODE)
    typed = "".join((code or "").split())
    if not (len(typed) == CODE_DIGITS and typed.isascii() and typed.isdigit()):
        raise ValidationFailed(
            _("Le code a %(n)d chiffres, comme dans l'e-mail reçu.", n=CODE_DIGITS), field="code"
        )
    if _code_expired(claim):
        raise ValidationFailed(_("Ce code a expiré : demandez-en un nouveau."), field="code")
    if not hmac.compare_digest(claim.email_code_hash or "", _code_hash(claim, typed)):
        left = max(0, CODE_MAX_ATTEMPTS - claim.email_code_attempts)
        if left == 0:
            raise ValidationFailed(
                _("Code incorrect, et c'était le dernier essai : demandez un nouveau code."),
                field="code",
            )
        raise ValidationFailed(
            ngettext(
                "Code incorrect : il vous reste %(num)d essai.",
                "Code incorrect : il vous reste %(num)d essais.",
                left,
            ),
            field="code",
        )
    claim.email_verified_at = utcnow()
    claim.email_code_hash = None
    claim.status = ClaimStatus.OPEN.value
    return claim


def resend_code(claimant: User | None, claim_id: int) -> ClaimStarted:
    """A new code for a claim waiting for one (the old one stops working), at most one a minute."""
    claim = _locked_own_claim(claimant, claim_id, ClaimStatus.AWAITING_CODE)
    sent = claim.email_code_sent_at
    if sent is not None and sent + CODE_RESEND_COOLDOWN > utcnow():
        wait = _retry_after(claim, CODE_RESEND_COOLDOWN)
        raise TooManyAttempts(
            ngettext(
                "Un code vient d'être envoyé : réessayez dans %(num)d seconde.",
                "Un code vient d'être envoyé : réessayez dans %(num)d secondes.",
                wait,
            ),
            retry_after=wait,
        )
    return ClaimStarted(claim, _new_code(claim))


def send_without_code(claimant: User | None, claim_id: int) -> Claim:
    """Send a claim waiting for its code on to the moderators, the email marked unverified."""
    claim = _locked_own_claim(claimant, claim_id, ClaimStatus.AWAITING_CODE)
    claim.status = ClaimStatus.OPEN.value
    claim.email_code_hash = None
    return claim


def withdraw_claim(claimant: User | None, claim_id: int) -> Claim:
    """The claimant takes back a claim that is still waiting (for its code or a moderator)."""
    claim = _locked_own_claim(claimant, claim_id, ClaimStatus.AWAITING_CODE, ClaimStatus.OPEN)
    claim.status = ClaimStatus.WITHDRAWN.value
    claim.email_code_hash = None
    claim.decided_at = utcnow()
    return claim


# The moderators' decisions -------------------------------------------------------------------


@dataclass
class ClaimDecision:
    """A decided claim, its log entry, and the claims an acceptance rejected with it (each
    claimant is mailed once the caller has committed)."""

    claim: Claim
    entry: ModerationEntry
    superseded: list[Claim] = field(default_factory=list)


def _decide(moderator: User, claim: Claim, status: ClaimStatus, reason: str) -> None:
    claim.status = status.value
    claim.decided_at = utcnow()
    claim.decided_by_id = moderator.id
    claim.decision_reason = reason
    claim.email_code_hash = None


def _claim_to_decide(moderator: User, claim_id: int) -> tuple[Claim, Shop]:
    """The open claim and its shop, both locked (the shop first, as ``start_claim`` does)."""
    found = db.session.get(Claim, claim_id)
    if found is None:
        raise NotFound(_(_CLAIM_GONE))
    shop = lock_shop(found.shop_id)
    claim = db.session.get(Claim, claim_id, with_for_update=True, populate_existing=True)
    if claim is None or shop is None:
        raise NotFound(_(_GONE))
    if claim.status != ClaimStatus.OPEN.value:
        raise Conflict(_("Cette demande a déjà été traitée."), field="reason")
    if claim.user_id == moderator.id:
        raise PermissionDenied(_("Un autre modérateur doit examiner votre propre demande."))
    return claim, shop


def _private_note(claim: Claim) -> str:
    # For moderators only: the public log never shows an email or a phone number. English, as
    # every stored note: moderators read it whatever their interface language.
    email = "none"
    if claim.email:
        verified = "verified" if claim.email_verified_at else "unverified"
        email = f"{claim.email} ({verified})"
    phone = claim.phone or "none"
    return f"claim #{claim.id} by user #{claim.user_id}; email: {email}; phone: {phone}"


def accept_claim(actor: User | None, claim_id: int, reason: str) -> ClaimDecision:
    """Recognise the claimant as the shop's merchant: the listing shows "vérifié par le
    commerçant", the merchant edits it directly, and the other live claims on it are rejected."""
    moderator = require_moderator(actor)
    reason = moderation_reason(reason)
    claim, shop = _claim_to_decide(moderator, claim_id)
    if not shop.is_visible:
        raise Conflict(_("Cette adresse n'est plus publiée : refusez la demande."), field="reason")
    if shop.is_verified:
        raise Conflict(_("Cette fiche a déjà un commerçant vérifié."), field="reason")
    claimant = db.session.get_one(User, claim.user_id)
    if not claimant.is_active:
        raise Conflict(_("Ce compte est suspendu ou supprimé."), field="reason")
    now = utcnow()
    shop.merchant_id = claimant.id
    shop.verified_at = now
    _decide(moderator, claim, ClaimStatus.ACCEPTED, reason)
    others = list(
        db.session.scalars(
            select(Claim)
            .where(
                Claim.shop_id == shop.id,
                Claim.id != claim.id,
                Claim.status.in_(LIVE_STATUSES),
            )
            .with_for_update()
        )
    )
    for other in others:
        _decide(moderator, other, ClaimStatus.REJECTED, SUPERSEDED)
    note = _private_note(claim)
    if others:
        note += "; also rejected: " + ", ".join(f"claim #{other.id}" for other in others)
    entry = log_action(
        moderator, Action.ACCEPT_CLAIM, TargetType.SHOP, shop.id, shop.name, reason, note
    )
    return ClaimDecision(claim, entry, others)


def reject_claim(actor: User | None, claim_id: int, reason: str) -> ClaimDecision:
    """Refuse a claim, with a reason the claimant is mailed (and the public log shows)."""
    moderator = require_moderator(actor)
    reason = moderation_reason(reason)
    claim, shop = _claim_to_decide(moderator, claim_id)
    _decide(moderator, claim, ClaimStatus.REJECTED, reason)
    entry = log_action(
        moderator,
        Action.REJECT_CLAIM,
        TargetType.SHOP,
        shop.id,
        shop.name,
        reason,
        _private_note(claim),
    )
    return ClaimDecision(claim, entry)
