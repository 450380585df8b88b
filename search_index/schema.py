"""Whoosh schema: one combined text field for matching, columns for everything else.

Measured on 100k shops (see the project notes): a single position-less text field is
much faster than separate name/description/category fields, and per-document values
(coordinates, votes, dates, category...) are cheapest as columns read into memory once
per searcher; they are packed into one ``meta`` column because each column costs a
Whoosh call per document when writing. Coordinates are micro-degree integers
(NUMERIC(float, sortable=True) fails at commit in Whoosh 2.7.4).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh import columns, fields, formats

TEXT_FIELD = "text"
ID_FIELD = "id"
# The layout of what a generation holds: this schema and the ``meta`` column's encoding
# (``documents.pack_meta``). Bump it with any change to either, so that an index written by
# other code is reported as needing a rebuild (``storage.check_format``) instead of misread.
# 1: before the format was recorded; 2: delivery radius, opening hours, country, products;
# 3: a version byte in ``meta``, addresses indexed, category words kept per category.
FORMAT_VERSION = 3


class PreAnalyzedText(fields.FieldType):  # type: ignore[misc]  # whoosh has no type hints
    """A text field whose value is already a list of terms.

    The library analyses text itself (see ``analysis.py``), so indexing skips Whoosh's
    token pipeline and emits one posting per distinct term with weight = frequency.
    No per-posting values are stored: the weight is all the scoring needs. Whoosh does
    not score it (the library does, see ``snapshot.py``), so it keeps no lengths either.
    """

    def __init__(self) -> None:
        super().__init__(formats.Existence(), analyzer=None, scorable=False, stored=False)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """Yield (term bytes, frequency, weight, value bytes) for each distinct term."""
        for term, freq in Counter(value).items():
            yield term.encode("utf-8"), freq, float(freq), b""

    def process_text(self, qstring: str, mode: str = "", **kwargs: Any) -> Iterator[str]:
        """Query strings are analysed by the library, never by Whoosh."""
        return iter(qstring.split())


def build_schema() -> fields.Schema:
    """Return a new schema instance for a shop index."""
    return fields.Schema(
        id=fields.ID(unique=True),
        text=PreAnalyzedText(),
        name=fields.STORED(),
        description=fields.STORED(),
        # (name, description) of each window product, to name the one a query matched.
        products=fields.STORED(),
        meta=fields.COLUMN(columns.VarBytesColumn()),
    )
