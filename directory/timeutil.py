"""Time helpers: the database stores naive UTC datetimes on every backend."""

from datetime import UTC, datetime

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (what SQLite and PostgreSQL both keep)."""
    return datetime.now(UTC).replace(tzinfo=None)


def current_moment() -> datetime:
    """Now, timezone-aware, for "open now": the ``CLOCK`` config key (a callable returning an
    aware datetime) fixes it, so tests and demos can stand at a chosen time."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock is not None else datetime.now(UTC)
