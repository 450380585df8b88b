"""Vocabulary of real (unstemmed) words and "did you mean" corrections.

The vocabulary is a small JSON file next to the Whoosh segments: folded word -> count,
plus the accented spelling for words that have one. It is written by rebuild and
updated by every write while the writer lock is held. Counts only grow (edits and
deletes do not decrement them), which is fine for ranking suggestions; a suggestion is
only offered when its term really matches documents in the current index.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .analysis import WORD_RE, fold, words
from .models import IndexCorruptError

VOCAB_FILE = "vocabulary.json"
# Shorter words have too many one-edit neighbours to correct reliably.
MIN_FUZZY_LENGTH = 4
# From this length a word may be two edits away from its correction; shorter ones, one.
# Two edits on "garage" reach "gare", on "script" "schimt": another word, not a typo.
TWO_EDITS_FROM = 8


def max_edits(word: str) -> int:
    """Edits allowed when correcting a word of this length (a swap of two letters is one)."""
    if len(word) < MIN_FUZZY_LENGTH:
        return 0
    return 1 if len(word) < TWO_EDITS_FROM else 2


class Vocabulary:
    """Counts of folded words and their accented spelling."""

    def __init__(
        self, counts: Counter[str] | None = None, accented: dict[str, str] | None = None
    ) -> None:
        self.counts: Counter[str] = counts if counts is not None else Counter()
        self.accented: dict[str, str] = accented if accented is not None else {}
        self._choices: list[str] | None = None

    def add_text(self, text: str) -> None:
        """Count the words of one text."""
        self.add_words(words(text), text)

    def add_words(self, folded_words: Iterable[str], text: str) -> None:
        """Count already folded words; ``text`` is the raw text they came from (for accents)."""
        self.counts.update(w for w in folded_words if len(w) >= MIN_FUZZY_LENGTH and w.isalpha())
        if not text.isascii():
            for raw in WORD_RE.findall(text.lower()):
                if not raw.isascii():
                    self.accented.setdefault(fold(raw), raw)
        self._choices = None

    def merge(self, other: Vocabulary) -> None:
        """Add another vocabulary's counts and spellings to this one."""
        self.counts.update(other.counts)
        for word, spelling in other.accented.items():
            self.accented.setdefault(word, spelling)
        self._choices = None

    def display(self, word: str) -> str:
        """The spelling to show for a folded word."""
        return self.accented.get(word, word)

    def correct(self, word: str, is_useful: Callable[[str], bool]) -> str | None:
        """Closest known word within the allowed edits that ``is_useful`` accepts.

        Distances are optimal string alignment: Levenshtein plus the swap of two neighbouring
        letters as one edit ("boulangeire"), the commonest typing slip.
        """
        limit = max_edits(word)
        if limit == 0 or not self.counts:
            return None
        if self._choices is None:
            self._choices = list(self.counts)
        found = process.extract(
            word, self._choices, scorer=OSA.distance, score_cutoff=limit, limit=20
        )
        ranked = sorted(found, key=lambda item: (item[1], -self.counts[item[0]], item[0]))
        for candidate, _distance, _index in ranked:
            if candidate != word and is_useful(candidate):
                return candidate
        return None

    def save(self, directory: Path) -> None:
        """Write atomically so concurrent readers never see half a file."""
        target = directory / VOCAB_FILE
        tmp = directory / f".{VOCAB_FILE}.{os.getpid()}.tmp"
        tmp.write_text(
            json.dumps({"counts": self.counts, "accented": self.accented}, ensure_ascii=False),
            encoding="utf-8",
        )
        os.replace(tmp, target)

    @classmethod
    def load(cls, directory: Path) -> Vocabulary:
        """Read the vocabulary of an index generation (empty if there is none).

        Raises IndexCorruptError when the file is there but is not a vocabulary.
        """
        path = directory / VOCAB_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            counts: Counter[str] = Counter(
                {str(word): int(count) for word, count in dict(data["counts"]).items()}
            )
            accented = {str(word): str(shown) for word, shown in dict(data["accented"]).items()}
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
            # JSONDecodeError and UnicodeDecodeError are ValueErrors: a damaged file, not input.
            raise IndexCorruptError(f"unreadable spelling vocabulary {path}: {error}") from error
        return cls(counts, accented)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        """Build a vocabulary from raw texts."""
        vocab = cls()
        for text in texts:
            vocab.add_text(text)
        return vocab
