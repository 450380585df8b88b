"""Display names: one spelling per name, whatever invisible or look-alike characters are typed."""

from __future__ import annotations

import re
import unicodedata


def normalise_display_name(name: str | None) -> str:
    """NFKC, without format characters (zero-width spaces, joiners, soft hyphens, BOM), with
    runs of white space collapsed to one space.

    Applied before the uniqueness check and stored as such, so ``"Se\\u200bc"`` and ``"Ｓｅｃ"``
    are the taken name ``"Sec"``; the unique index on ``lower(display_name)`` does the rest.
    """
    name = unicodedata.normalize("NFKC", name or "")
    visible = "".join(c for c in name if unicodedata.category(c) != "Cf")
    return " ".join(visible.split())


def name_key(name: str | None) -> str:
    """What makes two display names the same name: normalised, then casefolded.

    Stored in ``users.name_key`` under a unique index; Python folds every script alike, where
    SQL's ``lower()`` only folds ASCII on SQLite ("Émile" and "émile" are one name).
    """
    return normalise_display_name(name).casefold()


# Deleted accounts are shown under these words; nobody may register them as a name.
RESERVED_NAMES = frozenset({"ancien membre", "former member", "voormalig lid", "oud-lid"})


# A deleted account's row keeps this name, so the unique key never blocks a deletion.
DELETED_NAME = re.compile(r"deleted-\d+")


def is_reserved_name(name: str) -> bool:
    """True for names that would pass for a deleted account (any case)."""
    key = name_key(name)
    return key in RESERVED_NAMES or DELETED_NAME.fullmatch(key) is not None
