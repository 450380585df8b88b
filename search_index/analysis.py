"""Text analysis shared by indexing, querying and highlighting.

French first, with Dutch/English good enough for category and town names: case and
accent folding (with ligatures), stop words, and a light stemmer that conflates the
plural, feminine and shop-trade forms ("fleuristes"/"fleuriste"/"fleur",
"boulangerie"/"boulanger"/"boulangère") more predictably than Snowball does.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Words are runs of letters/digits; apostrophes and hyphens split, which also handles
# French elision ("l'épicerie" -> "l", "epicerie"; "l" is then a stop word).
WORD_RE = re.compile(r"[^\W_]+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# casefold() already turns "ß" into "ss"; these letters have no Unicode decomposition.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ħ": "h"})

# Longer words are cut so that pathological input cannot create huge terms.
MAX_WORD_LENGTH = 40

_FRENCH_STOP = (
    # Includes the elided forms left by splitting on the apostrophe (l', d', qu'...).
    "a au aux avec c ce ces d dans de des du elle en est et il j l la le les leur m ma mes "
    "n ne nos on ou par pas pour qu que qui s sa se ses son sur t un une vos y chez"
)
_DUTCH_STOP = "het een van op voor met te"
_ENGLISH_STOP = "the an and of for in on with to at by"
STOP_WORDS: frozenset[str] = frozenset(f"{_FRENCH_STOP} {_DUTCH_STOP} {_ENGLISH_STOP}".split())
# Words that praise rather than say what is wanted ("best fries", "lekkere frieten", "bon
# pain"): indexed like any word, but the first left out when a query finds nothing as typed.
_QUALIFIERS = (
    "bon bonne bons bonnes meilleur meilleure meilleurs meilleures frais fraiche fraiches "
    "goed goede beste lekker lekkere vers verse goedkoop "
    "good best nice great cheap fresh tasty delicious"
)
QUALIFIERS: frozenset[str] = frozenset(_QUALIFIERS.split())
# The generic part of street names: searchable, but never enough on their own to stand for a
# query whose other words matched nothing ("bijouterie rue de rivoli" is not "rue").
_STREET_WORDS = (
    "rue ruelle avenue av boulevard bd chaussee chemin route place allee impasse quai "
    "grand grande square clos cite faubourg straat steenweg laan plein weg dreef lei kaai "
    "street road lane"
)
STREET_WORDS: frozenset[str] = frozenset(_STREET_WORDS.split())

# (suffix, replacement) for feminine forms, tried in order, first match wins.
_FEMININE: tuple[tuple[str, str], ...] = (
    ("euse", "eur"),
    ("trice", "teur"),
    ("ienne", "ien"),
    ("iere", "ier"),
    ("ere", "er"),
    ("ive", "if"),
    ("elle", "el"),
    ("ale", "al"),
    ("ee", "e"),
)
# (suffix, shortest stem allowed) for trade/derivation endings, longest first.
_DERIVATIONS: tuple[tuple[str, int], ...] = (
    ("erie", 3),
    ("iste", 3),
    ("ier", 3),
    ("ien", 4),
    ("er", 4),
    ("ie", 4),
    ("e", 3),
)
# Stems that the rules above leave apart although users expect them together.
_STEM_EXCEPTIONS: dict[str, str] = {"bijout": "bijou"}


def fold(text: str) -> str:
    """Lowercase and strip accents, expanding ligatures (œ -> oe, æ -> ae, ß -> ss)."""
    text = text.casefold().translate(_LIGATURES)
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Reduce a folded word to its light French stem."""
    if len(word) <= 3 or not word.isalpha():
        return word
    w = word
    if w.endswith("eaux") or w.endswith("oux") or (w.endswith("eux") and len(w) == 4):
        w = w[:-1]
    elif w.endswith("aux") and len(w) > 4:
        w = w[:-3] + "al"
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    for suffix, replacement in _FEMININE:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + replacement
            break
    for suffix, shortest in _DERIVATIONS:
        if w.endswith(suffix) and len(w) - len(suffix) >= shortest:
            w = w[: -len(suffix)]
            break
    return _STEM_EXCEPTIONS.get(w, w)


def words(text: str) -> list[str]:
    """Folded, unstemmed words without stop words, in text order."""
    return [w[:MAX_WORD_LENGTH] for w in WORD_RE.findall(fold(text)) if w not in STOP_WORDS]


def analyze(text: str) -> list[str]:
    """Index/query terms for a text: folded, stop words removed, stemmed."""
    return [stem(w) for w in words(text)]


def term_of(word: str) -> str | None:
    """The term a single raw word (as written in a document) is indexed under, if any."""
    folded = fold(word)
    if folded in STOP_WORDS:
        return None
    return stem(folded[:MAX_WORD_LENGTH])


def clear_caches() -> None:
    """Forget memoised stems (benchmarks use it to time both engines from a cold start)."""
    stem.cache_clear()
