"""Issue 11: a shop is found by what its category sells, in French, Dutch and English.

The data checks read ``seed_data/category_vocabulary.csv`` alone (no app). The search checks
share one SQLite app for the module, with one shop per category named "Enseigne <n>" and no
description, so a word can only find a shop through its category: for every category and
every language, the first product words of the row that are not words of any category name
(picked by code), then the words of the issue itself.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from directory.accounts.services import register
from directory.config import PROJECT_ROOT
from directory.extensions import db
from directory.search.bridge import reindex
from directory.seeding.categories import load_categories
from directory.shops.services import create_shop
from directory.timeutil import utcnow
from search_index.analysis import analyze, fold, words
from tests.conftest import PASSWORD, base_config, shop_input

SEED_DIR = PROJECT_ROOT / "seed_data"
VOCABULARY = SEED_DIR / "category_vocabulary.csv"
LANGUAGES = ("fr", "nl", "en")
MIN_TERMS, MAX_TERMS = 15, 40
MAX_TERM_CHARS = 60
QUERIES_PER_ROW = 3
# Words of addresses, not of shops: a category word among them would pollute place search.
STREET_WORDS = frozenset(
    term
    for word in ("rue", "place", "grand", "avenue", "boulevard", "chaussée", "straat", "steenweg")
    for term in analyze(word)
)
# Product words that are also the name of a Belgian municipality, kept on purpose (see
# seed_data/VOCABULARY.md): the Dutch for fish, and rum. Any other needs the same decision.
KNOWN_MUNICIPALITY_HOMONYMS = frozenset({"vis", "rum"})


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CATEGORIES = _read(SEED_DIR / "categories.csv")
SLUGS = [row["slug"] for row in CATEGORIES]
# Every search term of every category name: a query made of these would find a shop through
# the names, which worked before the vocabulary.
NAME_TERMS = frozenset(
    term
    for row in CATEGORIES
    for key in ("name_fr", "name_nl", "name_en")
    for term in analyze(row[key])
)


def vocabulary() -> dict[tuple[str, str], list[str]]:
    """(slug, lang) -> the row's terms, as written."""
    return {(row["slug"], row["lang"]): row["terms"].split(";") for row in _read(VOCABULARY)}


def product_words(terms: list[str]) -> list[str]:
    """The first terms that share no search term with any category name."""
    picked = [term for term in terms if analyze(term) and NAME_TERMS.isdisjoint(analyze(term))]
    return picked[:QUERIES_PER_ROW]


# --- The data alone ------------------------------------------------------------------------


def test_one_row_per_category_and_language():
    with VOCABULARY.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert header == ["slug", "lang", "terms"]
    assert [len(row) for row in rows] == [3] * len(rows)
    keys = Counter((slug, lang) for slug, lang, _terms in rows)
    assert [key for key, count in keys.items() if count > 1] == []
    assert set(keys) == {(slug, lang) for slug in SLUGS for lang in LANGUAGES}
    assert len(rows) == len(SLUGS) * len(LANGUAGES)


def test_terms_are_clean_and_searchable():
    problems = []
    for (slug, lang), terms in vocabulary().items():
        where = f"{slug} {lang}"
        if not MIN_TERMS <= len(terms) <= MAX_TERMS:
            problems.append(f"{where}: {len(terms)} terms")
        folded = Counter(fold(term) for term in terms)
        problems += [f"{where}: {term!r} twice" for term, count in folded.items() if count > 1]
        for term in terms:
            if not term or term != term.strip():
                problems.append(f"{where}: empty or padded term {term!r}")
            elif len(term) > MAX_TERM_CHARS:
                problems.append(f"{where}: {term!r} is over {MAX_TERM_CHARS} characters")
            elif "," in term or '"' in term:
                problems.append(f"{where}: {term!r} has a comma or a quote")
            elif not words(term):
                # Only stop words ("thé" folds to the English "the"): no query can find it.
                problems.append(f"{where}: {term!r} has no searchable word")
    assert problems == []


def test_no_street_words_or_municipality_names():
    municipalities = {
        tuple(analyze(row[key]))
        for row in _read(SEED_DIR / "be_communes.csv")
        for key in ("name_fr", "name_nl")
        if row[key]
    }
    problems = []
    for (slug, lang), terms in vocabulary().items():
        for term in terms:
            analysed = analyze(term)
            if STREET_WORDS.intersection(analysed):
                problems.append(f"{slug} {lang}: {term!r} has a street word")
            if tuple(analysed) in municipalities and fold(term) not in KNOWN_MUNICIPALITY_HOMONYMS:
                problems.append(f"{slug} {lang}: {term!r} is a Belgian municipality")
    assert problems == []


def test_every_row_has_product_words_beyond_the_names():
    short = {
        key: picked
        for key, terms in vocabulary().items()
        if len(picked := product_words(terms)) < QUERIES_PER_ROW
    }
    assert short == {}


# --- Search: one app, one shop per category --------------------------------------------------


