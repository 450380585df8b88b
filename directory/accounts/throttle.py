"""Per-account login throttling: a short back-off after repeated failures for one email.

The per-address limit (Flask-Limiter) does not stop guesses spread over many addresses, so
failures are also counted per account, keyed on a digest of the normalised email: unknown
emails are throttled exactly like real ones and the throttle tells nothing about who has an
account. Only failures count, and the windows are short (``LOGIN_FAILURE_LIMITS``), so an
attacker can delay a victim's login by minutes at most, never lock the account.

The counts live in the storage Flask-Limiter uses (``RATELIMIT_STORAGE_URI``: memory, or Redis
shared by every gunicorn worker) through the ``limits`` package; Flask-Limiter itself only
limits requests per route, not events chosen by the application.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION_KEY = "login_throttle"
log = logging.getLogger(__name__)
T = TypeVar("T")


def _unless_storage_fails(count: Callable[[], T], otherwise: T) -> T:
    """Run ``count``; if the storage (Redis) fails, log it and let the login through.

    Failing open: the per-address limit still holds (in each worker's memory, see the config),
    and locking every member out while Redis is down would be worse than slower guessing.
    """
    try:
        return count()
    except Exception as error:  # redis, memcached...: each backend raises its own errors
        log.warning("login throttle unavailable, not counting: %r", error)
        return otherwise


class LoginThrottle:
    """Counts failed logins per account and says how long to wait once over a limit."""

    def __init__(self, storage_uri: str, limits: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._items: list[RateLimitItem] = parse_many(limits)

    @staticmethod
    def _key(email: str) -> str:
        digest = hashlib.sha256(email.strip().lower().encode("utf-8", "replace"))
        return "login-failures:" + digest.hexdigest()[:32]

    def retry_after(self, email: str) -> int | None:
        """Seconds before this account may try again, or None when it may try now."""
        return _unless_storage_fails(lambda: self._retry_after(email), None)

    def _retry_after(self, email: str) -> int | None:
        key = self._key(email)
        waits = [
            self._limiter.get_window_stats(item, key).reset_time - time.time()
            for item in self._items
            if not self._limiter.test(item, key)
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def record_failure(self, email: str) -> None:
        """Count one failed attempt for this account."""
        key = self._key(email)
        _unless_storage_fails(lambda: [self._limiter.hit(item, key) for item in self._items], [])

    def clear(self, email: str) -> None:
        """Forget the failures of an account that just logged in."""
        key = self._key(email)
        _unless_storage_fails(lambda: [self._limiter.clear(item, key) for item in self._items], [])


def init_login_throttle(app: Flask) -> None:
    """Create the app's throttle, unless ``LOGIN_THROTTLE_ENABLED`` is off."""
    if app.config["LOGIN_THROTTLE_ENABLED"]:
        app.extensions[EXTENSION_KEY] = LoginThrottle(
            app.config["RATELIMIT_STORAGE_URI"], app.config["LOGIN_FAILURE_LIMITS"]
        )


def login_throttle() -> LoginThrottle | None:
    """The current app's throttle, or None when it is switched off."""
    return current_app.extensions.get(EXTENSION_KEY)
