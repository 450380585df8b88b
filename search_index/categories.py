"""What each category's shops sell, as words: indexed once per category, not once per shop.

A shop is found by what its category sells ("livres", "boeken", "books" find a bookshop),
so every shop of a category matches its category's names and product words. Copying ~80
words into each document would multiply the postings (and the build time and memory at a
million shops); instead each generation keeps one small JSON file, slug -> words, written by
rebuild and updated by every write from the documents it writes, and a query term that is
a category word matches the category's documents (see ``Snapshot.term_scores``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from .analysis import analyze
from .models import IndexCorruptError, ShopDocument
from .spelling import Vocabulary

CATEGORIES_FILE = "categories.json"
# A word of a category's name counts as this many occurrences in each of its shops: as much
# as a word of the shop's own name (documents.NAME_REPEAT). A product word of the category
# counts once, like a word of the address or the description: a shop that names the product
# itself (a window product, its description) comes first, and "chaussures" puts shoe shops
# before the sports shops that also sell some.
CATEGORY_NAME_WEIGHT = 2.0
CATEGORY_TERM_WEIGHT = 1.0
# A product word in the vocabularies of more categories than this ("shop", "food",
# "produits") tells nothing about any of them, and would make a query match much of the
# directory: it is left out (category names still count).
MAX_CATEGORIES_PER_WORD = 3


class CategoryWords:
    """Category slug -> (its names, its product words), as written."""

    def __init__(self, words: dict[str, tuple[list[str], list[str]]] | None = None) -> None:
        self.words: dict[str, tuple[list[str], list[str]]] = words if words is not None else {}

    def add(self, docs: Iterable[ShopDocument]) -> None:
        """Take the category words of documents; the last document of a slug wins."""
        for doc in docs:
            self.words[doc.category_slug] = (list(doc.category_names), list(doc.category_terms))

    def vocabulary(self) -> Vocabulary:
        """The spelling vocabulary of these categories' words, each category counted once
        (``Snapshot.vocabulary`` adds it to the documents' vocabulary when it loads)."""
        vocabulary = Vocabulary()
        for names, products in self.words.values():
            vocabulary.add_text(" ".join((*names, *products)))
        return vocabulary

    def merge(self, other: CategoryWords) -> None:
        """Overwrite this vocabulary's categories with ``other``'s (newer) ones."""
        self.words.update(other.words)

    def terms(self) -> dict[str, dict[str, float]]:
        """Index term -> {slug: weight} of the categories whose words contain it."""
        products: dict[str, dict[str, float]] = {}
        for slug, (_names, words) in self.words.items():
            for term in analyze(" ".join(words)):
                products.setdefault(term, {})[slug] = CATEGORY_TERM_WEIGHT
        by_term = {
            term: slugs for term, slugs in products.items() if len(slugs) <= MAX_CATEGORIES_PER_WORD
        }
        for slug, (names, _words) in self.words.items():
            for term in analyze(" ".join(names)):
                by_term.setdefault(term, {})[slug] = CATEGORY_NAME_WEIGHT
        return by_term

    def save(self, directory: Path) -> None:
        """Write atomically so concurrent readers never see half a file."""
        target = directory / CATEGORIES_FILE
        tmp = directory / f".{CATEGORIES_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(self.words, ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(tmp, target)

    @classmethod
    def load(cls, directory: Path) -> CategoryWords:
        """Read a generation's category words (empty if it has none).

        Raises IndexCorruptError when the file is there but is not a category vocabulary.
        """
        path = directory / CATEGORIES_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            words = {
                str(slug): ([str(w) for w in list(names)], [str(w) for w in list(products)])
                for slug, (names, products) in dict(data).items()
            }
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, TypeError) as error:
            raise IndexCorruptError(f"unreadable category words {path}: {error}") from error
        return cls(words)
