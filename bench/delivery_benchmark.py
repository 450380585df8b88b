"""Benchmark "delivers to me" (``SearchQuery.delivers_to``) against a brute-force scan.

    .venv/bin/python bench/delivery_benchmark.py                 # 20,000 and 100,000 shops
    .venv/bin/python bench/delivery_benchmark.py --shops 5000    # a quick run

For each size (those of ``search_benchmark.py``: its default 20,000 and ``make bench``'s
100,000), it generates the synthetic directory (shops with the delivery service get a radius of
3 to 500 km, most of them local), builds the index, then times the same seeded points twice in
the same run: the indexed query, and a scan of every shop computing the same distance. It counts
the candidates the delivery-zone prefilter hands to the exact test (``delivery_candidates``)
against the number of shops, checks both answers agree on every point, and prints a table, then
one JSON object as its last line.
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
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the project root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_benchmark import PROJECT, percentile, timed
from bench.synthetic_shops import generate, load_towns
from search_index import GeoPoint, SearchIndex, SearchQuery, ShopDocument
from search_index.geo import haversine_km

DEFAULT_SIZES = (20_000, 100_000)
# The text of the combined case: a common word, so text alone does not drive the search.
COMBINED_TEXT = "produits"


def points(rng: random.Random, shops: list[ShopDocument], count: int) -> list[GeoPoint]:
    """Where customers are: near shops (weighted like them), up to ~5 km off."""
    chosen = rng.sample(shops, min(count, len(shops)))
    return [
        GeoPoint(s.lat + rng.uniform(-0.05, 0.05), s.lon + rng.uniform(-0.07, 0.07)) for s in chosen
    ]


def brute_force(shops: list[ShopDocument], point: GeoPoint) -> set[int]:
    """Every shop whose radius covers ``point``, by looking at each one."""
    lat, lon = point.lat, point.lon
    return {
        s.id
        for s in shops
        if s.delivery_radius_km and haversine_km(lat, lon, s.lat, s.lon) <= s.delivery_radius_km
    }


def run_size(size: int, args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    """Build one directory of ``size`` shops and measure it."""
    towns = load_towns(args.gazetteer)
    shops = generate(size, towns, seed=args.seed)
    delivering = sum(1 for s in shops if s.delivery_radius_km)
    gc.collect()
    start = time.perf_counter()
    index = SearchIndex.rebuild(workdir / f"whoosh-{size}", shops, procs=args.procs)
    print(f"{size} shops: built in {time.perf_counter() - start:.1f}s", flush=True)

    rng = random.Random(args.seed + size)
    where = points(rng, shops, args.queries)
    queries = [SearchQuery(delivers_to=p, facets=False, highlights=False) for p in where]
    combined = [
        SearchQuery(text=COMBINED_TEXT, delivers_to=p, sort="votes", facets=False) for p in where
    ]
    timed(index.search, queries[:20])  # warm the snapshot and its delivery zones

    mismatches = 0
    answers, candidates = [], []
    for point, query in zip(where, queries, strict=True):
        expected = brute_force(shops, point)
        total = index.search(query).total
        mismatches += total != len(expected)
        examined = index.delivery_candidates(point)
        mismatches += not expected <= set(examined)
        answers.append(len(expected))
        candidates.append(len(examined))

    indexed_ms = timed(index.search, queries)
    combined_ms = timed(index.search, combined)
    brute_ms = timed(lambda q: brute_force(shops, q.delivers_to), queries)  # type: ignore[arg-type]
    index.close()
    return {
        "shops": size,
        "delivering": delivering,
        "p50_ms": round(statistics.median(indexed_ms), 3),
        "p95_ms": percentile(indexed_ms, 95),
        "text_p50_ms": round(statistics.median(combined_ms), 3),
        "brute_p50_ms": round(statistics.median(brute_ms), 3),
        "speedup": round(statistics.median(brute_ms) / statistics.median(indexed_ms), 1),
        "candidates_p50": statistics.median(candidates),
        "candidates_max": max(candidates),
        "answers_p50": statistics.median(answers),
        "mismatches": mismatches,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--queries", type=int, default=200, help="timed points per size")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--procs", type=int, default=2, help="Whoosh indexing processes")
    parser.add_argument("--gazetteer", type=Path, default=PROJECT / "seed_data")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary directory")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="delivery-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rows = [run_size(size, args, workdir) for size in args.shops]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(f"delivers_to, {args.queries} points per size; medians unless said otherwise")
    header = (
        f"{'shops':>8}{'deliver':>9}{'ms':>8}{'p95 ms':>8}{'+text ms':>10}{'scan ms':>9}"
        f"{'scan/ms':>9}{'cand':>7}{'max':>7}{'cand/shops':>12}{'found':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['shops']:>8}{r['delivering']:>9}{r['p50_ms']:>8.2f}{r['p95_ms']:>8.2f}"
            f"{r['text_p50_ms']:>10.2f}{r['brute_p50_ms']:>9.2f}{r['speedup']:>8.1f}x"
            f"{r['candidates_p50']:>7.0f}{r['candidates_max']:>7}"
            f"{r['candidates_p50'] / r['shops']:>11.2%} {r['answers_p50']:>6.0f}"
        )
    mismatches = sum(r["mismatches"] for r in rows)
    print(
        "answers checked against the scan on every point:",
        "all equal" if not mismatches else f"{mismatches} MISMATCHES",
    )
    print(json.dumps({"delivers_to": rows}))
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
