"""The grid behind radius and bbox searches, on an index spread over hundreds of cells.

``search._cells`` lists the cells of a small box with ``geo.cells_in_box`` and, for a box
covering more cells than the index occupies, walks the occupied cells instead. Both paths
are checked against a brute-force filter over every shop, on points lying exactly on cell
edges and a few micro-degrees either side of them, west of Greenwich too: floor division and
truncation disagree on negative coordinates, the classic way to lose a row of cells.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from geopy.distance import great_circle
from shop_fixtures import build, shop

from search_index import GeoPoint, SearchIndex, SearchQuery, ShopDocument
from search_index import search as search_module
from search_index.documents import micro_degrees
from search_index.geo import CELL_E6, cell_count, cell_of, cells_in_box, haversine_km

# A block of cell corners (micro-degrees) around Le Mans, where the Greenwich meridian crosses
# the Sarthe: 7 rows from 47.85 to 48.15 and 11 columns from -0.30 to 0.20.
CORNER_LATS_E6 = [47_850_000 + CELL_E6 * i for i in range(7)]
CORNER_LONS_E6 = [-300_000 + CELL_E6 * i for i in range(11)]
# Each corner holds a shop on it and shops 10 micro-degrees (about a metre) either side.
NUDGE_E6 = 10
# Box edges set this far past a cell edge cut between the nudged shops and the corner.
SLIVER = 15e-6
# Radius searches: (centre, km). Shops are placed 2 m inside and outside each circle.
CIRCLES = [
    (GeoPoint(47.95, -0.10), 2.0),  # on a corner west of Greenwich
    (GeoPoint(48.0, 0.0), 5.5),  # on the meridian
    (GeoPoint(47.900004, -0.249996), 3.3),  # a few micro-degrees off a corner
    (GeoPoint(48.1, -0.000001), 1.0),  # one micro-degree west of the meridian
    (GeoPoint(48.39, -4.49), 8.0),  # Brest, far west
]
RING_MARGIN_KM = 0.002
HUGE_RADIUS_KM = 150.0


def _place(i: int, lat: float, lon: float) -> ShopDocument:
    return shop(
        i, f"Commerce {i}", "boulangerie", GeoPoint(lat, lon), "Le Mans", "72000", country="FR"
    )


# Ids of the shops placed 2 m inside (True) and outside (False) each circle of CIRCLES.
RINGS: dict[tuple[int, bool], set[int]] = {}


def grid_shops() -> list[ShopDocument]:
    """Corner clusters, circle rings and a seeded scatter over Brittany, France and Belgium."""
    points: list[tuple[float, float]] = []
    nudges = (-NUDGE_E6, 0, NUDGE_E6)
    for lat_e6 in CORNER_LATS_E6:
        for lon_e6 in CORNER_LONS_E6:
            for dlat in nudges:
                for dlon in nudges:
                    points.append(((lat_e6 + dlat) / 1e6, (lon_e6 + dlon) / 1e6))
    for circle, (centre, km) in enumerate(CIRCLES):
        for bearing in range(0, 360, 45):
            for inner in (True, False):
                distance = km - RING_MARGIN_KM if inner else km + RING_MARGIN_KM
                dest = great_circle(kilometers=distance).destination(
                    (centre.lat, centre.lon), bearing=bearing
                )
                points.append((dest.latitude, dest.longitude))
                RINGS.setdefault((circle, inner), set()).add(len(points))
    rng = random.Random(20240611)
    points += [(rng.uniform(47.8, 48.8), rng.uniform(-4.8, -1.0)) for _ in range(150)]
    points += [(rng.uniform(43.0, 50.8), rng.uniform(-4.8, 6.2)) for _ in range(200)]
    return [_place(i, lat, lon) for i, (lat, lon) in enumerate(points, start=1)]


SHOPS = grid_shops()
# Where the index holds each shop: micro-degrees, as ``documents.micro_degrees`` stores them.
STORED = {s.id: (micro_degrees(s.lat), micro_degrees(s.lon)) for s in SHOPS}


@pytest.fixture(scope="module")
def grid_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    idx = build(tmp_path_factory.mktemp("grid") / "index", SHOPS)
    yield idx
    idx.close()


@pytest.fixture
def cells_spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int, int]]:
    """Boxes the search handed to ``cells_in_box`` (which still does the work)."""
    calls: list[tuple[int, int, int, int]] = []

    def spy(box: tuple[int, int, int, int], *args: int) -> Iterator[tuple[int, int]]:
        calls.append(box)
        return cells_in_box(box, *args)

    monkeypatch.setattr(search_module, "cells_in_box", spy)
    return calls


def found(index: SearchIndex, **query: object) -> set[int]:
    """Every id the query matches, all pages read."""
    ids: set[int] = set()
    page = 1
    while True:
        results = index.search(
            SearchQuery(page=page, per_page=1000, facets=False, highlights=False, **query)  # type: ignore[arg-type]
        )
        ids |= {hit.id for hit in results.hits}
        if page * results.per_page >= results.total:
            assert len(ids) == results.total
            return ids
        page += 1


def within(centre: GeoPoint, km: float) -> set[int]:
    """Brute force over every shop with the library's distance function."""
    distances = {
        i: haversine_km(centre.lat, centre.lon, lat / 1e6, lon / 1e6)
        for i, (lat, lon) in STORED.items()
    }
    # No shop so close to the circle that rounding could decide: the answer is unambiguous.
    assert min(abs(d - km) for d in distances.values()) > 1e-6
    return {i for i, d in distances.items() if d <= km}


