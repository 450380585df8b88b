"""The mails of the account lifecycle: what each says, and the links in it."""

from __future__ import annotations

from flask import current_app, url_for

from directory.accounts.lifecycle import confirmation_token, password_reset_token
from directory.accounts.mail import send_email
from directory.accounts.models import User


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link for a mail, on ``PUBLIC_URL`` when set.

    Production sets ``PUBLIC_URL``: a link built from the request's Host header could be made
    to point at another site by whoever asks for a reset (host header poisoning).
    """
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _link_hours() -> int:
    return max(1, current_app.config["EMAIL_TOKEN_MAX_AGE"] // 3600)


def send_confirmation(user: User, email: str | None = None) -> bool:
    """Mail the link that confirms ``email`` (default: the account's) for ``user``."""
    link = external_url("account_links.confirm_link", token=confirmation_token(user, email))
    return send_email(
        email or user.email,
        user.language,
        "confirm_email",
        user=user,
        link=link,
        change=bool(email),
        hours=_link_hours(),
    )


def send_already_registered(email: str, owner: User | None, language: str | None) -> bool:
    """Tell the owner of ``email`` that someone (maybe they) tried to register it again."""
    return send_email(
        email,
        owner.language if owner is not None and owner.language else language,
        "already_registered",
        login=external_url("accounts.login"),
        reset=external_url("account_links.forgot_password"),
    )


def send_password_reset(user: User) -> bool:
    """Mail a single-use link to choose a new password."""
    link = external_url("account_links.reset_link", token=password_reset_token(user))
    return send_email(
        user.email, user.language, "reset_password", user=user, link=link, hours=_link_hours()
    )


def send_email_changed(previous_email: str, user: User) -> bool:
    """Warn the old address that the account's email is now another one."""
    return send_email(
        previous_email,
        user.language,
        "email_changed",
        user=user,
        reset=external_url("account_links.forgot_password"),
    )


def send_no_account(email: str, language: str | None) -> bool:
    """Answer a reset request for an address that has no account (maybe another one does)."""
    return send_email(email, language, "no_account", register=external_url("accounts.register"))
