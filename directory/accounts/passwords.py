"""Password hashing (Argon2id) and strength policy."""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn scores 0-4; 2 and up rules out dictionary words, keyboard walks and common passwords.
MIN_STRENGTH_SCORE = 2
# zxcvbn refuses longer inputs (ValueError); a passphrase that long is judged on its start.
ZXCVBN_MAX_LENGTH = 72
SITE_WORDS = ("bonnes", "adresses", "bonnesadresses", "bonnes adresses")
_EMAIL_SEPARATORS = re.compile(r"[._+\-]+")


def strength_inputs(email: str, display_name: str) -> list[str]:
    """The member's own words, which a password must not be built from.

    The email, its local part and the pieces of it (``jean.dupont`` gives ``jean``,
    ``dupont`` and ``jeandupont``), the display name and the site's name.
    """
    local = email.split("@", 1)[0].lower()
    pieces = [piece for piece in _EMAIL_SEPARATORS.split(local) if piece]
    words = [email.lower(), local, "".join(pieces), *pieces, display_name.lower(), *SITE_WORDS]
    words += display_name.lower().split()
    return [word for word in dict.fromkeys(words) if len(word) >= 2]


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def hash_password(password: str, time_cost: int = 3, memory_cost: int = 65536) -> str:
    """Return an Argon2id hash of ``password``."""
    return _hasher(time_cost, memory_cost).hash(password)


def app_hash_password(password: str) -> str:
    """Hash ``password`` with the app's Argon2 parameters (``ARGON2_*`` settings)."""
    config = current_app.config
    return hash_password(password, config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"])


def needs_rehash(password_hash: str, time_cost: int, memory_cost: int) -> bool:
    """True when ``password_hash`` was made with other Argon2 parameters than these."""
    try:
        return _hasher(time_cost, memory_cost).check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; never raises on a bad hash."""
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, user_inputs: list[str]) -> str | None:
    """Return why ``password`` is too weak, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Le mot de passe doit compter au moins %(n)d caractères.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Le mot de passe ne peut dépasser %(n)d caractères.", n=MAX_PASSWORD_LENGTH)
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=user_inputs)
    if result["score"] < MIN_STRENGTH_SCORE:
        return _(
            "Ce mot de passe est trop courant ou trop facile à deviner : "
            "ajoutez des mots peu communs."
        )
    return None
