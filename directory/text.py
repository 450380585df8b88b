"""Text normalisation shared by slugs and place lookups."""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(value: str) -> str:
    """Lower-case and strip accents and ligatures: ``"Liège"`` and ``"LIEGE"`` give ``"liege"``."""
    value = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    return "".join(c for c in value if not unicodedata.combining(c)).casefold()


def name_key(value: str) -> str:
    """Fold a place name and collapse punctuation so ``"Saint-Léger"`` = ``"saint leger"``."""
    folded = fold(value).replace("'", " ")
    key = _NON_ALNUM.sub(" ", folded).strip()
    # People write "St" and "Ste" for "Saint" and "Sainte".
    return re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", key))


def slugify(value: str, max_length: int = 80) -> str:
    """Return an ASCII URL slug (``"Café de l'Église"`` → ``"cafe-de-l-eglise"``)."""
    slug = _NON_ALNUM.sub("-", fold(value)).strip("-")
    return slug[:max_length].rstrip("-") or "x"
