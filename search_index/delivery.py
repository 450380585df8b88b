"""Delivery zones: the shops whose own delivery radius covers a point, without a full scan.

A shop delivers to a point when their great-circle distance is at most the shop's radius. Each
shop brings a circle of its own size, so the ``near`` grid (cells around the point, one radius
for all) cannot bound the search: a shop 300 km away may deliver, its neighbour may not.

Delivering shops are split into bands by radius (up to 5, 10, 20, 40, 80, 160, 320 and 500 km,
and one band for anything larger), each with its own grid of cells half its limit wide. Only a
shop within its band's largest radius (its *reach*) of the point can deliver there, so a query
reads the cells of each band's bounding box of that reach around the point: about 5 × 7 cells
per band at Belgian latitudes, whatever the number of shops. Each candidate is then tested
exactly with ``geo.haversine_km``, the distance ``near`` filters with. Limits double from band
to band, so a candidate's radius is at least half its band's reach: false candidates stay a
small multiple of the true answer. Built once per segment, on first use (``segments.py``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .geo import KM_PER_DEGREE_LAT, bounding_box_e6, cell_count, cell_of, cells_in_box, haversine_km
from .models import GeoPoint

BAND_LIMITS_KM: tuple[float, ...] = (5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 500.0)


@dataclass(frozen=True)
class _Band:
    """Delivering shops of one radius band, bucketed by position."""

    reach_km: float
    cell_e6: int
    cells: dict[tuple[int, int], list[int]]


class DeliveryZones:
    """The delivering shops of some columns, ready for "who delivers to this point?"."""

    def __init__(
        self,
        lat_e6: Sequence[int],
        lon_e6: Sequence[int],
        radius_km: Sequence[float],
        live: Sequence[int] | None = None,
    ) -> None:
        """Index every document with a positive ``radius_km`` (0.0: no delivery).

        With ``live``, only the documents it marks (non-zero) count.
        """
        self._lat_e6 = lat_e6
        self._lon_e6 = lon_e6
        self._radius_km = radius_km
        by_band: dict[int, list[int]] = defaultdict(list)
        for docnum, radius in enumerate(radius_km):
            if radius > 0 and (live is None or live[docnum]):
                by_band[bisect_left(BAND_LIMITS_KM, radius)].append(docnum)
        self._bands = [self._band(band, docs) for band, docs in sorted(by_band.items())]
        self.size = sum(map(len, by_band.values()))

    def _band(self, band: int, docs: list[int]) -> _Band:
        reach = max(self._radius_km[d] for d in docs)
        limit = BAND_LIMITS_KM[band] if band < len(BAND_LIMITS_KM) else reach
        cell_e6 = max(1, round(limit / 2 / KM_PER_DEGREE_LAT * 1e6))
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for d in docs:
            cells[cell_of(self._lat_e6[d], self._lon_e6[d], cell_e6)].append(d)
        return _Band(reach, cell_e6, dict(cells))

    def candidates(self, point: GeoPoint) -> list[int]:
        """Docnums of the delivering shops near enough to ``point`` to be tested exactly."""
        found: list[int] = []
        for band in self._bands:
            box = bounding_box_e6(point.lat, point.lon, band.reach_km)
            size = band.cell_e6
            if cell_count(box, size) > len(band.cells):
                # A box wider than the band's occupied cells: walk those instead.
                low, high = cell_of(box[0], box[2], size), cell_of(box[1], box[3], size)
                for (cy, cx), docs in band.cells.items():
                    if low[0] <= cy <= high[0] and low[1] <= cx <= high[1]:
                        found.extend(docs)
                continue
            cells = band.cells
            for cell in cells_in_box(box, size):
                inside = cells.get(cell)
                if inside:
                    found.extend(inside)
        return found

    def covering(self, point: GeoPoint, docs: Iterable[int]) -> list[int]:
        """Those of ``docs`` whose delivery zone holds ``point`` (the exact test)."""
        return covering(point, docs, self._radius_km, self._lat_e6, self._lon_e6)


def covering(
    point: GeoPoint,
    docs: Iterable[int],
    radius: Sequence[float],
    lats: Sequence[int],
    lons: Sequence[int],
) -> list[int]:
    """Those of ``docs`` whose delivery zone (``radius`` km around their point) holds ``point``."""
    lat, lon = point.lat, point.lon
    return [
        d
        for d in docs
        if radius[d] > 0 and haversine_km(lat, lon, lats[d] / 1e6, lons[d] / 1e6) <= radius[d]
    ]
