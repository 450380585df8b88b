"""Account operations: register, authenticate, end sessions."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from directory.accounts.models import (
    DISPLAY_NAME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    User,
    new_session_token,
)
from directory.accounts.names import is_reserved_name, name_key, normalise_display_name
from directory.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    strength_inputs,
    verify_password,
)
from directory.accounts.throttle import LoginThrottle
from directory.database import reading
from directory.errors import Conflict, TooManyAttempts, ValidationFailed
from directory.extensions import db
from directory.validation import clean_text

# Verifying against a real hash when the email is unknown keeps both failures equally slow.
_DUMMY_HASH = hash_password("not-a-real-password-only-for-timing")


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """Return the user with this email (any case), or None."""
    if any(ord(c) < 32 for c in email):  # no account has one, and PostgreSQL refuses NUL
        return None
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _checked_details(email: str, display_name: str, password: str) -> tuple[str, str]:
    """The normalised email and display name, or ``ValidationFailed`` naming the field."""
    email = normalise_email(clean_text(email, "email", EMAIL_MAX_LENGTH, required=True))
    display_name = clean_text(
        normalise_display_name(display_name), "display_name", DISPLAY_NAME_MAX_LENGTH, required=True
    )
    if is_reserved_name(display_name):
        raise ValidationFailed(_("Ce nom est réservé."), field="display_name")
    problem = password_problem(password, strength_inputs(email, display_name))
    if problem:
        raise ValidationFailed(problem, field="password")
    return email, display_name


def register(
    email: str,
    display_name: str,
    password: str,
    *,
    time_cost: int = 3,
    memory_cost: int = 65536,
    is_demo: bool = False,
    language: str | None = None,
) -> User:
    """Create a member account; raise ``ValidationFailed``/``Conflict`` naming the bad field.

    For scripts and fixtures; the public form goes through ``sign_up``, which never says
    whether an email has an account.
    """
    email, display_name = _checked_details(email, display_name, password)
    # Hash before the first query: on SQLite a writing request holds the lock from there on.
    password_hash = hash_password(password, time_cost, memory_cost)
    _check_name_available(display_name)
    if find_user_by_email(email) is not None:
        raise Conflict(_("Un compte existe déjà avec cette adresse e-mail."), field="email")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=password_hash,
        is_demo=is_demo,
        language=language,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        # Another registration with the same email or name won the race: same answers.
        _check_name_available(display_name)
        raise Conflict(
            _("Un compte existe déjà avec cette adresse e-mail."), field="email"
        ) from None
    return user


@dataclass(frozen=True)
class SignUp:
    """What a registration did: ``user`` is the new account, or None when ``email`` already
    had one (the caller then mails its owner instead, and answers the visitor the same way)."""

    email: str
    user: User | None
    existing: User | None = None


def sign_up(
    email: str,
    display_name: str,
    password: str,
    *,
    language: str | None,
    time_cost: int,
    memory_cost: int,
) -> SignUp:
    """Register from the public form, without telling whether the email has an account.

    A taken display name is still refused (names are public on every post); a taken email is
    not an error: the outcome says so, for the caller to mail that address instead.
    """
    normalised = normalise_email(email or "")
    try:
        user = register(
            email,
            display_name,
            password,
            time_cost=time_cost,
            memory_cost=memory_cost,
            language=language,
        )
    except Conflict as error:
        if error.field != "email":
            raise
        return SignUp(email=normalised, user=None, existing=find_user_by_email(normalised))
    return SignUp(email=user.email, user=user)


def _check_name_available(display_name: str) -> None:
    taken = db.session.scalar(select(User.id).where(User.name_key == name_key(display_name)))
    if taken is not None:
        raise Conflict(_("Ce nom est déjà pris."), field="display_name")


def authenticate(
    email: str,
    password: str,
    throttle: LoginThrottle | None = None,
    *,
    time_cost: int | None = None,
    memory_cost: int | None = None,
) -> User:
    """Return the user for these credentials, or raise one message for every failure.

    With a ``throttle``, an account with too many recent failures is refused before its
    password is even checked (``TooManyAttempts``), known or unknown email alike. Given the
    app's Argon2 parameters, a hash made with older ones is replaced (the caller commits).
    """
    if throttle is not None:
        wait = throttle.retry_after(email)
        if wait is not None:
            raise TooManyAttempts(
                ngettext(
                    "Trop de tentatives pour ce compte ; réessayez dans %(num)d seconde.",
                    "Trop de tentatives pour ce compte ; réessayez dans %(num)d secondes.",
                    wait,
                ),
                field="password",
                retry_after=wait,
            )
    with reading():
        user = find_user_by_email(email)
        password_hash = user.password_hash if user else _DUMMY_HASH
        banned = bool(user and user.is_banned_now)
    # End the read before the deliberately slow hash check, so it holds no database lock.
    db.session.rollback()
    if not verify_password(password_hash, password) or user is None:
        if throttle is not None:
            throttle.record_failure(email)
        raise ValidationFailed(_("E-mail ou mot de passe incorrect."), field="password")
    if throttle is not None:
        throttle.clear(email)
    if banned:
        raise ValidationFailed(_("Ce compte a été suspendu."), field="email")
    if time_cost and memory_cost and needs_rehash(password_hash, time_cost, memory_cost):
        user.password_hash = hash_password(password, time_cost, memory_cost)
    return user


def end_all_sessions(user: User) -> None:
    """Rotate the login token so every copy of the user's session cookie stops working."""
    user.session_token = new_session_token()
    db.session.flush()


def load_user_by_session_token(token: str) -> User | None:
    """Flask-Login's loader: the cookie holds the session token; banned users get nothing."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.session_token == token))
    if user is None or not user.is_active:
        return None
    return user
