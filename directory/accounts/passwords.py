"""Password hashing (Argon2id) and strength policy."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn scores 0-4; 2 and up rules out dictionary words, keyboard walks and common passwords.
MIN_STRENGTH_SCORE = 2


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def hash_password(password: str, time_cost: int = 3, memory_cost: int = 65536) -> str:
    """Return an Argon2id hash of ``password``."""
    return _hasher(time_cost, memory_cost).hash(password)


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
    # zxcvbn is slow on very long inputs and gains nothing past 100 characters.
    result = zxcvbn(password[:100], user_inputs=user_inputs)
    if result["score"] < MIN_STRENGTH_SCORE:
        return _(
            "Ce mot de passe est trop courant ou trop facile à deviner : "
            "ajoutez des mots peu communs."
        )
    return None
