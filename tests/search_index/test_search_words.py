"""Issue 11 in the library: category words, addresses, words that do not all match, spelling
that leaves known words alone, and the ``meta`` layout version."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from shop_fixtures import ARLON, HABAY, build, shop

from search_index import IndexOutdatedError, SearchIndex, SearchQuery, ShopDocument
from search_index.categories import CATEGORIES_FILE, CategoryWords
from search_index.documents import META_VERSION, DocMeta, pack_meta, unpack_meta
from search_index.search import relevance

BAKERY_WORDS = ("pain", "pistolet", "cramique", "couque")
FLORIST_WORDS = ("bouquet", "plantes", "bloemen")


def words_for(doc: ShopDocument) -> ShopDocument:
    terms = {"boulangerie": BAKERY_WORDS, "fleuriste": FLORIST_WORDS}.get(doc.category_slug, ())
    return replace(doc, category_terms=terms)


def docs() -> list[ShopDocument]:
    return [
        words_for(d)
        for d in (
            shop(1, "Au Fournil", "boulangerie", ARLON, "Arlon", "6700"),
            shop(2, "Chez Paul", "boulangerie", HABAY, "Habay-la-Neuve", "6720", votes=3),
            shop(
                3,
                "La Mie Dorée",
                "boulangerie",
                ARLON,
                "Arlon",
                "6700",
                description="Cramique au sucre le dimanche, et tout ce qu'un long texte dit.",
            ),
            shop(4, "Fleurs de Léa", "fleuriste", ARLON, "Arlon", "6700"),
            shop(5, "Le Bouquet", "fleuriste", HABAY, "Habay-la-Neuve", "6720"),
            replace(
                shop(6, "Joaillerie Marc", "bijouterie", ARLON, "Arlon", "6700"),
                address="Rue des Capucins 12",
            ),
        )
    ]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    idx = build(tmp_path_factory.mktemp("words") / "index", docs())
    yield idx
    idx.close()


def ids(results) -> list[int]:
    return [hit.id for hit in results.hits]


def test_a_category_product_word_finds_every_shop_of_the_category(index: SearchIndex) -> None:
    for word in ("pistolet", "pistolets", "couques", "bloemen"):
        results = index.search(SearchQuery(text=word))
        expected = {1, 2, 3} if word != "bloemen" else {4, 5}
        assert set(ids(results)) == expected, word
        assert results.suggestion is None and results.ignored == ()


def test_a_shop_naming_the_product_itself_comes_before_its_category(index: SearchIndex) -> None:
    # 3 says "cramique" in its (longer) description; 1 and 2 only sell it as bakeries.
    assert ids(index.search(SearchQuery(text="cramique")))[0] == 3


def test_a_category_name_outweighs_a_product_word_of_another_category(
    tmp_path: Path,
) -> None:
    florist = words_for(shop(1, "Chez Zoé", "fleuriste", ARLON, "Arlon", "6700"))
    # A bakery that also lists "fleuriste" among what it sells (say, it has a corner).
    bakery = replace(
        shop(2, "Au Fournil", "boulangerie", ARLON, "Arlon", "6700", votes=5),
        category_terms=("fleuriste",),
    )
    with build(tmp_path / "index", [bakery, florist]) as idx:
        assert ids(idx.search(SearchQuery(text="fleuriste"))) == [1, 2]


def test_streets_are_searchable_below_names(index: SearchIndex) -> None:
    results = index.search(SearchQuery(text="rue des capucins"))
    assert (ids(results), results.ignored) == ([6], ())


def test_unknown_words_are_left_out_and_named(index: SearchIndex) -> None:
    results = index.search(SearchQuery(text="fleuriste Bastille"))
    assert set(ids(results)) == {4, 5}
    assert results.ignored == ("Bastille",)


def test_words_that_exist_but_not_together_fall_back_to_the_best_word(
    index: SearchIndex,
) -> None:
    # "joaillerie" and "bouquet" are both known, never in one shop: the name match wins.
    results = index.search(SearchQuery(text="joaillerie bouquet"))
    assert results.total >= 1 and results.ignored in (("bouquet",), ("joaillerie",))
    assert set(ids(results)) in ({6}, {4, 5})


def test_words_of_praise_go_first(index: SearchIndex) -> None:
    # "best" is in no shop here; "lekkere" neither: both left out, the product word kept.
    results = index.search(SearchQuery(text="lekkere pistolets"))
    assert (set(ids(results)), results.ignored) == ({1, 2, 3}, ("lekkere",))


def test_street_words_alone_do_not_stand_for_the_query(index: SearchIndex) -> None:
    # Nothing matches "horlogerie" or "rivoli": "rue" alone would list every street.
    results = index.search(SearchQuery(text="horlogerie rue de rivoli"))
    assert (results.total, results.ignored) == (0, ())


def test_a_two_letter_swap_is_one_edit(index: SearchIndex) -> None:
    results = index.search(SearchQuery(text="forunil"))
    assert (ids(results), results.suggestion) == ([1], "fournil")


def test_a_six_letter_word_is_not_corrected_two_edits_away(index: SearchIndex) -> None:
    # "garage" is two edits from "gare"-like words; one edit at most below 8 letters.
    results = index.search(SearchQuery(text="plante"))
    assert results.suggestion is None  # "plante" is a category word: found as is
    assert index.search(SearchQuery(text="foursil")).suggestion == "fournil"
    assert index.search(SearchQuery(text="fuornli")).suggestion is None  # 2 edits, 7 letters


def test_known_words_are_never_corrected(tmp_path: Path) -> None:
    with build(tmp_path / "index", docs()) as plain:
        assert plain.search(SearchQuery(text="fournel")).suggestion == "fournil"
    guarded = SearchIndex(tmp_path / "index", known_words=frozenset({"fournel"}))
    with guarded:
        results = guarded.search(SearchQuery(text="fournel"))
        assert (results.total, results.suggestion) == (0, None)


def test_the_category_words_are_kept_once_per_category(tmp_path: Path) -> None:
    with build(tmp_path / "index", docs()) as idx:
        generation = next(p for p in (tmp_path / "index").iterdir() if p.name.startswith("gen-"))
        assert (generation / CATEGORIES_FILE).exists()
        words = CategoryWords.load(generation).words
        assert words["boulangerie"] == (
            ["Boulangerie", "Bakkerij", "Bakery"],
            list(BAKERY_WORDS),
        )
        # An update with new words replaces the category's words.
        (first, *_rest) = docs()
        idx.add_or_update([replace(first, category_terms=("baguette",))])
        assert set(ids(idx.search(SearchQuery(text="baguette")))) == {1, 2, 3}
        assert idx.search(SearchQuery(text="pistolet")).total == 0


def test_relevance_is_the_formula_the_searcher_uses(index: SearchIndex) -> None:
    hits = index.search(SearchQuery(text="fleuriste")).hits
    assert hits and all(hit.score > 0 for hit in hits)
    assert relevance(2.0, 20, None) == pytest.approx(2.0 * (1 + 0.1 * 3.044522437723423))
    assert relevance(2.0, 0, 5.0) == pytest.approx(1.0)


def test_meta_carries_its_layout_version() -> None:
    meta = DocMeta(1, 2, 3, 4, 5, 6, 7, 0.0, "fleuriste", "Arlon", "6700", "v", "", "BE")
    data = pack_meta(meta)
    assert data[0] == META_VERSION and unpack_meta(data) == meta
    with pytest.raises(IndexOutdatedError):
        unpack_meta(bytes([META_VERSION - 1]) + data[1:])  # written by older code
    with pytest.raises(IndexOutdatedError):
        unpack_meta(b"")


def test_a_correction_onto_another_query_word_keeps_the_words_in_step(index: SearchIndex) -> None:
    # "fourinl" corrects to "fournil", already in the query: one word, not two.
    results = index.search(SearchQuery(text="fourinl fournil pistolets"))
    assert (ids(results), results.ignored) == ([1], ())
    assert results.suggestion == "fournil fournil pistolets"


def test_house_numbers_are_not_words_of_the_address(index: SearchIndex) -> None:
    assert index.search(SearchQuery(text="12")).total == 0  # "Rue des Capucins 12"
    results = index.search(SearchQuery(text="joaillerie 12"))
    assert (ids(results), results.ignored) == ([6], ("12",))


def test_a_known_place_word_gives_way_to_a_plain_word(tmp_path: Path) -> None:
    on_the_road = replace(
        shop(7, "Cabinet vétérinaire", "fleuriste", ARLON, "Arlon", "6700"),
        address="Route de Bastogne 40",
    )
    with build(tmp_path / "index", [*docs(), on_the_road]) as idx:
        idx.known_words = frozenset({"bastogne"})
        results = idx.search(SearchQuery(text="pistolets bastogne"))
        assert (set(ids(results)), results.ignored) == ({1, 2, 3}, ("bastogne",))


def test_a_long_query_still_finds_the_words_that_match(index: SearchIndex) -> None:
    words = "pistolets bouquet joaillerie capucins " + " ".join(f"zz{i}q" for i in range(8))
    results = index.search(SearchQuery(text=words))
    assert results.total and len(results.ignored) >= 8
