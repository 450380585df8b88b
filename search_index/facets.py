"""Facet counts over the full result set (after every filter, including the facet's own)."""

from __future__ import annotations

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
        "town": _ranked((towns[t], n) for t, n in by_town.items())[:MAX_TOWNS],
        "services": _ranked(service_counts),
    }


def _ranked(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
