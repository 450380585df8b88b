"""Words the search must never "correct": place and region names, category words.

Spelling correction only knows the words of indexed shops, so a village without a listed
shop ("Rulles"), a province ("Luxembourg") or a product word of a category without shops
would be turned into the nearest shop word. The gazetteer and the categories know better.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from directory.extensions import db
from directory.places.models import Place
from directory.shops.models import Category
from search_index.analysis import words


def load_known_words() -> frozenset[str]:
    """Folded words of every gazetteer place and region, and of every category's words."""
    known: set[str] = set()
    for name, admin in db.session.execute(select(Place.name, Place.admin).distinct()):
        known.update(words(name))
        known.update(words(admin))
    for category in db.session.scalars(select(Category)):
        texts = (category.name_fr, category.name_nl, category.name_en, category.vocabulary)
        known.update(words(" ".join(texts)))
    return frozenset(known)


class KnownWords:
    """``load_known_words`` read on first use (a search, in an app context), then kept.

    The gazetteer and categories change only with ``flask seed``: a process restart (or
    ``forget``) picks their changes up.
    """

    def __init__(self) -> None:
        self._words: frozenset[str] | None = None

    def _get(self) -> frozenset[str]:
        if self._words is None:
            self._words = load_known_words()
        return self._words

    def forget(self) -> None:
        """Read the words again on next use."""
        self._words = None

    def __contains__(self, word: object) -> bool:
        return word in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())
