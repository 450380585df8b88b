"""Benchmark the Whoosh-based search library against SQLite FTS5 on synthetic shops.

    .venv/bin/python bench/search_benchmark.py --shops 20000

Prints a table and, as the last line, one JSON object with build times and p50/p95
latencies per query type for both engines, the cost of reopening the index after a commit
(``reopen``), the memory of a worker process holding the index after its queries (``rss_mb``,
``private_mb``), and freshness under writes (``writes``, see ``write_load.py``). With
``--with-delivery`` (``make bench``) it also runs ``delivery_benchmark.py``'s sizes and adds its
``delivers_to`` rows.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):
    # Run as a script: make the project root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sqlite_baseline import SqliteBaseline
from bench.synthetic_shops import Town, generate, load_towns, query_words
from bench.write_load import READERS, SHOPS_PER_S, VOTES_PER_S, measure_writes
from search_index import GeoPoint, SearchIndex, SearchQuery
from search_index import snapshot as snapshot_module
from search_index.analysis import clear_caches
from search_index.query import parse_text

QUERY_TYPES = (
    "text",
    "text_category",
    "text_radius",
    "radius",
    "votes",
    "facets",
    "delivers_to",
    "open_now",
)
# "Open now" moments: a week of opening hours, from Monday morning to Sunday evening.
OPEN_WEEK = datetime(2026, 12, 7, tzinfo=ZoneInfo("Europe/Brussels"))
PROJECT = Path(__file__).resolve().parent.parent


def make_queries(
    kind: str, count: int, rng: random.Random, shops: list, towns: list[Town]
) -> list[SearchQuery]:
    """A seeded list of queries of one type."""
    words, modifiers = query_words()
    # Every query must keep a term ("thé" folds to the stop word "the"): FTS5 needs one.
    main = [w for w in words if parse_text(w).terms]
    alone = [w for w in modifiers if parse_text(w).terms] + main
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
                SearchQuery(text=rng.choice(alone), category=rng.choice(categories), facets=False)
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
        elif kind == "delivers_to":
            # Customers a few km from where shops are ("who delivers to me").
            lat, lon = rng.choice(centres)
            point = GeoPoint(lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.07, 0.07))
            queries.append(SearchQuery(text=text, delivers_to=point, facets=False))
        elif kind == "open_now":
            moment = OPEN_WEEK + timedelta(days=rng.randrange(7), minutes=rng.randrange(7, 21 * 60))
            queries.append(SearchQuery(text=text, open_at=moment, facets=False))
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


def measure_reopen(
    index: SearchIndex, shops: list, reopens: int, rng: random.Random
) -> dict[str, float]:
    """Open cost, then the first and next search after each of ``reopens`` one-shop commits.

    A vote is such a commit: the first search after it builds the new snapshot.
    """
    probe = SearchQuery(text="boulangerie", facets=True)
    start = time.perf_counter()
    index.search(probe)
    open_s = time.perf_counter() - start
    first, after = [], []
    for round_ in range(reopens):
        shop = rng.choice(shops)
        index.add_or_update([replace(shop, votes=shop.votes + 1, version=f"reopen-{round_}")])
        first.extend(timed(index.search, [probe]))
        after.extend(timed(index.search, [probe]))
    return {
        "open_s": round(open_s, 2),
        "first_search_p50_ms": round(statistics.median(first), 1),
        "first_search_max_ms": round(max(first), 1),
        "next_search_p50_ms": round(statistics.median(after), 1),
    }


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
    parser.add_argument("--idle-s", type=float, default=20.0, help="workers' idle phase")
    parser.add_argument("--writes-s", type=float, default=30.0, help="workers under writes")
    parser.add_argument("--reopens", type=int, default=10, help="one-shop commits timed")
    parser.add_argument(
        "--with-delivery", action="store_true", help="also run delivery_benchmark.py's sizes"
    )
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
    size = len(shops)
    print(f"generated {size} shops in {time.perf_counter() - start:.1f}s", flush=True)

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

    with SearchIndex(index.path) as fresh:
        reopen = measure_reopen(fresh, shops, args.reopens, rng=random.Random(args.seed + 2))
    print(
        f"open {reopen['open_s']:.2f}s; after a one-shop commit the first search took "
        f"{reopen['first_search_p50_ms']:.1f} ms (p50, max {reopen['first_search_max_ms']:.1f}), "
        f"the next {reopen['next_search_p50_ms']:.1f} ms",
        flush=True,
    )

    count = args.queries if args.shops >= 10_000 else max(20, args.queries // 4)
    rng = random.Random(args.seed + 1)
    results: dict[str, dict[str, float]] = {}
    mix: list[SearchQuery] = []
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
        mix.extend(queries)
        whoosh_ms = timed(index.search, queries)
        sqlite_ms = timed(baseline.search, queries)
        results[kind] = {
            "p50_ms": percentile(whoosh_ms, 50),
            "p95_ms": percentile(whoosh_ms, 95),
            "baseline_p50_ms": percentile(sqlite_ms, 50),
            "baseline_p95_ms": percentile(sqlite_ms, 95),
        }
    baseline.close()
    rng.shuffle(mix)
    writes = measure_writes(
        index,
        shops,
        mix,
        idle_s=args.idle_s,
        writes_s=args.writes_s,
        seed=args.seed + 3,
        percentile=percentile,
    )
    index.close()
    delivery = []
    if args.with_delivery:
        del shops, mix
        gc.collect()
        from bench.delivery_benchmark import DEFAULT_SIZES, run_size  # it imports this module

        delivery = [run_size(size, args, workdir) for size in DEFAULT_SIZES]

    print()
    print(
        f"{size} shops, {count} queries per type; totals checked on 25 per type: "
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
        f"workers ({READERS}): {writes.rss_mb:.0f} MB resident, {writes.private_mb:.0f} MB private "
        f"each; under {VOTES_PER_S} votes + {SHOPS_PER_S} shop a second ({writes.commits} "
        f"commits, p50 {writes.commit_p50_ms:.0f} ms) a change was visible to every worker in "
        f"{writes.visible_p50_ms:.0f} ms p50, {writes.visible_p95_ms:.0f} ms p95 "
        f"({writes.changes} changes); search p95 {writes.search_p95_idle_ms:.1f} ms idle, "
        f"{writes.search_p95_under_writes_ms:.1f} ms under writes"
    )
    summary: dict[str, object] = {
        "shops": size,
        "build_s": round(build_s, 2),
        "baseline_build_s": round(baseline_build_s, 2),
        "queries": results,
        "reopen": reopen,
        "rss_mb": writes.rss_mb,
        "private_mb": writes.private_mb,
        "writes": {
            "visible_p95_ms": writes.visible_p95_ms,
            "search_p95_idle_ms": writes.search_p95_idle_ms,
            "search_p95_under_writes_ms": writes.search_p95_under_writes_ms,
            "visible_p50_ms": writes.visible_p50_ms,
            "changes": writes.changes,
            "commits": writes.commits,
            "commit_p50_ms": writes.commit_p50_ms,
        },
    }
    if delivery:
        summary["delivers_to"] = delivery
    print(json.dumps(summary))
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
