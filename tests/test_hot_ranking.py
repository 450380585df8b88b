"""The documented *hot* formula."""

from datetime import datetime, timedelta

from directory.shops.ranking import HOT_WINDOW_SECONDS, hot_score

T0 = datetime(2026, 1, 1)


def test_more_votes_rank_higher_at_the_same_age():
    assert hot_score(5, T0) > hot_score(4, T0)


def test_newer_ranks_higher_with_the_same_votes():
    assert hot_score(3, T0 + timedelta(hours=1)) > hot_score(3, T0)


def test_ten_times_the_votes_are_worth_one_window_of_freshness():
    newer = T0 + timedelta(seconds=HOT_WINDOW_SECONDS)
    assert abs(hot_score(9, T0) - hot_score(0, newer)) < 1e-6


def test_an_old_popular_shop_is_overtaken_by_a_fresh_one():
    old = hot_score(50, T0)
    fresh = hot_score(2, T0 + timedelta(days=7))
    assert fresh > old
