"""``open_at``: shops open at a moment, by their OSM opening hours, at fixed clock times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from shop_fixtures import ARLON, HABAY, LIMOGES, build, ids, shop

from search_index import InvalidQueryError, SearchIndex, SearchQuery
from search_index import search as search_module

BRUSSELS = ZoneInfo("Europe/Brussels")
PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = "Mo-Sa 09:00-18:00; PH off"
# Shop id -> (opening hours, country).
HOURS = {
    1: (WEEKDAYS, "BE"),
    2: (WEEKDAYS, "FR"),
    3: ("Fr-Sa 18:00-02:00", "BE"),
    4: ("", "BE"),  # unknown hours: never "open now"
    5: ("24/7", "BE"),
    6: ("Mo-Fr 08:00-12:00", "FR"),  # no PH rule: holidays are ordinary days
    7: ("ceci n'est pas un horaire ((", "BE"),  # stale garbage: not open, never an error
    8: (WEEKDAYS, "BE"),
}
# Fleuristes share their hours, boulangeries have others: counts per distinct pair.
CATEGORY = {1: "fleuriste", 8: "fleuriste", 3: "fleuriste", 2: "boulangerie"}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    docs = [
        shop(
            id,
            f"Commerce {id}",
            CATEGORY.get(id, "librairie"),
            LIMOGES if country == "FR" else (ARLON if id % 2 else HABAY),
            "Limoges" if country == "FR" else "Arlon",
            "87000" if country == "FR" else "6700",
            "Horaires affichés.",
            country=country,
            opening_hours=hours,
        )
        for id, (hours, country) in HOURS.items()
    ]
    built = build(tmp_path_factory.mktemp("hours") / "index", docs)
    yield built
    built.close()


def open_at(index: SearchIndex, moment: datetime, **query: object) -> set[int]:
    results = index.search(SearchQuery(open_at=moment, per_page=100, **query))  # type: ignore[arg-type]
    return set(ids(results))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Wednesday 16 July 2025, 10:00 in Brussels (and Paris: same offset).
        (datetime(2025, 7, 16, 10, 0, tzinfo=BRUSSELS), {1, 2, 5, 6, 8}),
        # The same instant written in UTC.
        (datetime(2025, 7, 16, 8, 0, tzinfo=UTC), {1, 2, 5, 6, 8}),
        # Wednesday 19:00: only the all-hours shop.
        (datetime(2025, 7, 16, 19, 0, tzinfo=BRUSSELS), {5}),
        # Sunday 13 July 2025, 10:00.
        (datetime(2025, 7, 13, 10, 0, tzinfo=BRUSSELS), {5}),
        # Monday 21 July 2025, Belgium's national day: Belgian "PH off" shops close, the
        # French one with the same hours opens.
        (datetime(2025, 7, 21, 10, 0, tzinfo=BRUSSELS), {2, 5, 6}),
        # Monday 14 July 2025, France's: the French shop closes, the Belgian ones open.
        (datetime(2025, 7, 14, 10, 0, tzinfo=PARIS), {1, 5, 6, 8}),
        # Saturday 19 July 2025, 01:00: Friday evening's 18:00-02:00 is still going.
        (datetime(2025, 7, 19, 1, 0, tzinfo=BRUSSELS), {3, 5}),
        # Sunday 20 July 2025, 03:00: Saturday night has ended.
        (datetime(2025, 7, 20, 3, 0, tzinfo=BRUSSELS), {5}),
    ],
    ids=[
        "weekday",
        "weekday-utc",
        "weekday-evening",
        "sunday",
        "be-holiday",
        "fr-holiday",
        "after-midnight",
        "night-over",
    ],
)
def test_open_at_a_fixed_moment(index: SearchIndex, moment: datetime, expected: set[int]) -> None:
    assert open_at(index, moment) == expected


def test_open_at_combines_with_other_filters(index: SearchIndex) -> None:
    wednesday = datetime(2025, 7, 16, 10, 0, tzinfo=BRUSSELS)
    assert open_at(index, wednesday, category="fleuriste") == {1, 8}
    assert open_at(index, wednesday, town="Limoges") == {2, 6}
    assert index.search(SearchQuery(open_at=wednesday)).total == 5


def test_each_distinct_hours_are_evaluated_once_after_the_cheaper_filters(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, str]] = []
    real = search_module.opens_at

    def counting(expression: str, country: str, moment: datetime) -> bool:
        asked.append((expression, country))
        return real(expression, country, moment)

    monkeypatch.setattr(search_module, "opens_at", counting)
    wednesday = datetime(2025, 7, 16, 10, 0, tzinfo=BRUSSELS)
    assert open_at(index, wednesday, category="fleuriste") == {1, 8}
    # Three fleuristes, two distinct (hours, country) pairs; other categories never asked.
    assert sorted(asked) == sorted([(WEEKDAYS, "BE"), ("Fr-Sa 18:00-02:00", "BE")])
    asked.clear()
    open_at(index, wednesday)
    assert len(asked) == len(set(HOURS.values())) == 7


def test_a_naive_moment_names_open_at(index: SearchIndex) -> None:
    with pytest.raises(InvalidQueryError) as raised:
        index.search(SearchQuery(open_at=datetime(2025, 7, 16, 10, 0)))
    assert raised.value.field == "open_at"


def test_without_open_at_hours_filter_nothing(index: SearchIndex) -> None:
    assert index.search(SearchQuery()).total == len(HOURS)
