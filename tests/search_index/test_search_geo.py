"""Radius search and distances."""

import pytest
from geopy.distance import great_circle
from shop_fixtures import ARLON, east_of, ids

from search_index import GeoPoint, SearchIndex, SearchQuery


def test_radius_keeps_the_shop_at_9_km_and_drops_the_one_at_11_km(shop_index: SearchIndex) -> None:
    results = shop_index.search(
        SearchQuery(text="fleuriste", near=ARLON, radius_km=10, sort="distance")
    )
    assert ids(results) == [1, 2]


def test_the_fixture_really_places_shops_at_9_and_11_km() -> None:
    for km in (9, 11):
        point = east_of(ARLON, km)
        assert great_circle((ARLON.lat, ARLON.lon), (point.lat, point.lon)).km == pytest.approx(km)


def test_every_hit_has_its_distance_when_near_is_given(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(near=ARLON, per_page=100))
    assert results.total == 12
    by_id = {hit.id: hit.distance_km for hit in results.hits}
    assert by_id[1] == pytest.approx(0.0, abs=0.01)
    assert by_id[2] == pytest.approx(9.0, abs=0.01)
    assert by_id[3] == pytest.approx(11.0, abs=0.01)
    assert all(d is not None and d >= 0 for d in by_id.values())


def test_distance_is_none_without_near(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="fleuriste"))
    assert [hit.distance_km for hit in results.hits] == [None, None, None]


def test_radius_only_sorted_by_distance(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(near=ARLON, radius_km=30, sort="distance"))
    distances = [hit.distance_km for hit in results.hits]
    assert distances == sorted(distances)
    # Arlon shops (1, 11 at the centre; 2 at 9 km; 3 at 11 km) and Habay (~13 km).
    assert set(ids(results)) == {1, 2, 3, 4, 5, 11, 12}


def test_huge_radius_covers_everything(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(near=ARLON, radius_km=20_000))
    assert results.total == 12


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(sort="distance"),
        SearchQuery(radius_km=5),
        SearchQuery(near=ARLON, radius_km=0),
        SearchQuery(near=ARLON, radius_km=-1),
        SearchQuery(near=ARLON, radius_km=float("nan")),
        SearchQuery(near=GeoPoint(91, 0)),
        SearchQuery(sort="price"),
        SearchQuery(page=0),
        SearchQuery(per_page=0),
        SearchQuery(services=frozenset({"parking"})),
    ],
)
def test_invalid_queries_raise_value_error(shop_index: SearchIndex, query: SearchQuery) -> None:
    with pytest.raises(ValueError):
        shop_index.search(query)
