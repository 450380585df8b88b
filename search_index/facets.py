"""Facet counts over the full result set (after every filter, including the facet's own)."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence

from .models import SERVICES

MAX_TOWNS = 20


def count_facets(
    docs: list[int],
    category_code: Sequence[int],
    categories: Sequence[str],
    town_code: Sequence[int],
    towns: Sequence[str],
    services: Sequence[int],
) -> dict[str, list[tuple[str, int]]]:
    """{"category": [(slug, n)], "town": [(town, n)], "services": [(service, n)]}, biggest first."""
    by_category = Counter(map(category_code.__getitem__, docs))
    by_town = Counter(map(town_code.__getitem__, docs))
    by_mask = Counter(map(services.__getitem__, docs))
    service_counts = []
    for bit, name in enumerate(SERVICES):
        count = sum(n for mask, n in by_mask.items() if mask >> bit & 1)
        if count:
            service_counts.append((name, count))
    return {
        "category": _ranked((categories[c], n) for c, n in by_category.items()),
        # A common word matches shops in thousands of towns: keep the first, sort only them.
        "town": heapq.nsmallest(
            MAX_TOWNS, ((towns[t], n) for t, n in by_town.items()), key=_rank_key
        ),
        "services": _ranked(service_counts),
    }


def _rank_key(pair: tuple[str, int]) -> tuple[int, str]:
    return -pair[1], pair[0]


def _ranked(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(pairs, key=_rank_key)
