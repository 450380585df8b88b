"""``make load``: the production stack under a mixed load, driven by Locust (headless).

Seeds a throwaway PostgreSQL database (``ba_load``) with ``--shops`` synthetic shops and
``--members`` members, builds the index, starts gunicorn, the indexer and Redis-backed rate
limits on loopback, then measures, in one run: a plain static file alone (the yardstick, a
quarter of the time), text searches alone (another quarter), then the mixed workload for
``--duration`` seconds. Afterwards it checks
the invariants (vote counts, the index, the outbox) and prints one JSON line, last:
``{"requests", "errors_5xx", "static_rps", "endpoints": {NAME: {"rps", "p50_ms", "p95_ms",
"p99_ms"}}, "invariants": {"votes_match", "index_clean", "outbox_empty"}}``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench.load.seed import PASSWORD, seed_members, seed_shops
from bench.load.stack import PROJECT, Stack, database_url, flush_redis, recreate_database
from bench.synthetic_shops import query_words
from search_index.query import parse_text

LOCUST = PROJECT / ".venv-load" / "bin" / "locust"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
STATIC_PATH = "/static/site.css"


def seed(stack: Stack, shops: int, members: int) -> None:
    """Schema, categories and gazetteer the app's way, then the volume in bulk, then the index."""
    from app import create_app

    recreate_database()
    flush_redis()
    stack.flask("seed", "--no-demo")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(), "SEARCH_SYNC": "worker"})
    with app.app_context():
        seed_shops(shops, PROJECT / "seed_data")
        seed_members(members)
    stack.flask("reindex")


def write_params(stack: Stack, members: int) -> Path:
    """What the Locust users ask for, drawn from the seeded database."""
    words, modifiers = query_words()
    shops = stack.sql("SELECT max(id) FROM shops")
    with psycopg.connect(database_url().replace("+psycopg", "")) as connection:
        categories = connection.execute("SELECT slug, id FROM categories").fetchall()
        points = connection.execute(
            "SELECT lat, lon FROM shops ORDER BY random() LIMIT 500"
        ).fetchall()
        towns = connection.execute(
            "SELECT postcode, name, country FROM places ORDER BY random() LIMIT 300"
        ).fetchall()
    params = {
        "shops": shops,
        "words": [w for w in words if parse_text(w).terms],
        "modifiers": [m for m in modifiers if parse_text(m).terms],
        "categories": [slug for slug, _id in categories],
        "category_ids": [category_id for _slug, category_id in categories],
        "points": [[round(lat, 5), round(lon, 5)] for lat, lon in points],
        "towns": [{"postcode": p, "name": n, "country": c} for p, n, c in towns],
        "members": members,
        "member_email": "member{}@load.test",
        "password": PASSWORD,
        "static_path": STATIC_PATH,
    }
    path = stack.workdir / "params.json"
    path.write_text(json.dumps(params), encoding="utf-8")
    return path


def locust(stack: Stack, params: Path, phase: str, classes: list[str], users: int, seconds: int):
    """Run one headless Locust phase; return (rows of its stats CSV by name, 5xx count)."""
    errors = stack.workdir / f"{phase}.errors"
    command = [
        str(LOCUST),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 2)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        stack.url,
        "--csv",
        str(stack.workdir / phase),
        "--loglevel",
        "WARNING",
        *classes,
    ]
    env = {**os.environ, "LOAD_PARAMS": str(params), "LOAD_ERRORS_FILE": str(errors)}
    with open(stack.workdir / f"locust-{phase}.log", "wb") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    with open(stack.workdir / f"{phase}_stats.csv", encoding="utf-8", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    return rows, int(errors.read_text() or 0) if errors.exists() else 0


def figures(row: dict) -> dict:
    """One endpoint's figures from Locust's stats CSV."""
    return {
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("DURATION", 60)))
    parser.add_argument("--shops", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=24, help="concurrent Locust users")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args(argv)
    if not LOCUST.exists():
        sys.exit(f"{LOCUST} is missing: run `make load` (it installs requirements-load.txt)")

    workdir = Path(tempfile.mkdtemp(prefix="ba-load-"))
    stack = Stack(workdir, port=args.port, workers=args.workers)
    try:
        started = time.monotonic()
        seed(stack, args.shops, args.members)
        print(
            f"seeded {args.shops} shops, {args.members} members and the index "
            f"in {time.monotonic() - started:.0f}s",
            flush=True,
        )
        params = write_params(stack, args.members)
        stack.start_web()
        stack.start_indexer()
        static_s = max(5, args.duration // 4)
        static, static_errors = locust(stack, params, "static", ["Static"], args.users, static_s)
        alone, alone_errors = locust(stack, params, "search", ["Searcher"], args.users, static_s)
        mixed, mixed_errors = locust(
            stack, params, "mixed", ["Browser", "Member"], args.users, args.duration
        )
        invariants = stack.invariants()
    finally:
        stack.close(keep=args.keep)

    total = mixed.pop("Aggregated")
    endpoints = {name: figures(row) for name, row in sorted(mixed.items())}
    for name, row in sorted(mixed.items()):
        print(f"{name:14} {figures(row)}  failures {row['Failure Count']}")
    static_rps = figures(static["static"])["rps"]
    search_alone = figures(alone["search"])
    print(f"{'search alone':14} {search_alone}")
    result = {
        "requests": int(total["Request Count"]),
        "errors_5xx": static_errors + alone_errors + mixed_errors,
        "failures": int(total["Failure Count"]),
        "static_rps": static_rps,
        # Text searches alone, and their rps as a share of the static file's (goal: 0.25).
        "search_alone": search_alone,
        "search_alone_to_static": round(search_alone["rps"] / static_rps, 3) if static_rps else 0,
        "endpoints": endpoints,
        "invariants": invariants,
    }
    print(json.dumps(result))
    return 0 if result["errors_5xx"] == 0 and all(invariants.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