def inside(bbox: tuple[float, float, float, float]) -> set[int]:
    """Brute force over every shop: edges included, GeoJSON order."""
    min_lon, min_lat, max_lon, max_lat = bbox
    for lat_e6, lon_e6 in STORED.values():
        for value, edge in (
            (lat_e6, min_lat),
            (lat_e6, max_lat),
            (lon_e6, min_lon),
            (lon_e6, max_lon),
        ):
            # A shop is on an edge or over a micro-degree off it: never where the float
            # edge and its micro-degree rounding could disagree.
            gap = abs(value - edge * 1e6)
            assert gap < 1e-3 or gap > 1.5
    return {
        i
        for i, (lat, lon) in STORED.items()
        if min_lat <= lat / 1e6 <= max_lat and min_lon <= lon / 1e6 <= max_lon
    }


def test_the_shops_occupy_hundreds_of_cells_on_both_sides_of_greenwich() -> None:
    cells = {cell_of(lat, lon) for lat, lon in STORED.values()}
    assert len(cells) > 300
    assert any(cx < 0 for _, cx in cells) and any(cx >= 0 for _, cx in cells)


# Small boxes: a handful of cells, far fewer than the index occupies.
SMALL_BOXES = {
    "one cell west of greenwich, edges on cell edges": (-0.10, 47.90, -0.05, 47.95),
    "crossing into every neighbouring cell": (
        -0.10 - SLIVER,
        47.90 - SLIVER,
        0.05 + SLIVER,
        47.95 + SLIVER,
    ),
    "inside one cell, missing its corners": (
        -0.15 + 5e-6,
        47.90 + 5e-6,
        -0.10 - 5e-6,
        47.95 - 5e-6,
    ),
    "the four cells meeting at 0,48": (-SLIVER, 48.0 - SLIVER, SLIVER, 48.0 + SLIVER),
    "only the west side of the meridian": (-0.05 - SLIVER, 47.95, -5e-6, 48.0),
    "brittany": (-4.6, 48.3, -4.4, 48.5),
}


@pytest.mark.parametrize("bbox", SMALL_BOXES.values(), ids=SMALL_BOXES.keys())
def test_a_small_box_lists_its_cells_and_finds_exactly_the_shops_inside(
    grid_index: SearchIndex,
    cells_spy: list[tuple[int, int, int, int]],
    bbox: tuple[float, float, float, float],
) -> None:
    expected = inside(bbox)
    assert expected  # every box holds shops, so a lost cell shows
    assert found(grid_index, bbox=bbox) == expected
    assert cells_spy, "the small box did not go through cells_in_box"


