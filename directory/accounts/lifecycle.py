"""The account lifecycle: confirm an email, change it, reset or change the password, edit the
profile, delete the account, download one's data.

Mailed links are signed tokens (``tokens.py``) bound to the account state they act on: a
confirmation link to the email it was sent for, a reset link to the password hash, so each
stops working once used or overtaken. The caller commits, then sends the mails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from directory.accounts.models import (
    DISPLAY_NAME_MAX_LENGTH,
    DISPLAY_NAME_MIN_LENGTH,
    EMAIL_MAX_LENGTH,
    User,
    new_session_token,
)
from directory.accounts.names import is_reserved_name, name_key, normalise_display_name
from directory.accounts.passwords import (
    app_hash_password,
    password_problem,
    strength_inputs,
    verify_password,
)
from directory.accounts.permissions import require_member
from directory.accounts.services import find_user_by_email, normalise_email
from directory.accounts.throttle import LoginThrottle
from directory.accounts.tokens import Purpose, fingerprint, make_token, read_token
from directory.errors import Conflict, TooManyAttempts, ValidationFailed
from directory.extensions import db
from directory.merchants.models import Claim
from directory.moderation.models import Flag, FlagStatus, ModerationEntry, TargetType
from directory.products.models import Product
from directory.shops.models import Shop, ShopStatus
from directory.timeutil import utcnow
from directory.tips.models import Tip
from directory.validation import clean_text
from directory.votes.models import Vote
from directory.votes.services import withdraw_vote

LOGIN_MESSAGE = "Connectez-vous pour gérer votre compte."


def _invalid_link() -> ValidationFailed:
    return ValidationFailed(_("Ce lien n'est plus valable : demandez-en un nouveau."))


def _account(user: User | None) -> User:
    return require_member(user, _(LOGIN_MESSAGE))


def check_current_password(user: User, password: str, throttle: LoginThrottle | None) -> None:
    """Refuse a change unless ``password`` is the member's; failures count like logins."""
    wait = throttle.retry_after(user.email) if throttle is not None else None
    if wait is not None:
        raise TooManyAttempts(
            _("Trop de tentatives pour ce compte ; réessayez dans une minute."),
            field="current_password",
            retry_after=wait,
        )
    if not verify_password(user.password_hash, password or ""):
        if throttle is not None:
            throttle.record_failure(user.email)
        raise ValidationFailed(_("Mot de passe incorrect."), field="current_password")


# Confirming an address -------------------------------------------------------------------


def _confirmation_state(user: User) -> dict[str, str]:
    """What a confirmation link is bound to: the email, the password and whether the email
    is confirmed yet. Once used, or once the password is reset, the link stops working (an
    email change asked for by someone who knew the password dies with the reset)."""
    return {
        "was": fingerprint(user.email),
        "pw": fingerprint(user.password_hash),
        "at": fingerprint(str(user.email_confirmed_at)),
    }


def confirmation_token(user: User, email: str | None = None) -> str:
    """A single-use link token confirming ``email`` (default: the current one) for ``user``."""
    return make_token(
        Purpose.CONFIRM_EMAIL,
        {"uid": user.id, "email": email or user.email, **_confirmation_state(user)},
    )


def _user_id(payload: dict) -> int | None:
    uid = payload.get("uid")
    # bool is an int; ids beyond 64 bits overflow SQLite's integers.
    if isinstance(uid, int) and not isinstance(uid, bool) and 0 < uid < 2**63:
        return uid
    return None


@dataclass(frozen=True)
class Confirmation:
    """A confirmed address: ``previous_email`` is set when it replaced another one."""

    user: User
    previous_email: str | None = None


def user_for_confirmation(token: str) -> tuple[User, str]:
    """The account and the address a confirmation link is for, or ``ValidationFailed``."""
    payload = read_token(Purpose.CONFIRM_EMAIL, token)
    uid = _user_id(payload)
    user = db.session.get(User, uid) if uid is not None else None
    email = payload.get("email")
    if (
        user is None
        or not user.is_active
        or not isinstance(email, str)
        or any(payload.get(key) != value for key, value in _confirmation_state(user).items())
    ):
        raise _invalid_link()
    return user, email


def confirm_email(token: str) -> Confirmation:
    """Follow a confirmation link: mark the address confirmed, or make it the account's email."""
    user, email = user_for_confirmation(token)
    previous = None
    if email != user.email:
        if find_user_by_email(email) is not None:
            raise Conflict(_("Cette adresse e-mail est déjà celle d'un autre compte."))
        previous, user.email = user.email, email
        user.session_token = new_session_token()  # other sessions end with the old address
    user.email_confirmed_at = utcnow()
    db.session.flush()
    return Confirmation(user=user, previous_email=previous)


