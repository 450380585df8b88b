"""The town filter with several keys: a commune's localities and postcodes at once."""

from shop_fixtures import ids

from search_index import SearchIndex, SearchQuery
from search_index.snapshot import town_key


def town_ids(index: SearchIndex, **query: object) -> set[int]:
    return set(ids(index.search(SearchQuery(per_page=100, **query))))  # type: ignore[arg-type]


def test_any_of_several_towns_matches(shop_index: SearchIndex) -> None:
    habay = town_ids(shop_index, town="Habay") | town_ids(shop_index, town="Habay-la-Neuve")
    assert town_ids(shop_index, towns=frozenset({"Habay", "Habay-la-Neuve"})) == habay
    both = habay | town_ids(shop_index, town="Liège")
    assert town_ids(shop_index, towns=frozenset({"habay", "HABAY-LA-NEUVE", "liege"})) == both


def test_postcodes_and_names_mix(shop_index: SearchIndex) -> None:
    assert town_ids(shop_index, towns=frozenset({"4020", "Arlon"})) == (
        town_ids(shop_index, town="4020") | town_ids(shop_index, town="Arlon")
    )


def test_town_and_towns_add_up(shop_index: SearchIndex) -> None:
    assert town_ids(shop_index, town="Liège", towns=frozenset({"Arlon"})) == (
        town_ids(shop_index, town="Liège") | town_ids(shop_index, town="Arlon")
    )


def test_unknown_keys_match_nothing_and_filter_everything_out(shop_index: SearchIndex) -> None:
    assert shop_index.search(SearchQuery(towns=frozenset({"Atlantis", "0000"}))).total == 0
    assert town_ids(shop_index, towns=frozenset({"Atlantis", "Arlon"})) == town_ids(
        shop_index, town="Arlon"
    )


def test_no_towns_is_no_filter(shop_index: SearchIndex) -> None:
    assert shop_index.search(SearchQuery(towns=frozenset())).total == (
        shop_index.search(SearchQuery()).total
    )


def test_towns_combine_with_text(shop_index: SearchIndex) -> None:
    found = town_ids(shop_index, text="boulangerie", towns=frozenset({"Habay", "Liège"}))
    assert found == town_ids(shop_index, text="boulangerie", town="Habay") | town_ids(
        shop_index, text="boulangerie", town="Liège"
    )
    assert found


def test_town_keys_ignore_case_accents_and_punctuation() -> None:
    assert town_key("Habay-la-Neuve") == town_key("HABAY LA NEUVE") == "habay la neuve"
    assert town_key(" Liège ") == "liege"
    assert town_key("6720") == "6720"