@pytest.mark.parametrize("circle", range(len(CIRCLES)))
def test_a_small_radius_lists_its_cells_and_finds_exactly_the_shops_within(
    grid_index: SearchIndex, cells_spy: list[tuple[int, int, int, int]], circle: int
) -> None:
    centre, km = CIRCLES[circle]
    expected = within(centre, km)
    # All round the circle, the shops 2 m inside are in and those 2 m outside are out.
    assert RINGS[circle, True] <= expected
    assert RINGS[circle, False].isdisjoint(expected)
    assert found(grid_index, near=centre, radius_km=km) == expected
    assert cells_spy, "the small radius did not go through cells_in_box"


def test_a_small_radius_sorted_by_distance_lists_the_same_shops_nearest_first(
    grid_index: SearchIndex, cells_spy: list[tuple[int, int, int, int]]
) -> None:
    centre, km = CIRCLES[0]
    results = grid_index.search(
        SearchQuery(near=centre, radius_km=km, sort="distance", per_page=1000)
    )
    assert {hit.id for hit in results.hits} == within(centre, km)
    distances = [hit.distance_km for hit in results.hits]
    assert distances == sorted(distances)  # type: ignore[type-var]
    assert cells_spy


# Huge boxes: more cells than the index occupies, so the occupied cells are walked.
HUGE_BOXES = {
    "brittany to le mans, cutting corner clusters": (-4.65, 47.85 - SLIVER, 0.10 + SLIVER, 49.0),
    "south of the clusters, from west of greenwich": (-0.30 - SLIVER, 43.0, 6.0, 47.95 + SLIVER),
    "west of greenwich only": (-5.0, 43.0, -SLIVER, 51.0),
    "the whole world": (-180.0, -90.0, 180.0, 90.0),
}


@pytest.mark.parametrize("bbox", HUGE_BOXES.values(), ids=HUGE_BOXES.keys())
def test_a_huge_box_walks_the_occupied_cells_and_finds_exactly_the_shops_inside(
    grid_index: SearchIndex,
    cells_spy: list[tuple[int, int, int, int]],
    bbox: tuple[float, float, float, float],
) -> None:
    expected = inside(bbox)
    assert len(expected) > 0
    assert found(grid_index, bbox=bbox) == expected
    assert not cells_spy, "the huge box listed its cells instead of walking the occupied ones"


def test_the_whole_world_box_finds_every_shop(grid_index: SearchIndex) -> None:
    assert found(grid_index, bbox=(-180.0, -90.0, 180.0, 90.0)) == set(STORED)


@pytest.mark.parametrize("centre", [GeoPoint(48.0, -0.1), GeoPoint(48.39, -4.49)])
def test_a_huge_radius_walks_the_occupied_cells_and_finds_exactly_the_shops_within(
    grid_index: SearchIndex, cells_spy: list[tuple[int, int, int, int]], centre: GeoPoint
) -> None:
    expected = within(centre, HUGE_RADIUS_KM)
    assert 0 < len(expected) < len(STORED)
    assert found(grid_index, near=centre, radius_km=HUGE_RADIUS_KM) == expected
    assert not cells_spy


def test_radius_and_box_together_find_the_shops_both_allow(
    grid_index: SearchIndex, cells_spy: list[tuple[int, int, int, int]]
) -> None:
    centre, km = CIRCLES[1]  # 5.5 km around (48, 0)
    bbox = (-0.05 - SLIVER, 47.95 - SLIVER, -5e-6, 48.05 + SLIVER)  # its western half
    expected = within(centre, km) & inside(bbox)
    assert expected and expected != within(centre, km)
    assert found(grid_index, near=centre, radius_km=km, bbox=bbox) == expected
    assert cells_spy


# ``geo`` itself: cells of 50,000 micro-degrees, cell k holding [k * 50,000, (k + 1) * 50,000).


