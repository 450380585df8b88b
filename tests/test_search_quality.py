"""The search-quality set (bench/quality/queries.csv) over the seeded demo, and its metrics.

The whole set runs against ``demo_module_app`` (the demo ``flask seed`` loads, indexed once per
module) and must reach the thresholds of ``bench/search_quality.py``: ``make quality`` prints
the figures per kind and language.
"""

from collections import Counter

import pytest

from bench.search_quality import (
    DEFAULT_QUERIES,
    KINDS,
    LANGS,
    THRESHOLDS,
    K,
    QueryRow,
    QuerySetError,
    evaluate,
    read_queries,
    recall_at_k,
    reciprocal_rank,
    resolve_expected,
)

MIN_ROWS = 200
MIN_ROWS_PER_LANG = 40


@pytest.fixture(scope="module")
def rows() -> list[QueryRow]:
    return read_queries(DEFAULT_QUERIES)


@pytest.fixture(scope="module")
def report(demo_module_app, rows):
    return evaluate(demo_module_app.test_client(), rows)


def test_recall_counts_relevant_shops_in_the_first_k():
    assert recall_at_k([1, 2, 3], {1, 3}) == 1.0
    assert recall_at_k([1, 2, 3], {3, 4}) == 0.5
    assert recall_at_k([5, 6], {1, 2}) == 0.0
    assert recall_at_k([], {1}) == 0.0
    # Past the k-th place nothing counts.
    assert recall_at_k([9, 9, 1], {1}, k=2) == 0.0


def test_recall_is_over_at_most_k_relevant_shops():
    relevant = set(range(100, 120))  # 20 relevant shops, a page of 10
    assert recall_at_k(list(range(100, 110)), relevant) == 1.0
    assert recall_at_k([*range(100, 105), *range(5)], relevant) == 0.5
    assert recall_at_k([1, 100, 2, 101], {100, 101, 102}, k=2) == pytest.approx(1 / 2)


def test_reciprocal_rank_is_one_over_the_first_relevant_place():
    assert reciprocal_rank([7, 8, 9], {7}) == 1.0
    assert reciprocal_rank([7, 8, 9], {9, 8}) == pytest.approx(1 / 2)
    assert reciprocal_rank([7, 8, 9], {1}) == 0.0
    assert reciprocal_rank([*range(K), 42], {42}) == 0.0  # the 11th place is off the page
    assert reciprocal_rank([0, 1, 2, 3], {3}, k=4) == pytest.approx(1 / 4)


def test_the_set_covers_every_kind_and_language(rows):
    assert len(rows) >= MIN_ROWS
    assert set(Counter(r.kind for r in rows)) == set(KINDS)
    langs = Counter(r.lang for r in rows)
    assert set(langs) == set(LANGS)
    assert langs["nl"] >= MIN_ROWS_PER_LANG and langs["en"] >= MIN_ROWS_PER_LANG
    assert len({(r.query, r.params) for r in rows}) == len(rows), "a query is listed twice"


def test_an_expected_shop_that_is_not_listed_is_an_error_of_the_set(demo_module_app):
    client = demo_module_app.test_client()
    typo = QueryRow("pain", "", ("Wiltgen", "Wiltgenn"), "product", "fr", line=7)
    with pytest.raises(QuerySetError, match=r"line 7.*'Wiltgenn'"):
        evaluate(client, [typo])
    ambiguous = QueryRow("aldi", "", ("Aldi",), "name", "fr", line=8)
    with pytest.raises(QuerySetError, match=r"several shops.*Arlon, Habay-La-Neuve"):
        evaluate(client, [ambiguous])
    wrong_town = QueryRow("aldi", "", ("Aldi@Tintigny",), "name", "fr", line=9)
    with pytest.raises(QuerySetError, match="no shop 'Aldi' in 'Tintigny'"):
        evaluate(client, [wrong_town])


def test_name_at_town_picks_one_of_the_shops_sharing_a_name():
    shops = [(1, "Aldi", "Arlon"), (2, "Aldi", "Habay-La-Neuve"), (3, "Lidl", "Arlon")]
    row = QueryRow("aldi", "", ("Aldi@habay-la-neuve", "Lidl"), "name", "fr")
    assert resolve_expected([row], shops) == [frozenset({2, 3})]


def test_a_refused_query_is_a_miss_with_its_error(demo_module_app):
    # A radius without a place is refused (400): scored as a miss, the error kept for the table.
    row = QueryRow("pain", "radius_km=5", ("Wiltgen",), "filter", "fr")
    [result] = evaluate(demo_module_app.test_client(), [row]).results
    assert result.recall == 0.0 and result.reciprocal_rank == 0.0
    assert result.error is not None and "radius_km" in result.error


def test_the_demo_search_reaches_the_quality_thresholds(report, rows):
    assert len(report.results) == len(rows)
    assert not report.server_errors, [(r.row.label, r.error) for r in report.server_errors]
    summary = report.as_dict()
    assert summary["recall_at_10"] >= THRESHOLDS["recall_at_10"], summary
    assert summary["mrr"] >= THRESHOLDS["mrr"], summary
    # Every kind and language is measured, not just the overall means.
    assert all(score["queries"] > 0 for score in summary["by_kind"].values())
    assert all(score["queries"] > 0 for score in summary["by_lang"].values())
