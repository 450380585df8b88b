"""One definition of the distance between two points: ``search_index.geo.haversine_km``.

It agrees with geopy's great circle (the formula the shown distances used to come from) to a
metre across Belgium, its vectorised copy agrees with it to the last bit, and no other module
of the app or the library carries a formula of its own.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest
from geopy.distance import great_circle

from search_index.geo import EARTH_RADIUS_KM, display_distance_km, haversine_km, haversine_km_e6

ROOT = Path(__file__).resolve().parent.parent
# Belgium's bounding box, and towns from one border to the other.
BELGIUM = ((49.49, 51.51), (2.54, 6.41))
TOWNS = {
    "Arlon": (49.6833, 5.8167),
    "Ostende": (51.2154, 2.9287),
    "Bruxelles": (50.8504, 4.3488),
    "Liège": (50.6326, 5.5797),
    "Bouillon": (49.7936, 5.0672),
    "Knokke": (51.3500, 3.2833),
    "Eupen": (50.6283, 6.0364),
}
# Files that still compute a great-circle distance themselves, each until it calls geo.py.
# search.py's radius loop is to become a call to haversine_km_e6 (issue 11).
OWN_FORMULAS: set[str] = set()
FORMULA = re.compile(r"great_circle|geodesic|geopy\.distance|\basin\(|\batan2\(|6371|def haversine")


def belgian_pairs(count: int) -> list[tuple[float, float, float, float]]:
    rng = random.Random(11)
    (lat_lo, lat_hi), (lon_lo, lon_hi) = BELGIUM
    pairs = []
    for _ in range(count):
        lat1, lat2 = rng.uniform(lat_lo, lat_hi), rng.uniform(lat_lo, lat_hi)
        lon1, lon2 = rng.uniform(lon_lo, lon_hi), rng.uniform(lon_lo, lon_hi)
        pairs.append((lat1, lon1, lat2, lon2))
    towns = list(TOWNS.values())
    pairs += [(*a, *b) for a in towns for b in towns]
    # Short hops too: a shop a few metres from the searched point.
    pairs += [(lat, lon, lat + rng.uniform(-1e-4, 1e-4), lon) for lat, lon, _a, _b in pairs[:200]]
    return pairs


PAIRS = belgian_pairs(2000)


def test_the_radius_is_geopys():
    from geopy.distance import EARTH_RADIUS

    assert EARTH_RADIUS_KM == EARTH_RADIUS


def test_haversine_agrees_with_geopys_great_circle_to_a_metre_across_belgium():
    worst = max(abs(haversine_km(*pair) - great_circle(pair[:2], pair[2:]).km) for pair in PAIRS)
    assert worst < 0.001


def test_distances_along_a_meridian_and_the_equator():
    """A degree of arc is pi * R / 180 (about 111.2 km) north-south anywhere, and east-west on
    the equator; at Arlon's latitude a degree of longitude is shorter, by about cos(49.7°)."""
    degree = math.pi * EARTH_RADIUS_KM / 180
    assert haversine_km(49.0, 5.8, 50.0, 5.8) == pytest.approx(degree, rel=1e-12)
    assert haversine_km(0.0, 5.0, 0.0, 6.0) == pytest.approx(degree, rel=1e-12)
    assert haversine_km(49.68, 5.3, 49.68, 6.3) == pytest.approx(
        degree * math.cos(math.radians(49.68)), rel=1e-3
    )


def test_the_distance_shown_is_the_formula_rounded_to_10_metres():
    for pair in PAIRS:
        shown = display_distance_km(*pair)
        assert shown == round(haversine_km(*pair), 2)
        # What the page showed when it came from geopy: at most one rounding step apart.
        assert abs(shown - round(great_circle(pair[:2], pair[2:]).km, 2)) <= 0.0100001


def test_the_distance_is_symmetric_and_zero_at_the_point_itself():
    for lat1, lon1, lat2, lon2 in PAIRS[:300]:
        assert haversine_km(lat1, lon1, lat2, lon2) == pytest.approx(
            haversine_km(lat2, lon2, lat1, lon1), abs=1e-9
        )
        assert haversine_km(lat1, lon1, lat1, lon1) == 0.0


def test_the_vectorised_copy_is_the_same_formula_to_the_last_bit():
    lat, lon = TOWNS["Arlon"]
    lats = [round(p[2] * 1e6) for p in PAIRS]
    lons = [round(p[3] * 1e6) for p in PAIRS]
    docs = range(0, len(PAIRS), 3)
    distances = haversine_km_e6(lat, lon, lats, lons, docs)
    assert sorted(distances) == list(docs)
    for d in docs:
        assert distances[d] == haversine_km(lat, lon, lats[d] / 1e6, lons[d] / 1e6)


def test_antipodes_do_not_fail():
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_no_other_module_has_its_own_distance_formula():
    found = set()
    for package in ("directory", "search_index"):
        for path in (ROOT / package).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if name != "search_index/geo.py" and FORMULA.search(path.read_text(encoding="utf-8")):
                found.add(name)
    # Both ways: a new formula fails, and so does an entry left here after its file was fixed.
    assert found == OWN_FORMULAS