def brute_cells(box: tuple[int, int, int, int]) -> set[tuple[int, int]]:
    """Cells whose square shares a micro-degree with the box, by testing each one nearby."""
    min_lat, max_lat, min_lon, max_lon = box
    near_rows = range(min_lat // CELL_E6 - 2, max_lat // CELL_E6 + 3)
    near_cols = range(min_lon // CELL_E6 - 2, max_lon // CELL_E6 + 3)
    return {
        (cy, cx)
        for cy in near_rows
        for cx in near_cols
        if cy * CELL_E6 <= max_lat
        and (cy + 1) * CELL_E6 - 1 >= min_lat
        and cx * CELL_E6 <= max_lon
        and (cx + 1) * CELL_E6 - 1 >= min_lon
    }


@pytest.mark.parametrize(
    ("lat_e6", "lon_e6", "cell"),
    [
        (0, 0, (0, 0)),
        (49_999, 49_999, (0, 0)),
        (50_000, 50_000, (1, 1)),
        (-1, -1, (-1, -1)),  # truncation would say (0, 0)
        (-50_000, -50_000, (-1, -1)),
        (-50_001, -50_001, (-2, -2)),
        (47_950_000, -100_000, (959, -2)),
        (47_949_990, -100_010, (958, -3)),
        (48_390_000, -4_490_000, (967, -90)),
    ],
)
def test_cell_of_floors_towards_minus_infinity(
    lat_e6: int, lon_e6: int, cell: tuple[int, int]
) -> None:
    assert cell_of(lat_e6, lon_e6) == cell


@pytest.mark.parametrize(
    ("box", "cells"),
    [
        ((0, 49_999, 0, 49_999), {(0, 0)}),
        # The first micro-degree of the next cell belongs to it.
        ((0, 50_000, 0, 49_999), {(0, 0), (1, 0)}),
        ((-1, 0, -1, 0), {(-1, -1), (-1, 0), (0, -1), (0, 0)}),
        ((-50_000, -1, -50_000, -1), {(-1, -1)}),
        ((-50_001, -1, -50_000, -1), {(-2, -1), (-1, -1)}),
        ((47_949_985, 47_950_015, -100_015, -99_985), {(958, -3), (958, -2), (959, -3), (959, -2)}),
    ],
)
def test_cells_in_box_on_cell_edges(
    box: tuple[int, int, int, int], cells: set[tuple[int, int]]
) -> None:
    listed = list(cells_in_box(box))
    assert set(listed) == cells
    assert len(listed) == len(cells) == cell_count(box)


def random_boxes(count: int) -> Iterator[tuple[int, int, int, int]]:
    """Seeded boxes from a micro-degree to a few cells, around zero and west of Greenwich."""
    rng = random.Random(7)
    for _ in range(count):
        lat = rng.randint(-3 * CELL_E6, 3 * CELL_E6) + rng.choice((0, 47_900_000))
        lon = rng.randint(-5 * CELL_E6, 3 * CELL_E6) + rng.choice((0, -4_500_000))
        # Some boxes start exactly on a cell edge, or one micro-degree either side of it.
        if rng.random() < 0.3:
            lat = lat // CELL_E6 * CELL_E6 + rng.choice((-1, 0, 1))
            lon = lon // CELL_E6 * CELL_E6 + rng.choice((-1, 0, 1))
        height = rng.choice((0, 1, CELL_E6 - 1, CELL_E6, rng.randint(0, 4 * CELL_E6)))
        width = rng.choice((0, 1, CELL_E6 - 1, CELL_E6, rng.randint(0, 4 * CELL_E6)))
        yield lat, lat + height, lon, lon + width


def test_cells_in_box_lists_every_cell_a_box_touches_once() -> None:
    for box in random_boxes(500):
        listed = list(cells_in_box(box))
        assert len(set(listed)) == len(listed) == cell_count(box), box
        assert set(listed) == brute_cells(box), box
        min_lat, max_lat, min_lon, max_lon = box
        for lat in (min_lat, max_lat):
            for lon in (min_lon, max_lon):
                assert cell_of(lat, lon) in listed, box


@pytest.mark.parametrize(
    "box",
    [
        (10, 5, 0, 100),  # latitudes inverted, inside one cell
        (0, 100, 10, 5),  # longitudes inverted, inside one cell
        (CELL_E6 * 3, CELL_E6, 0, CELL_E6),  # inverted across cells
    ],
)
def test_an_inverted_box_covers_no_cell(box: tuple[int, int, int, int]) -> None:
    assert list(cells_in_box(box)) == []
    assert cell_count(box) == 0
