"""Account operations: register, authenticate, end sessions."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from directory.accounts.models import User, new_session_token
from directory.accounts.names import normalise_display_name
from directory.accounts.passwords import (
    hash_password,
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


def register(
    email: str,
    display_name: str,
    password: str,
    *,
    time_cost: int = 3,
    memory_cost: int = 65536,
    is_demo: bool = False,
) -> User:
    """Create a member account; raise ``ValidationFailed``/``Conflict`` naming the bad field."""
    email = normalise_email(clean_text(email, "email", 254, required=True))
    display_name = clean_text(
        normalise_display_name(display_name), "display_name", 50, required=True
    )
    problem = password_problem(password, strength_inputs(email, display_name))
    if problem:
        raise ValidationFailed(problem, field="password")
    # Hash before the first query: on SQLite a writing request holds the lock from there on.
    password_hash = hash_password(password, time_cost, memory_cost)
    _check_available(email, display_name)
    user = User(
        email=email, display_name=display_name, password_hash=password_hash, is_demo=is_demo
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        # Another registration with the same email or name won the race: same answers.
        _check_available(email, display_name)
        raise
    return user


def _check_available(email: str, display_name: str) -> None:
    if find_user_by_email(email) is not None:
        raise Conflict(_("Un compte existe déjà avec cette adresse e-mail."), field="email")
    taken = db.session.scalar(
        select(User.id).where(func.lower(User.display_name) == display_name.lower())
    )
    if taken is not None:
        raise Conflict(_("Ce nom est déjà pris."), field="display_name")


def authenticate(email: str, password: str, throttle: LoginThrottle | None = None) -> User:
    """Return the user for these credentials, or raise one message for every failure.

    With a ``throttle``, an account with too many recent failures is refused before its
    password is even checked (``TooManyAttempts``), known or unknown email alike.
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
        banned = bool(user and user.is_banned)
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
    if user is None or user.is_banned:
        return None
    return user
