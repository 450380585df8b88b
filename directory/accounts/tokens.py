"""Signed, expiring links mailed to members (itsdangerous), one salt per purpose."""

from __future__ import annotations

import enum
import hashlib

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from directory.errors import ValidationFailed


class Purpose(enum.StrEnum):
    """What a link is for; a token made for one purpose is refused for any other."""

    CONFIRM_EMAIL = "confirm-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 - a salt name, not a secret


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose.value)


def fingerprint(value: str) -> str:
    """A short digest of account state: a link bound to it stops working once that changes."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_token(purpose: Purpose, payload: dict) -> str:
    """Sign ``payload`` for ``purpose``."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: Purpose, token: str) -> dict:
    """Return the payload of a valid, unexpired token, else raise ``ValidationFailed``."""
    max_age = current_app.config["EMAIL_TOKEN_MAX_AGE"]
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # also covers SignatureExpired
        payload = None
    if not isinstance(payload, dict):
        raise ValidationFailed(_("Ce lien n'est plus valable : demandez-en un nouveau."))
    return payload
