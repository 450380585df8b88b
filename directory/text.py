"""Text normalisation shared by slugs and place lookups.

Folding is the search library's own (``search_index.analysis.fold``): a town typed in the
search box and the same town looked up in the gazetteer or put in a URL fold alike, ligatures
and letters without a Unicode decomposition (œ, æ, ß, ø, ł...) included.
"""

import re

from search_index.analysis import fold

# ``fold`` is re-exported: the directory's modules fold through this module.
__all__ = ["fold", "name_key", "slugify"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def name_key(value: str) -> str:
    """Fold a place name and collapse punctuation so ``"Saint-Léger"`` = ``"saint leger"``."""
    folded = fold(value).replace("'", " ")
    key = _NON_ALNUM.sub(" ", folded).strip()
    # People write "St" and "Ste" for "Saint" and "Sainte".
    return re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", key))


def slugify(value: str, max_length: int) -> str:
    """Return an ASCII URL slug of at most ``max_length`` characters (``"Café de l'Église"``
    → ``"cafe-de-l-eglise"``); the caller passes its column's limit."""
    slug = _NON_ALNUM.sub("-", fold(value)).strip("-")
    return slug[:max_length].rstrip("-") or "x"
