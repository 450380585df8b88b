"""Display names: one spelling per name, whatever invisible or look-alike characters are typed."""

from __future__ import annotations

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
