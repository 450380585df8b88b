"""Distances and the coarse grid used to prefilter radius searches.

``haversine_km`` is the one definition of the distance between two points, for the library
and for the web app (delivery zones, the distance shown, the gazetteer's reach, duplicates,
the importer); ``haversine_km_e6`` is the same formula over a column of points.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

# The mean Earth radius (IUGG), the one geopy's great_circle uses: its distances and ours agree.
EARTH_RADIUS_KM = 6371.009
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180.0
# Grid cells of 0.05 degrees (about 5.5 km north-south) in micro-degrees.
CELL_E6 = 50_000


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points in decimal degrees (haversine formula
    on a sphere of ``EARTH_RADIUS_KM``); fast enough to run on every candidate."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def haversine_km_e6(
    lat: float, lon: float, lats_e6: Sequence[int], lons_e6: Sequence[int], docs: Iterable[int]
) -> dict[int, float]:
    """``haversine_km`` from ``(lat, lon)`` to each ``docs`` point of the micro-degree columns,
    by document number; the same value to the last bit as ``haversine_km(lat, lon,
    lats_e6[d] / 1e6, lons_e6[d] / 1e6)``.

    The formula is written out in the loop because a Python call per point would double the
    cost of a radius search over the whole directory; a test holds both copies equal.
    """
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    p1 = radians(lat)
    cos1 = cos(p1)
    diameter = 2 * EARTH_RADIUS_KM
    distances: dict[int, float] = {}
    for d in docs:
        p2 = radians(lats_e6[d] / 1e6)
        a = sin((p2 - p1) / 2) ** 2 + cos1 * cos(p2) * sin(radians(lons_e6[d] / 1e6 - lon) / 2) ** 2
        distances[d] = diameter * asin(min(1.0, sqrt(a)))
    return distances


def display_distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The distance shown to users: ``haversine_km`` rounded to 10 m."""
    return round(haversine_km(lat1, lon1, lat2, lon2), 2)


def bounding_box_e6(lat: float, lon: float, radius_km: float) -> tuple[int, int, int, int]:
    """(min_lat, max_lat, min_lon, max_lon) in micro-degrees enclosing the circle."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    coslat = math.cos(math.radians(min(89.0, abs(lat) + dlat)))
    dlon = 180.0 if coslat <= 0 else min(180.0, dlat / coslat)
    return (
        math.floor((lat - dlat) * 1e6),
        math.ceil((lat + dlat) * 1e6),
        math.floor((lon - dlon) * 1e6),
        math.ceil((lon + dlon) * 1e6),
    )


def cell_of(lat_e6: int, lon_e6: int, cell_e6: int = CELL_E6) -> tuple[int, int]:
    """Grid cell holding a point (cells of ``cell_e6`` micro-degrees a side)."""
    return lat_e6 // cell_e6, lon_e6 // cell_e6


def cells_in_box(
    box: tuple[int, int, int, int], cell_e6: int = CELL_E6
) -> Iterator[tuple[int, int]]:
    """Every grid cell that intersects a micro-degree bounding box (none for an inverted one)."""
    min_lat, max_lat, min_lon, max_lon = box
    if min_lat > max_lat or min_lon > max_lon:
        return
    for cy in range(min_lat // cell_e6, max_lat // cell_e6 + 1):
        for cx in range(min_lon // cell_e6, max_lon // cell_e6 + 1):
            yield cy, cx


def cell_count(box: tuple[int, int, int, int], cell_e6: int = CELL_E6) -> int:
    """How many cells ``cells_in_box`` yields for ``box``."""
    min_lat, max_lat, min_lon, max_lon = box
    if min_lat > max_lat or min_lon > max_lon:
        return 0
    rows = max_lat // cell_e6 - min_lat // cell_e6 + 1
    columns = max_lon // cell_e6 - min_lon // cell_e6 + 1
    return max(0, rows) * max(0, columns)
