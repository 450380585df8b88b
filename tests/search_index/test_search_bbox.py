"""Bounding-box search ("search this area" on the map)."""

from __future__ import annotations

import math

import pytest
from shop_fixtures import ARLON, HABAY, LIEGE, ids

from search_index import GeoPoint, InvalidQueryError, SearchIndex, SearchQuery
from search_index.snapshot import Snapshot

# (min_lon, min_lat, max_lon, max_lat), GeoJSON's order.
ARLON_CENTRE = (5.80, 49.67, 5.83, 49.70)
ARLON_AND_HABAY = (5.60, 49.60, 6.00, 49.80)


def found(index: SearchIndex, **query: object) -> set[int]:
    return set(ids(index.search(SearchQuery(per_page=100, **query))))  # type: ignore[arg-type]


def test_a_box_keeps_only_the_shops_inside(shop_index: SearchIndex) -> None:
    assert found(shop_index, bbox=ARLON_CENTRE) == {1, 11}
    assert found(shop_index, bbox=ARLON_AND_HABAY) == {1, 2, 3, 4, 5, 11, 12}


def test_a_box_combines_with_text_category_and_services(shop_index: SearchIndex) -> None:
    assert found(shop_index, text="fleuriste", bbox=ARLON_AND_HABAY) == {1, 2, 3}
    assert found(shop_index, category="boulangerie", bbox=ARLON_AND_HABAY) == {4, 5}
    assert found(shop_index, services=frozenset({"delivery"}), bbox=ARLON_AND_HABAY) == {1, 3, 11}


def test_a_box_and_a_radius_both_apply(shop_index: SearchIndex) -> None:
    # 10 km around Arlon holds 1, 2 and 11; the box west of Arlon's centre drops 2 (9 km east).
    west_of_arlon = (5.60, 49.60, 5.83, 49.80)
    assert found(shop_index, near=ARLON, radius_km=10, bbox=west_of_arlon) == {1, 11}
    # A box far from the circle: nothing, without an error.
    around_liege = (5.50, 50.60, 5.70, 50.70)
    assert found(shop_index, near=ARLON, radius_km=10, bbox=around_liege) == set()


def test_near_without_radius_gives_distances_inside_the_box(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(near=ARLON, bbox=ARLON_AND_HABAY, sort="distance"))
    assert ids(results)[:2] in ([1, 11], [11, 1])
    assert all(hit.distance_km is not None for hit in results.hits)


def test_totals_and_facets_describe_the_box(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(bbox=ARLON_AND_HABAY))
    assert results.total == 7
    assert dict(results.facets["category"]) == {
        "fleuriste": 3,
        "boulangerie": 2,
        "epicerie-fine": 1,
        "fromagerie": 1,
    }


def test_a_shop_on_the_edge_is_inside(shop_index: SearchIndex) -> None:
    edge = (HABAY.lon, HABAY.lat, HABAY.lon + 0.001, HABAY.lat + 0.001)
    assert found(shop_index, bbox=edge) == {4, 12}


def test_a_box_uses_the_grid_not_every_shop(
    shop_index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    def scan(self: Snapshot) -> list[int]:
        raise AssertionError("a bbox search walked every shop")

    monkeypatch.setattr(Snapshot, "live_docnums", scan)
    assert found(shop_index, bbox=(LIEGE.lon - 0.01, LIEGE.lat - 0.01, LIEGE.lon + 0.05, 50.7)) == {
        6,
        7,
        8,
    }


def test_the_whole_world_finds_everything(shop_index: SearchIndex) -> None:
    assert len(found(shop_index, bbox=(-180.0, -90.0, 180.0, 90.0))) == 12


@pytest.mark.parametrize(
    "bbox",
    [
        (5.9, 49.6, 5.8, 49.7),  # min_lon > max_lon
        (5.8, 49.7, 5.9, 49.6),  # min_lat > max_lat
        (5.8, 49.6, 5.8, 49.7),  # empty width
        (-181.0, 49.6, 5.9, 49.7),
        (5.8, 49.6, 181.0, 49.7),
        (5.8, -91.0, 5.9, 49.7),
        (5.8, 49.6, 5.9, 91.0),
        (math.nan, 49.6, 5.9, 49.7),
        (5.8, 49.6, math.inf, 49.7),
        (5.8, 49.6, 5.9),
    ],
)
def test_a_bad_box_is_refused_naming_bbox(shop_index: SearchIndex, bbox: tuple) -> None:
    with pytest.raises(InvalidQueryError) as refused:
        shop_index.search(SearchQuery(bbox=bbox))
    assert refused.value.field == "bbox"


def test_per_page_reaches_a_map_page_of_1000(shop_index: SearchIndex) -> None:
    assert shop_index.search(SearchQuery(per_page=1000)).per_page == 1000
    with pytest.raises(InvalidQueryError):
        shop_index.search(SearchQuery(per_page=1001))


def test_an_unused_point_type_is_still_accepted(shop_index: SearchIndex) -> None:
    # GeoPoint and bbox are independent: a near far from the box only measures distances.
    results = shop_index.search(SearchQuery(near=GeoPoint(45.0, 1.0), bbox=ARLON_CENTRE))
    assert {hit.id for hit in results.hits} == {1, 11}