@dataclass(frozen=True)
class Directory:
    """The module's app, the id of each category's shop and the words of the shops' names."""

    app: Flask
    shop_ids: dict[str, int]
    name_terms: frozenset[str]


@pytest.fixture(scope="module")
def directory(sqlite_template, tmp_path_factory) -> Directory:
    """One visible shop per category in Arlon, named "Enseigne <n>", without description."""
    folder = tmp_path_factory.mktemp("category_vocabulary")
    path = folder / "test.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", folder))
    names = {slug: f"Enseigne {n}" for n, slug in enumerate(SLUGS, start=1)}
    with app.app_context():
        load_categories(SEED_DIR)  # categories and, with them, their vocabulary
        author = register(
            "vocabulaire@example.org", "Lexie", PASSWORD, time_cost=1, memory_cost=1024
        )
        author.email_confirmed_at = utcnow()
        author.approved_posts = 1  # a trusted member: the shops publish at once
        shops = {
            slug: create_shop(author, shop_input(category=slug, name=name, description=""))
            for slug, name in names.items()
        }
        db.session.commit()
        shop_ids = {slug: shop.id for slug, shop in shops.items()}
        reindex(app)
        db.session.remove()
    name_terms = frozenset(term for name in names.values() for term in analyze(name))
    yield Directory(app, shop_ids, name_terms)
    with app.app_context():
        db.engine.dispose()


def search(directory: Directory, text: str) -> dict:
    response = directory.app.test_client().get(
        "/api/v1/search", query_string={"q": text, "per_page": 100}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def problem_finding(directory: Directory, text: str, slug: str) -> str | None:
    """Why searching ``text`` does not find the shop of ``slug`` by its category, if it does not."""
    # The shop town and postcode are indexed too: a word of theirs would find every shop.
    own_words = directory.name_terms | set(analyze("Arlon 6700"))
    if own_words.intersection(analyze(text)):
        return f"{text!r} is a word of the shops' names or town"
    body = search(directory, text)
    found = {result["id"] for result in body["results"]}
    categories = sorted({result["category"]["slug"] for result in body["results"]})
    if directory.shop_ids[slug] not in found:
        return f"{text!r} finds {categories or 'nothing'}, not {slug}"
    if body["suggestion"] is not None:
        return f"{text!r} finds {slug} only as {body['suggestion']!r}"
    if body["total"] >= len(directory.shop_ids):
        return f"{text!r} finds every shop"
    return None


@pytest.mark.parametrize(("slug", "lang"), [(s, lang) for s in SLUGS for lang in LANGUAGES])
def test_product_words_find_the_category_in_each_language(directory, slug, lang):
    picked = product_words(vocabulary()[(slug, lang)])
    assert len(picked) == QUERIES_PER_ROW
    problems = [problem_finding(directory, word, slug) for word in picked]
    assert [problem for problem in problems if problem] == []


ISSUE_WORDS = [
    ("livres", "librairie"),
    ("boeken", "librairie"),
    ("books", "librairie"),
    ("frituur", "restauration"),
    ("friterie", "restauration"),
    ("fritkot", "restauration"),
    ("kapper", "coiffeur"),
    ("kapsalon", "coiffeur"),
    ("coiffeuse", "coiffeur"),
    ("fiets", "sport"),
    ("fietsenwinkel", "sport"),
    ("vélo", "sport"),
    ("pralines", "chocolatier"),
    ("bière", "caviste"),
    ("bier", "caviste"),
    ("beer", "caviste"),
    ("vin", "caviste"),
    ("wijn", "caviste"),
    ("bloemen", "fleuriste"),
    ("bloemist", "fleuriste"),
    ("flowers", "fleuriste"),
    ("courses", "supermarche"),
    ("boodschappen", "supermarche"),
    ("groceries", "supermarche"),
    ("alimentation", "epicerie"),
    ("voeding", "epicerie"),
    ("food", "epicerie"),
    ("pain", "boulangerie"),
    ("brood", "boulangerie"),
    ("bread", "boulangerie"),
    ("pistolets", "boulangerie"),
    ("couque", "boulangerie"),
    ("cramique", "boulangerie"),
    ("bakker", "boulangerie"),
    ("beenhouwer", "boucherie"),
    ("beenhouwerij", "boucherie"),
    ("slager", "boucherie"),
    ("traiteur", "epicerie-fine"),
    ("boekhandel", "librairie"),
    ("drogisterij", "cosmetiques"),
    ("dagbladhandel", "presse"),
    ("krantenwinkel", "presse"),
    ("apotheek", "pharmacie"),
    ("plats à emporter", "restauration"),
    ("vêtements", "vetements"),
    ("bijoux", "bijouterie"),
    ("jouets", "jouets"),
    ("maroquinerie", "maroquinerie"),
    ("cosmétique", "cosmetiques"),
]


@pytest.mark.parametrize(("text", "slug"), ISSUE_WORDS)
def test_the_issue_words_find_their_category(directory, text, slug):
    assert problem_finding(directory, text, slug) is None
