"""Benchmark the Whoosh-based search library against SQLite FTS5 on synthetic shops.

    .venv/bin/python bench/search_benchmark.py --shops 20000

Prints a table and, as the last line, one JSON object with build times and p50/p95
latencies per query type for both engines.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the project root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sqlite_baseline import SqliteBaseline
from bench.synthetic_shops import Town, generate, load_towns, query_words
from search_index import GeoPoint, SearchIndex, SearchQuery
from search_index import snapshot as snapshot_module
from search_index.analysis import clear_caches

QUERY_TYPES = ("text", "text_category", "text_radius", "radius", "votes", "facets")
PROJECT = Path(__file__).resolve().parent.parent


def make_queries(
    kind: str, count: int, rng: random.Random, shops: list, towns: list[Town]
) -> list[SearchQuery]:
    """A seeded list of queries of one type."""
    main, modifiers = query_words()
    categories = sorted({s.category_slug for s in shops})
    # Radius centres are towns where shops actually are (weighted like the shops).
    centres = [(s.lat, s.lon) for s in rng.sample(shops, min(len(shops), 500))]
    queries = []
    for _ in range(count):
        text = rng.choice(main)
        if rng.random() < 0.4:
            text += " " + rng.choice(modifiers)
        if kind == "text":
            queries.append(SearchQuery(text=text, facets=False))
        elif kind == "text_category":
            queries.append(
                SearchQuery(
                    text=rng.choice(modifiers + main), category=rng.choice(categories), facets=False
                )
            )
        elif kind == "text_radius":
            lat, lon = rng.choice(centres)
            queries.append(
                SearchQuery(
                    text=text, near=GeoPoint(lat, lon), radius_km=10, sort="distance", facets=False
                )
            )
        elif kind == "radius":
            lat, lon = rng.choice(centres)
            queries.append(
                SearchQuery(near=GeoPoint(lat, lon), radius_km=10, sort="distance", facets=False)
            )
        elif kind == "votes":
            queries.append(SearchQuery(text=text, sort="votes", facets=False))
        elif kind == "facets":
            queries.append(SearchQuery(text=text, facets=True))
    return queries


def timed(run: Callable[[SearchQuery], object], queries: list[SearchQuery]) -> list[float]:
    """Milliseconds per query."""
    out = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        out.append((time.perf_counter() - start) * 1000)
    return out


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index], 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200, help="timed queries per type")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--procs", type=int, default=2, help="Whoosh indexing processes")
    parser.add_argument(
        "--term-cache-postings",
        type=int,
        default=None,
        help="size of the library's decoded-postings cache (0 = keep only the last term)",
    )
    parser.add_argument("--gazetteer", type=Path, default=PROJECT / "seed_data")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary directory")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)

    if args.term_cache_postings is not None:
        snapshot_module.TERM_CACHE_POSTINGS = args.term_cache_postings
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> int:
    towns = load_towns(args.gazetteer)
    start = time.perf_counter()
    shops = generate(args.shops, towns, seed=args.seed)
    print(f"generated {len(shops)} shops in {time.perf_counter() - start:.1f}s", flush=True)

    clear_caches()
    gc.collect()
    start = time.perf_counter()
    index = SearchIndex.rebuild(workdir / "whoosh", shops, procs=args.procs)
    build_s = time.perf_counter() - start
    print(f"whoosh build: {build_s:.1f}s", flush=True)

    clear_caches()
    gc.collect()
    start = time.perf_counter()
    baseline = SqliteBaseline(workdir / "baseline.sqlite")
    baseline.build(shops)
    baseline_build_s = time.perf_counter() - start
    print(f"sqlite fts5 build: {baseline_build_s:.1f}s", flush=True)

    count = args.queries if args.shops >= 10_000 else max(20, args.queries // 4)
    rng = random.Random(args.seed + 1)
    results: dict[str, dict[str, float]] = {}
    mismatches = fallbacks = 0
    for kind in QUERY_TYPES:
        warmup = make_queries(kind, 20, rng, shops, towns)
        queries = make_queries(kind, count, rng, shops, towns)
        timed(index.search, warmup)
        timed(baseline.search, warmup)
        for query in queries[:25]:
            answer, theirs = index.search(query), baseline.search(query)[0]
            ours = answer.total
            if answer.ignored or answer.suggestion:
                # The library's fallback (words left out, or corrected) has no FTS5 twin: the
                # baseline's all-words answer is 0 by construction.
                fallbacks += 1
                if theirs != 0:
                    mismatches += 1
                    print(f"  fallback mismatch {kind} {query}: sqlite found {theirs}")
            elif ours != theirs:
                mismatches += 1
                print(f"  total mismatch {kind} {query}: whoosh {ours} sqlite {theirs}")
        whoosh_ms = timed(index.search, queries)
        sqlite_ms = timed(baseline.search, queries)
        results[kind] = {
            "p50_ms": percentile(whoosh_ms, 50),
            "p95_ms": percentile(whoosh_ms, 95),
            "baseline_p50_ms": percentile(sqlite_ms, 50),
            "baseline_p95_ms": percentile(sqlite_ms, 95),
        }
    index.close()
    baseline.close()

    print()
    print(
        f"{len(shops)} shops, {count} queries per type; totals checked on 25 per type: "
        f"{'all equal' if not mismatches else f'{mismatches} MISMATCHES'}"
        f" ({fallbacks} answered by the words-left-out fallback, which FTS5 does not have)"
    )
    columns = ("p50 ms", "p95 ms", "fts p50", "fts p95")
    header = f"{'query':<14}" + "".join(f"{c:>9}" for c in columns) + f"{'p50 x':>7}{'p95 x':>7}"
    print(header)
    print("-" * len(header))
    for kind, r in results.items():
        print(
            f"{kind:<14}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}{r['baseline_p50_ms']:>9.2f}"
            f"{r['baseline_p95_ms']:>9.2f}{r['p50_ms'] / r['baseline_p50_ms']:>7.2f}"
            f"{r['p95_ms'] / r['baseline_p95_ms']:>7.2f}"
        )
    print(
        f"{'build s':<14}{build_s:>9.1f}{'':>9}{baseline_build_s:>9.1f}{'':>9}"
        f"{build_s / baseline_build_s:>7.2f}"
    )
    print(
        json.dumps(
            {
                "shops": len(shops),
                "build_s": round(build_s, 2),
                "baseline_build_s": round(baseline_build_s, 2),
                "queries": results,
            }
        )
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
