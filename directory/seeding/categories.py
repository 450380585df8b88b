"""Load the category list (``seed_data/categories.csv``) and its product vocabulary.

The vocabulary (``seed_data/category_vocabulary.csv``, see ``seed_data/VOCABULARY.md``) holds the
words people use for what each category sells, in French, Dutch and English. A bad row stops
the seed with its line number: a vocabulary error found at query time would go unnoticed.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from directory.extensions import db
from directory.shops.models import Category

VOCABULARY_FILE = "category_vocabulary.csv"
VOCABULARY_LANGUAGES = ("fr", "nl", "en")
MAX_TERM_LENGTH = 60
TERM_SEPARATOR = ";"


class SeedFileError(Exception):
    """A seed file cannot be loaded; the message names the file, the line and the fault."""


def load_categories(seed_dir: Path) -> int:
    """Create or update every category by slug; return how many rows changed.

    Without a vocabulary file in ``seed_dir`` the vocabularies already loaded are kept.
    """
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    with (seed_dir / "categories.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    vocabulary_path = seed_dir / VOCABULARY_FILE
    vocabularies = (
        read_vocabulary(vocabulary_path, {row["slug"] for row in rows})
        if vocabulary_path.exists()
        else None
    )
    changed = 0
    for position, row in enumerate(rows):
        values: dict[str, str | int] = {
            "name_fr": row["name_fr"],
            "name_nl": row["name_nl"],
            "name_en": row["name_en"],
            "position": position,
        }
        if vocabularies is not None:
            values["vocabulary"] = f"{TERM_SEPARATOR} ".join(vocabularies.get(row["slug"], ()))
        category = existing.get(row["slug"])
        if category is None:
            db.session.add(Category(slug=row["slug"], **values))
            changed += 1
        elif any(getattr(category, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(category, key, value)
            changed += 1
    db.session.flush()
    return changed


def read_vocabulary(path: Path, slugs: set[str]) -> dict[str, list[str]]:
    """Slug -> its terms (French, then Dutch, then English), checked row by row.

    Raises SeedFileError for a missing column, an unknown slug or language, a (slug,
    language) given twice or missing, an empty, repeated or overlong term.
    """
    found: dict[tuple[str, str], list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"slug", "lang", "terms"} <= set(reader.fieldnames):
            raise SeedFileError(f"{path.name}: the header must be slug,lang,terms")
        for row in reader:
            where = f"{path.name}, line {reader.line_num}"
            slug, lang = (row["slug"] or "").strip(), (row["lang"] or "").strip()
            if slug not in slugs:
                raise SeedFileError(f"{where}: unknown category {slug!r}")
            if lang not in VOCABULARY_LANGUAGES:
                raise SeedFileError(f"{where}: language {lang!r} is not one of fr, nl, en")
            if (slug, lang) in found:
                raise SeedFileError(f"{where}: {slug} has a second {lang} row")
            found[(slug, lang)] = _terms(row["terms"] or "", where)
    missing = sorted(
        f"{s} {lang}" for s in slugs for lang in VOCABULARY_LANGUAGES if (s, lang) not in found
    )
    if missing:
        raise SeedFileError(f"{path.name}: no row for {', '.join(missing[:5])}")
    return {
        slug: [term for lang in VOCABULARY_LANGUAGES for term in found[(slug, lang)]]
        for slug in slugs
    }


def _terms(text: str, where: str) -> list[str]:
    terms = [term.strip() for term in text.split(TERM_SEPARATOR)]
    if any(not term for term in terms):
        raise SeedFileError(f"{where}: an empty term (two ';' in a row, or one at an end)")
    for term in terms:
        if len(term) > MAX_TERM_LENGTH:
            raise SeedFileError(f"{where}: {term[:20]!r}... is over {MAX_TERM_LENGTH} characters")
        if terms.count(term) > 1:
            raise SeedFileError(f"{where}: {term!r} is given twice")
    return terms
