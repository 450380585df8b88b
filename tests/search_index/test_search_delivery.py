"""``delivers_to``: shops whose own delivery radius covers a point, checked against brute force."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from geopy.distance import great_circle
from shop_fixtures import CATEGORY_NAMES, build, east_of, ids, shop

from search_index import GeoPoint, InvalidQueryError, SearchIndex, SearchQuery, ShopDocument
from search_index.geo import display_distance_km, haversine_km

CENTRE = GeoPoint(50.5, 4.5)
# Words only descriptions hold (no category, town or postcode contains them).
TAGS = ("miel", "tricot", "jazz", "kayak")
# The area random shops and points are drawn in: most of Wallonia and the north of France.
AREA = (48.5, 51.0, 2.5, 6.5)  # min_lat, max_lat, min_lon, max_lon
SHOPS = 400
POINTS = 60


def e6(value: float) -> float:
    """``value`` on the micro-degree grid the index stores, so exact tests compare like for like."""
    return round(value * 1_000_000) / 1_000_000


def place(point: GeoPoint, km: float, bearing: float) -> GeoPoint:
    """The micro-degree point ``km`` from ``point`` towards ``bearing``."""
    dest = great_circle(kilometers=km).destination((point.lat, point.lon), bearing=bearing)
    return GeoPoint(e6(dest.latitude), e6(dest.longitude))


def delivers(doc: ShopDocument, point: GeoPoint) -> bool:
    """The definition, on the same distance function and argument order as the library."""
    radius = doc.delivery_radius_km
    return bool(radius) and haversine_km(point.lat, point.lon, doc.lat, doc.lon) <= radius


# Hand-placed shops for the edge cases, around CENTRE.
AT_RADIUS = place(CENTRE, 40, 0)
EXACT_RADIUS = haversine_km(CENTRE.lat, CENTRE.lon, AT_RADIUS.lat, AT_RADIUS.lon)


def edge_shops() -> list[ShopDocument]:
    """Shops whose answer for CENTRE is known without computing."""
    delivery = frozenset({"delivery"})

    def at(id: int, point: GeoPoint, radius: float | None, **extra: object) -> ShopDocument:
        return shop(
            id,
            f"Maison {id}",
            "fromagerie",
            point,
            "Namur",
            "5000",
            "Comté affiné et beurre fermier.",
            services=delivery,
            delivery_radius_km=radius,
            **extra,  # type: ignore[arg-type]
        )

    return [
        at(1, east_of(CENTRE, 25), 30),  # 25 km away, delivers 30 km: yes
        at(2, east_of(CENTRE, 2), None),  # next door, no delivery zone: no
        at(3, AT_RADIUS, EXACT_RADIUS),  # exactly at its radius: yes
        at(4, AT_RADIUS, math.nextafter(EXACT_RADIUS, 0)),  # a hair short: no
        at(5, place(CENTRE, 450, 180), 500),  # the widest band: yes
        at(6, place(CENTRE, 550, 200), 600),  # beyond the widest band: yes
        at(7, east_of(CENTRE, 30), 29.5),  # just out of reach: no
        at(8, east_of(CENTRE, 3), 0),  # a zero radius is no zone: no
        at(9, east_of(CENTRE, 8), 10, country="FR"),  # yes
    ]


def random_shops(rng: random.Random, count: int, radii: list[tuple[float, float]]) -> list:
    """``count`` shops spread over AREA, a third without delivery, radii drawn from ``radii``."""
    min_lat, max_lat, min_lon, max_lon = AREA
    categories = sorted(CATEGORY_NAMES)
    docs = []
    for n in range(count):
        point = GeoPoint(e6(rng.uniform(min_lat, max_lat)), e6(rng.uniform(min_lon, max_lon)))
        radius = None if rng.random() < 0.33 else rng.uniform(*rng.choice(radii))
        if radius is not None and rng.random() < 0.3:
            radius = float(max(1, round(radius)))  # the app's whole kilometres
        services = frozenset(s for s in ("takeaway", "delivery", "eshop") if rng.random() < 0.4)
        docs.append(
            shop(
                1000 + n,
                f"Commerce {n}",
                rng.choice(categories),
                point,
                f"Ville {n % 37}",
                str(1000 + n % 37),
                " ".join(rng.sample(TAGS, rng.randint(0, 2))),
                services=services,
                delivery_radius_km=radius,
            )
        )
    return docs


MIXED_RADII = [(0.5, 5), (5, 20), (20, 80), (80, 250), (250, 500)]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchIndex, list]]:
    """Random shops with radii of every band, plus the edge cases."""
    docs = random_shops(random.Random(9), SHOPS, MIXED_RADII) + edge_shops()
    index = build(tmp_path_factory.mktemp("delivery") / "index", docs)
    yield index, docs
    index.close()


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchIndex, list]]:
    """Random shops that deliver only close by (5 km at most)."""
    docs = random_shops(random.Random(11), 500, [(1, 5)])
    index = build(tmp_path_factory.mktemp("local") / "index", docs)
    yield index, docs
    index.close()


def random_points(rng: random.Random, docs: list[ShopDocument], count: int) -> list[GeoPoint]:
    """Points anywhere in AREA, and points right next to shops (where answers are busiest)."""
    min_lat, max_lat, min_lon, max_lon = AREA
    points = []
    for i in range(count):
        if i % 2:
            near = rng.choice(docs)
            points.append(GeoPoint(near.lat + rng.uniform(-0.02, 0.02), near.lon))
        else:
            points.append(GeoPoint(rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)))
    return points


def found(index: SearchIndex, **query: object) -> set[int]:
    results = index.search(
        SearchQuery(per_page=1000, facets=False, highlights=False, **query)  # type: ignore[arg-type]
    )
    assert results.total == len(results.hits)
    return set(ids(results))


# Each combination: the query's extra fields for a point, and the same filter in plain Python.
COMBINATIONS = {
    "alone": (lambda p: {}, lambda d, p: True),
    "text": (lambda p: {"text": "miel"}, lambda d, p: "miel" in d.description.split()),
    "category": (lambda p: {"category": "librairie"}, lambda d, p: d.category_slug == "librairie"),
    "services": (
        lambda p: {"services": frozenset({"takeaway", "eshop"})},
        lambda d, p: {"takeaway", "eshop"} <= d.services,
    ),
    "near": (
        lambda p: {"near": GeoPoint(p.lat + 0.1, p.lon), "radius_km": 40},
        lambda d, p: haversine_km(p.lat + 0.1, p.lon, d.lat, d.lon) <= 40,
    ),
    "bbox": (
        lambda p: {"bbox": (p.lon - 0.5, p.lat - 0.3, p.lon + 0.5, p.lat + 0.3)},
        lambda d, p: p.lon - 0.5 <= d.lon <= p.lon + 0.5 and p.lat - 0.3 <= d.lat <= p.lat + 0.3,
    ),
    "text, category, services and near": (
        lambda p: {
            "text": "jazz",
            "category": "fleuriste",
            "services": frozenset({"delivery"}),
            "near": p,
            "radius_km": 120,
        },
        lambda d, p: (
            "jazz" in d.description.split()
            and d.category_slug == "fleuriste"
            and "delivery" in d.services
            and haversine_km(p.lat, p.lon, d.lat, d.lon) <= 120
        ),
    ),
}


@pytest.mark.parametrize("name", COMBINATIONS)
def test_delivers_to_equals_brute_force(mixed: tuple[SearchIndex, list], name: str) -> None:
    index, docs = mixed
    extra, keep = COMBINATIONS[name]
    rng = random.Random(name)
    nonempty = 0
    for point in [CENTRE, *random_points(rng, docs, POINTS)]:
        expected = {d.id for d in docs if delivers(d, point) and keep(d, point)}
        assert found(index, delivers_to=point, **extra(point)) == expected, point
        nonempty += bool(expected)
    assert nonempty >= POINTS // 4  # the comparison is not between empty sets


def test_the_edge_cases_around_the_centre(mixed: tuple[SearchIndex, list]) -> None:
    index, _docs = mixed
    edge = {1, 2, 3, 4, 5, 6, 7, 8, 9}
    assert found(index, delivers_to=CENTRE) & edge == {1, 3, 5, 6, 9}


def test_delivers_to_is_not_near(mixed: tuple[SearchIndex, list]) -> None:
    index, _docs = mixed
    edge = {1, 2, 3, 4, 5, 6, 7, 8, 9}
    assert found(index, near=CENTRE, radius_km=10) & edge == {2, 8, 9}
    # Both: within 10 km of the centre, and delivering there.
    assert found(index, near=CENTRE, radius_km=10, delivers_to=CENTRE) & edge == {9}


def test_hits_say_how_far_the_point_is(mixed: tuple[SearchIndex, list]) -> None:
    index, docs = mixed
    by_id = {d.id: d for d in docs}
    results = index.search(SearchQuery(text="comté", delivers_to=CENTRE, per_page=100))
    assert {hit.id for hit in results.hits} == {1, 3, 5, 6, 9}
    for hit in results.hits:
        doc = by_id[hit.id]
        assert hit.delivery_km == display_distance_km(CENTRE.lat, CENTRE.lon, doc.lat, doc.lon)
    assert next(h for h in results.hits if h.id == 1).delivery_km == pytest.approx(25, abs=0.01)
    plain = index.search(SearchQuery(text="comté"))
    assert {hit.delivery_km for hit in plain.hits} == {None}


def test_the_candidates_hold_every_answer_and_each_shop_once(
    mixed: tuple[SearchIndex, list],
) -> None:
    index, docs = mixed
    for point in random_points(random.Random(5), docs, POINTS):
        candidates = index.delivery_candidates(point)
        assert len(candidates) == len(set(candidates))
        assert {d.id for d in docs if delivers(d, point)} <= set(candidates)
        assert all(by.delivery_radius_km for by in docs if by.id in set(candidates))


def test_a_small_radius_examines_a_few_shops_not_all(local: tuple[SearchIndex, list]) -> None:
    index, docs = local
    delivering = sum(1 for d in docs if d.delivery_radius_km)
    counts = []
    for point in random_points(random.Random(3), docs, POINTS):
        candidates = index.delivery_candidates(point)
        assert {d.id for d in docs if delivers(d, point)} <= set(candidates)
        assert found(index, delivers_to=point) == {d.id for d in docs if delivers(d, point)}
        counts.append(len(candidates))
    assert max(counts) <= delivering // 20
    assert sum(counts) / len(counts) <= delivering / 100


def test_an_update_moves_the_shop_in_or_out_of_the_zones(tmp_path: Path) -> None:
    docs = edge_shops()
    index = build(tmp_path / "index", docs)
    assert 1 in found(index, delivers_to=CENTRE)
    index.add_or_update([replace(docs[0], delivery_radius_km=None, version="no more")])
    index.add_or_update([replace(docs[1], delivery_radius_km=5.0, version="now delivers")])
    assert found(index, delivers_to=CENTRE) == {2, 3, 5, 6, 9}
    index.delete([3])
    assert found(index, delivers_to=CENTRE) == {2, 5, 6, 9}
    index.close()


@pytest.mark.parametrize(
    "point", [GeoPoint(91, 0), GeoPoint(0, 181), GeoPoint(float("nan"), 0), GeoPoint(0, math.inf)]
)
def test_an_impossible_point_names_delivers_to(
    mixed: tuple[SearchIndex, list], point: GeoPoint
) -> None:
    with pytest.raises(InvalidQueryError) as raised:
        mixed[0].search(SearchQuery(delivers_to=point))
    assert raised.value.field == "delivers_to"
