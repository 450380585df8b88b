"""Member accounts."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from directory.accounts.names import name_key
from directory.extensions import db
from directory.timeutil import utcnow

# The longest address SMTP carries: a path is 256 octets at most, its angle brackets included
# (RFC 5321). Claims' shop addresses share the limit.
EMAIL_MAX_LENGTH = 254
DISPLAY_NAME_MIN_LENGTH = 2
DISPLAY_NAME_MAX_LENGTH = 50


class Role(enum.StrEnum):
    """What an account may do; each role includes the ones before it."""

    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


def new_session_token() -> str:
    """Return a fresh random login identifier; rotating it ends every session of the user."""
    return secrets.token_hex(24)


class User(UserMixin, db.Model):
    """A registered member."""

    __tablename__ = "users"
    # Display names are unique whatever their case ("Alice" and "alice" are one member).
    __table_args__ = (Index("uq_users_name_key", "name_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX_LENGTH))
    # Set with the display name (names.name_key): what uniqueness is checked on.
    name_key: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    is_banned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set for a suspension: the ban ends by itself then. None with is_banned: banned for good.
    banned_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # None until the member follows the link mailed to them; posting waits for it.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The interface language the member chose (fr, nl, en); None follows the browser.
    language: Mapped[str | None] = mapped_column(String(5), nullable=True)
    # Set when the member deleted their account; the row stays, anonymised, for foreign keys.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # How many of their posts a moderator approved: NEW_MEMBER_REVIEW_POSTS is counted on it.
    approved_posts: Mapped[int] = mapped_column(Integer, default=0)

    @validates("display_name")
    def _keep_name_key(self, _key: str, display_name: str) -> str:
        self.name_key = name_key(display_name)
        return display_name

    def get_id(self) -> str:
        """Flask-Login stores the session token, not the id, so logout can revoke it."""
        return self.session_token

    @property
    def is_banned_now(self) -> bool:
        """True while a ban or suspension lasts."""
        if not self.is_banned:
            return False
        return self.banned_until is None or self.banned_until > utcnow()

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Banned and deleted accounts cannot log in or keep a session."""
        return not self.is_banned_now and self.deleted_at is None

    @property
    def is_deleted(self) -> bool:
        """True once the member deleted their account (the row stays, anonymised)."""
        return self.deleted_at is not None

    @property
    def public_name(self) -> str:
        """The name shown beside the member's posts: "ancien membre" once deleted."""
        if self.deleted_at is not None:
            return str(_("ancien membre"))
        return self.display_name

    @property
    def is_confirmed(self) -> bool:
        """True once the member has confirmed their email address."""
        return self.email_confirmed_at is not None

    @property
    def is_moderator(self) -> bool:
        """True for moderators and admins."""
        return self.role in (Role.MODERATOR.value, Role.ADMIN.value)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
