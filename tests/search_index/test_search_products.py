"""Window products: their words find the shop, and the hit names the product that matched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from shop_fixtures import ARLON, LIMOGES, build, directory, ids, shop

from search_index import ProductDocument, SearchIndex, SearchQuery

RECIPES = ProductDocument("Livre de recettes", "Cuisine ardennaise en 80 recettes.")
GRANDMOTHER = ProductDocument("Recettes de grand-mère", "")
NOTEBOOK = ProductDocument("Carnet de voyage", "Papier recyclé, couverture en lin.")


def window_directory() -> list:
    """The reference directory plus a bookshop and a gift shop with windows."""
    return [
        *directory(),
        shop(
            20,
            "La Page Blanche",
            "librairie",
            ARLON,
            "Arlon",
            "6700",
            "Neuf et occasion.",
            products=(NOTEBOOK, RECIPES, GRANDMOTHER),
        ),
        shop(
            21,
            "Comptoir Limousin",
            "epicerie-fine",
            LIMOGES,
            "Limoges",
            "87000",
            "Produits du terroir.",
            country="FR",
            products=(ProductDocument("Miel de châtaignier", "Pot de 500 g."),),
        ),
    ]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    built = build(tmp_path_factory.mktemp("products") / "index", window_directory())
    yield built
    built.close()


def product_of(index: SearchIndex, text: str, shop_id: int, **query: object) -> str | None:
    results = index.search(SearchQuery(text=text, per_page=100, **query))  # type: ignore[arg-type]
    return next(hit.product for hit in results.hits if hit.id == shop_id)


def test_a_product_word_finds_its_shop(index: SearchIndex) -> None:
    # The bookshop's own texts never say "livre"; its window does.
    assert 20 in ids(index.search(SearchQuery(text="livres")))
    assert ids(index.search(SearchQuery(text="chataignier"))) == [21]


def test_a_product_description_finds_its_shop_too(index: SearchIndex) -> None:
    assert ids(index.search(SearchQuery(text="recycle"))) == [20]


def test_the_hit_names_the_first_product_that_matched(index: SearchIndex) -> None:
    assert product_of(index, "livres", 20) == "Livre de recettes"
    # Both recipe products match: the first in window order is named.
    assert product_of(index, "recette", 20) == "Livre de recettes"
    assert product_of(index, "papier", 20) == "Carnet de voyage"
    assert product_of(index, "miels", 21) == "Miel de châtaignier"


def test_no_product_is_named_when_only_the_shop_matched(index: SearchIndex) -> None:
    assert product_of(index, "page blanche", 20) is None
    assert product_of(index, "", 20) is None
    assert {hit.product for hit in index.search(SearchQuery(text="fleuriste")).hits} == {None}


def test_a_query_without_highlights_names_no_product(index: SearchIndex) -> None:
    assert product_of(index, "livres", 20, highlights=False) is None


def test_every_query_word_must_match_somewhere_in_the_shop(index: SearchIndex) -> None:
    both = index.search(SearchQuery(text="recettes arlon"))
    assert (ids(both), both.ignored) == ([20], ())
    # No shop has both words: the one matching the product word, saying what was left out.
    one = index.search(SearchQuery(text="recettes limoges"))
    assert (ids(one), one.ignored) == ([20], ("limoges",))


def test_a_misspelt_product_word_is_corrected(index: SearchIndex) -> None:
    results = index.search(SearchQuery(text="chataignir"))
    assert results.suggestion == "châtaignier"
    assert ids(results) == [21]


def test_a_product_taken_out_of_the_window_no_longer_finds_the_shop(tmp_path: Path) -> None:
    docs = {doc.id: doc for doc in window_directory()}
    index = build(tmp_path / "index", list(docs.values()))
    index.add_or_update([replace(docs[20], products=(NOTEBOOK,), version="fewer")])
    assert 20 not in ids(index.search(SearchQuery(text="recettes")))
    assert ids(index.search(SearchQuery(text="carnet"))) == [20]
    index.close()
