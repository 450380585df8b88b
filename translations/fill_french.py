"""Make the French catalogue an identity catalogue: every msgstr is its msgid.

The interface is written in French, so French needs no translation; the catalogue exists for
its ``Plural-Forms`` (``n > 1``: "0 adresse trouvée"). Without it, ``ngettext`` falls back to
the English rule where 0 is plural. ``make translations`` runs this after ``pybabel update``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent / "fr" / "LC_MESSAGES" / "messages.po"


def fill(path: Path = CATALOGUE) -> int:
    """Copy every msgid to its msgstr (both plural forms), clear fuzzy; return the count."""
    with path.open("rb") as f:
        catalogue = read_po(f, locale="fr")
    count = 0
    for message in catalogue:
        if not message.id:
            continue
        message.string = message.id  # a (singular, plural) tuple for ngettext entries
        message.flags.discard("fuzzy")
        count += 1
    catalogue.obsolete.clear()
    with path.open("wb") as f:
        write_po(f, catalogue, width=76)
    return count


if __name__ == "__main__":
    sys.stdout.write(f"{fill()} French messages\n")