@dataclass(frozen=True)
class EmailChange:
    """A requested change: mail ``token`` to ``email``, or, when ``email`` already has an
    account (``taken``), tell its owner instead; the member sees the same answer."""

    email: str
    token: str | None
    owner: User | None = None


def request_email_change(
    user: User | None, new_email: str, password: str, throttle: LoginThrottle | None = None
) -> EmailChange:
    """Start changing the account's email: nothing changes until the new address confirms."""
    member = _account(user)
    check_current_password(member, password, throttle)
    email = normalise_email(clean_text(new_email, "email", EMAIL_MAX_LENGTH, required=True))
    if email == member.email:
        raise ValidationFailed(_("C'est déjà votre adresse e-mail."), field="email")
    owner = find_user_by_email(email)
    if owner is not None:
        return EmailChange(email=email, token=None, owner=owner)
    return EmailChange(email=email, token=confirmation_token(member, email))


# Passwords ---------------------------------------------------------------------------------


def password_reset_token(user: User) -> str:
    """A reset link token, bound to the password hash (so it works once) and to the email."""
    return make_token(
        Purpose.RESET_PASSWORD,
        {
            "uid": user.id,
            "pw": fingerprint(user.password_hash),
            "email": fingerprint(user.email),
        },
    )


def user_for_password_reset(email: str) -> User | None:
    """The active account to mail a reset link to, or None (the visitor is told the same)."""
    user = find_user_by_email(email or "")
    return user if user is not None and user.is_active else None


def user_for_reset_token(token: str) -> User:
    """The account a reset link is for, while the link is unused; else ``ValidationFailed``."""
    payload = read_token(Purpose.RESET_PASSWORD, token)
    uid = _user_id(payload)
    user = db.session.get(User, uid) if uid is not None else None
    if (
        user is None
        or not user.is_active
        or payload.get("pw") != fingerprint(user.password_hash)
        or payload.get("email") != fingerprint(user.email)
    ):
        raise _invalid_link()
    return user


