"""Time helpers: the database stores naive UTC datetimes on every backend."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (what SQLite and PostgreSQL both keep)."""
    return datetime.now(UTC).replace(tzinfo=None)
