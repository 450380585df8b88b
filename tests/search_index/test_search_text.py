"""Text search: what a visitor typing in the search box should find."""

import random

import pytest
from shop_fixtures import ids

from search_index import SearchIndex, SearchQuery


def found(index: SearchIndex, text: str) -> set[int]:
    return {hit.id for hit in index.search(SearchQuery(text=text, per_page=100)).hits}


@pytest.mark.parametrize("text", ["epicerie", "ÉPICERIE", "Épicerie", "épicerie"])
def test_accents_and_case_do_not_matter(shop_index: SearchIndex, text: str) -> None:
    assert found(shop_index, text) == {11}


def test_ligatures_match_their_spelled_out_form(shop_index: SearchIndex) -> None:
    assert found(shop_index, "oecumenique") == {9}
    assert found(shop_index, "œcuménique") == {9}
    assert found(shop_index, "strasse") == {10}
    assert found(shop_index, "coeur") == {9}


def test_plurals_and_word_families_match(shop_index: SearchIndex) -> None:
    assert found(shop_index, "fleuristes") == {1, 2, 3}
    assert found(shop_index, "bijoux") == {7, 8, 12}
    assert found(shop_index, "bijouteries") == {7, 8, 12}
    assert found(shop_index, "boulanger") == {4, 5, 6}


def test_category_names_match_in_french_dutch_and_english(shop_index: SearchIndex) -> None:
    florists = {1, 2, 3}
    assert found(shop_index, "fleuriste") == florists
    assert found(shop_index, "bloemist") == florists
    assert found(shop_index, "florist") == florists


def test_a_florist_without_the_word_in_its_name_is_found(shop_index: SearchIndex) -> None:
    assert 1 in found(shop_index, "fleuriste")  # "Au jardin d'Anna"


def test_town_and_postcode_are_searchable_words(shop_index: SearchIndex) -> None:
    assert found(shop_index, "limoges") == {9, 10}
    assert found(shop_index, "fleuriste arlon") == {1, 2, 3}
    assert found(shop_index, "87000") == {9, 10}


def test_all_words_must_match(shop_index: SearchIndex) -> None:
    assert found(shop_index, "boulangerie bio") == {4, 6}
    assert found(shop_index, "boulangerie habay") == {4, 5}
    # No bakery in Limoges: the bakeries, saying that "limoges" was left out.
    fallback = shop_index.search(SearchQuery(text="boulangerie limoges", per_page=100))
    assert set(ids(fallback)) == found(shop_index, "boulangerie")
    assert fallback.ignored == ("limoges",)


def test_name_match_ranks_above_description_match(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="bijouterie"))
    # 7 has the word in its name; 12 only mentions "Bijoux" in its description.
    assert ids(results).index(7) < ids(results).index(12)


@pytest.mark.parametrize(
    ("typo", "suggestion", "expected"),
    [
        ("bijoutrie", "bijouterie", {7, 8, 12}),
        ("fleurise", "fleuriste", {1, 2, 3}),
        ("boulangrie habay", "boulangerie habay", {4, 5}),
        ("epicrie", "épicerie", {11}),
    ],
)
def test_typos_fall_back_to_fuzzy_matching_with_a_suggestion(
    shop_index: SearchIndex, typo: str, suggestion: str, expected: set[int]
) -> None:
    results = shop_index.search(SearchQuery(text=typo))
    assert results.suggestion == suggestion
    assert set(ids(results)) == expected


def test_no_suggestion_when_the_query_matches(shop_index: SearchIndex) -> None:
    assert shop_index.search(SearchQuery(text="bijouterie")).suggestion is None


def test_no_suggestion_for_gibberish(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="zzqxj"))
    assert results.total == 0
    assert results.suggestion is None


NASTY = [
    "",
    " ",
    "AND",
    "OR NOT",
    "fleuriste AND OR NOT",
    "( ) * ? : ~ ^ [ ] { } \" '",
    "fleur*",
    "name:fleur",
    "fleur~2",
    "fleur^10",
    '"unbalanced',
    "[a TO z]",
    "{a TO z}",
    "\x00",
    "fleur\x00iste",
    "<script>alert(1)</script>",
    "'; DROP TABLE shops; --",
    "%s %d {0} {}",
    "\\",
    "\u202e\u200b\ufeff",
    "😀🌸",
    "a" * 5000,
    "fleuriste " * 600,
    "l' d' qu'",
]


def random_nasty(seed: int, count: int) -> list[str]:
    """Seeded random strings mixing query syntax, unicode and control characters."""
    rng = random.Random(seed)
    alphabet = [
        *"AND OR NOT()*?:~^[]{}\"'\\/<>&;%$#@!-+=|,.\x00\t\n",
        "é",
        "œ",
        "ß",
        "ﬁ",
        "\u0301",
        "\ud7ff",
        "😀",
        "fleur",
        "bijou",
        " ",
        "AND",
        "OR",
    ]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(count)]


@pytest.mark.parametrize("text", NASTY + random_nasty(seed=20240601, count=150))
def test_nasty_input_never_raises(shop_index: SearchIndex, text: str) -> None:
    results = shop_index.search(SearchQuery(text=text))
    assert 0 <= results.total <= shop_index.doc_count()
    assert len(results.hits) == min(results.total, 20)


def test_query_syntax_characters_are_just_separators(shop_index: SearchIndex) -> None:
    assert found(shop_index, "fleuriste AND (arlon)") == found(shop_index, "fleuriste arlon")
    assert found(shop_index, "fleur*") == found(shop_index, "fleur")


def test_a_query_of_only_stop_words_lists_everything(shop_index: SearchIndex) -> None:
    assert shop_index.search(SearchQuery(text="le la les")).total == 12