def _set_password(user: User, password: str) -> None:
    problem = password_problem(password or "", strength_inputs(user.email, user.display_name))
    if problem:
        raise ValidationFailed(problem, field="password")
    user.password_hash = app_hash_password(password)
    user.session_token = new_session_token()  # every session, on every device, ends


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; it ends all sessions and uses up the link.

    Following the link proves the member reads that mailbox, so it also confirms the email.
    """
    user = user_for_reset_token(token)
    _set_password(user, password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.session.flush()
    return user


def change_password(
    user: User | None, current: str, password: str, throttle: LoginThrottle | None = None
) -> User:
    """Change the password (the current one is asked); other sessions end."""
    member = _account(user)
    check_current_password(member, current, throttle)
    _set_password(member, password)
    db.session.flush()
    return member


# Profile -----------------------------------------------------------------------------------


def update_profile(
    user: User | None, display_name: str, language: str | None, languages: tuple[str, ...]
) -> User:
    """Change the display name (normalised, unique, any case) and the preferred language."""
    member = _account(user)
    name = clean_text(
        normalise_display_name(display_name), "display_name", DISPLAY_NAME_MAX_LENGTH, required=True
    )
    if len(name) < DISPLAY_NAME_MIN_LENGTH:
        raise ValidationFailed(_("Ce nom est trop court."), field="display_name")
    if is_reserved_name(name):
        raise ValidationFailed(_("Ce nom est réservé."), field="display_name")
    if name_key(name) != member.name_key:
        taken = db.session.scalar(select(User.id).where(User.name_key == name_key(name)))
        if taken is not None:
            raise Conflict(_("Ce nom est déjà pris."), field="display_name")
    if language and language not in languages:
        raise ValidationFailed(_("Langue inconnue."), field="language")
    member.display_name = name
    member.language = language or None
    db.session.flush()
    return member


# Deleting an account -----------------------------------------------------------------------


def delete_account(user: User | None, password: str, throttle: LoginThrottle | None = None) -> None:
    """Delete the member's account, as the privacy page describes.

    Their shop recommendations stay, shown as posted by "ancien membre" (those still waiting
    for review are not published); their votes are withdrawn (counts and ranking follow), their
    tips deleted, their open flags withdrawn; the row keeps no email,
    name or password, only its id, so the posts' references hold.
    """
    member = _account(user)
    check_current_password(member, password, throttle)
    voted = db.session.scalars(select(Vote.shop_id).where(Vote.user_id == member.id)).all()
    for shop_id in voted:
        withdraw_vote(member, shop_id)
    db.session.execute(delete(Tip).where(Tip.author_id == member.id))
    # Their open flags leave the queue and every note goes (their words); decided flags stay,
    # as the count behind other members' weights. Posts nobody approved yet are not published.
    db.session.execute(
        delete(Flag).where(Flag.reporter_id == member.id, Flag.status == FlagStatus.OPEN.value)
    )
    db.session.execute(update(Flag).where(Flag.reporter_id == member.id).values(note=""))
    for shop in db.session.scalars(
        select(Shop).where(Shop.author_id == member.id, Shop.status == ShopStatus.PENDING.value)
    ):
        shop.status = ShopStatus.HIDDEN.value
    # Claims hold their evidence (an email, a phone number, a note): they go. A shop they ran
    # is no longer verified, and its merchant answer (their words) goes with them.
    db.session.execute(delete(Claim).where(Claim.user_id == member.id))
    for shop in db.session.scalars(select(Shop).where(Shop.merchant_id == member.id)):
        shop.merchant_id = shop.verified_at = shop.merchant_answer_at = None
        shop.merchant_answer = ""
    member.email = f"deleted-{member.id}@invalid"
    member.display_name = f"deleted-{member.id}"
    member.password_hash = "!"  # not an Argon2 hash: no password ever matches  # noqa: S105
    member.session_token = new_session_token()
    member.email_confirmed_at = None
    member.language = None
    member.deleted_at = utcnow()
    db.session.execute(
        update(ModerationEntry)
        .where(ModerationEntry.target_type == TargetType.USER.value)
        .where(ModerationEntry.target_id == member.id)
        .values(target_name=member.display_name)
    )
    db.session.flush()


# Downloading one's data --------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_data(user: User | None) -> dict[str, Any]:
    """Everything the site holds about the member, as JSON-ready data (GDPR, article 20)."""
    member = _account(user)
    shops = db.session.scalars(
        select(Shop).where(Shop.author_id == member.id).order_by(Shop.id)
    ).all()
    tips = db.session.scalars(select(Tip).where(Tip.author_id == member.id).order_by(Tip.id)).all()
    votes = db.session.scalars(
        select(Vote).where(Vote.user_id == member.id).order_by(Vote.id)
    ).all()
    flags = db.session.scalars(
        select(Flag).where(Flag.reporter_id == member.id).order_by(Flag.id)
    ).all()
    claims = db.session.scalars(
        select(Claim).where(Claim.user_id == member.id).order_by(Claim.id)
    ).all()
    products = db.session.scalars(
        select(Product).where(Product.author_id == member.id).order_by(Product.id)
    ).all()
    return {
        "account": {
            "id": member.id,
            "email": member.email,
            "email_confirmed_at": _iso(member.email_confirmed_at),
            "display_name": member.display_name,
            "language": member.language,
            "role": member.role,
            "created_at": _iso(member.created_at),
        },
        "shops": [
            {
                "id": shop.id,
                "name": shop.name,
                "category": shop.category.slug,
                "address": shop.address,
                "postcode": shop.postcode,
                "town": shop.town,
                "country": shop.country,
                "description": shop.description,
                "status": shop.status,
                "created_at": _iso(shop.created_at),
                "updated_at": _iso(shop.updated_at),
            }
            for shop in shops
        ],
        "tips": [
            {"shop_id": tip.shop_id, "body": tip.body, "created_at": _iso(tip.created_at)}
            for tip in tips
        ],
        "votes": [{"shop_id": vote.shop_id, "created_at": _iso(vote.created_at)} for vote in votes],
        "flags": [
            {
                "shop_id": flag.shop_id,
                "tip_id": flag.tip_id,
                "reason": flag.reason,
                "note": flag.note,
                "status": flag.status,
                "created_at": _iso(flag.created_at),
            }
            for flag in flags
        ],
        "claims": [
            {
                "shop_id": claim.shop_id,
                "status": claim.status,
                "email": claim.email,
                "phone": claim.phone,
                "note": claim.note,
                "created_at": _iso(claim.created_at),
                "decided_at": _iso(claim.decided_at),
            }
            for claim in claims
        ],
        "products": [
            {
                "shop_id": product.shop_id,
                "name": product.name,
                "description": product.description,
                "price_cents": product.price_cents,
                "url": product.url,
                "status": product.status,
                "created_at": _iso(product.created_at),
            }
            for product in products
        ],
        "exported_at": _iso(utcnow()),
    }
