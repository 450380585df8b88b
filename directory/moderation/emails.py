"""Mail sent by moderation: a warning, in the member's language."""

from __future__ import annotations

from directory.accounts.emails import external_url
from directory.accounts.mail import send_email
from directory.accounts.models import User


def send_warning(user: User, reason: str) -> bool:
    """Tell ``user`` that a moderator warned them, and why."""
    return send_email(
        user.email,
        user.language,
        "moderation_warning",
        user=user,
        reason=reason,
        log=external_url("moderation.log", action="warn"),
    )
