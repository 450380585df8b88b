"""The moderation log as JSON (``GET /api/v1/moderation/log``): private notes never leave."""

from __future__ import annotations

from typing import Any

from directory.moderation.models import ModerationEntry
from directory.moderation.services import LogPage


def entry_json(entry: ModerationEntry) -> dict[str, Any]:
    """One entry; ``moderator`` is None for an action taken from the server's command line."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat() + "Z",
        "moderator": entry.moderator.public_name if entry.moderator else None,
        "action": entry.action,
        "target": {"type": entry.target_type, "id": entry.target_id, "name": entry.target_name},
        "reason": entry.reason,
    }


def log_json(page: LogPage) -> dict[str, Any]:
    """A page of the log."""
    return {
        "entries": [entry_json(entry) for entry in page.entries],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }
