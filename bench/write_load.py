"""Freshness under writes: how soon a change reaches every worker's search, and what it costs.

Used by ``search_benchmark.py`` (``make bench``). Worker processes (``READERS``, like gunicorn's)
each open the index and run the benchmark's query mix in a loop, first with no writes (the idle
figure), then while this process plays the indexer: changes arrive at ``VOTES_PER_S`` votes and
``SHOPS_PER_S`` new shops a second, and every ``INDEXER_INTERVAL_S`` (the search indexer's own
poll interval) the pending ones are applied in one commit, as ``drain`` does.

A change is visible once every worker's search finds it. Each new shop carries a word of its
own; a vote re-indexes its shop with one more vote, and every ``PROBE_EVERY``-th vote goes to a
probe shop whose name word changes with it. Commits reach a worker in order, so when a worker
finds change *k*, it also holds every change before it: a probe thread in each worker searches
the newest pending word first, so a word replaced by a later vote still counts.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from directory.search.bridge import INDEXER_INTERVAL_S
from search_index import SearchIndex, SearchQuery, ShopDocument

READERS = 2
VOTES_PER_S = 10
SHOPS_PER_S = 1
PROBE_EVERY = 5  # votes: one in five goes to the probe shop (2 a second)
PROBE_POLL_S = 0.05
MAX_CHANGES = 20_000
IDLE = 0
WRITES = 1
STOP = 2


@dataclass
class WriteFigures:
    """What one freshness run measured (milliseconds)."""

    visible_p95_ms: float
    visible_p50_ms: float
    search_p95_idle_ms: float
    search_p95_under_writes_ms: float
    changes: int
    commits: int
    commit_p50_ms: float
    rss_mb: float
    private_mb: float


def memory_mb() -> tuple[float, float]:
    """This process's resident and private memory (MB), from ``/proc/self/smaps_rollup``.

    Private pages are what each further worker adds; shared ones (memory-mapped files, pages
    inherited from a parent) are counted once however many workers map them.
    """
    fields: dict[str, int] = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])  # kB
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return round(fields["Rss"] / 1024, 1), round(private / 1024, 1)


def word(seq: int) -> str:
    """The word of change ``seq``: one token, found nowhere else, not stemmed."""
    return f"zqsonde{seq:05d}"


def _probe(index: SearchIndex, seq: int, shop_id: int) -> bool:
    results = index.search(SearchQuery(text=word(seq), facets=False, highlights=False))
    return (
        not results.suggestion
        and not results.ignored
        and results.total == 1
        and (results.hits[0].id == shop_id)
    )


def _watch(index: SearchIndex, shared: dict[str, Any], slot: int) -> None:
    """Record when this worker first finds each change (see the module docstring).

    About two probes a poll in both phases (idle: a word never indexed), so the probes weigh the
    same on the idle and the under-writes figures.
    """
    seen = 0  # changes below this are known visible here
    shop_of, found = shared["shop_of"], shared["found"]
    while (phase := shared["phase"].value) != STOP:
        latest = shared["latest"].value
        if phase == IDLE:
            _probe(index, MAX_CHANGES, 0)
            _probe(index, MAX_CHANGES, 0)
        elif latest > seen:
            if _probe(index, latest - 1, shop_of[latest - 1]):
                newest = latest - 1
            else:
                newest = seen - 1
                while newest + 1 < latest - 1 and _probe(index, newest + 1, shop_of[newest + 1]):
                    newest += 1
            now = time.monotonic()
            for seq in range(seen, newest + 1):
                found[slot * MAX_CHANGES + seq] = now
            seen = newest + 1
        time.sleep(PROBE_POLL_S)


def _worker(path: str, queries: list[SearchQuery], shared: dict[str, Any], slot: int) -> None:
    """One web worker: the query mix in a loop, its timings by phase; memory at the end."""
    index = SearchIndex(path)
    for query in queries[:20]:
        index.search(query)
    shared["ready"].release()
    watcher = threading.Thread(target=_watch, args=(index, shared, slot), daemon=True)
    watcher.start()
    timings: dict[int, list[float]] = {IDLE: [], WRITES: []}
    position = slot * 7  # workers do not run the same query at the same time
    while (phase := shared["phase"].value) != STOP:
        query = queries[position % len(queries)]
        position += 1
        start = time.perf_counter()
        index.search(query)
        timings[phase].append((time.perf_counter() - start) * 1000)
    watcher.join()
    rss, private = memory_mb()
    shared["results"].put((slot, timings, rss, private))
    index.close()


def measure_writes(
    index: SearchIndex,
    shops: list[ShopDocument],
    queries: list[SearchQuery],
    *,
    idle_s: float,
    writes_s: float,
    seed: int,
    percentile: Any,
) -> WriteFigures:
    """Run the workers idle for ``idle_s``, then under writes for ``writes_s``; see the module."""
    context = multiprocessing.get_context("spawn")
    shared = {
        "phase": context.Value("i", IDLE),
        "latest": context.Value("i", 0),
        "arrived": context.Array("d", MAX_CHANGES, lock=False),
        "shop_of": context.Array("q", MAX_CHANGES, lock=False),
        "found": context.Array("d", READERS * MAX_CHANGES, lock=False),
        "ready": context.Semaphore(0),
        "results": context.Queue(),
    }
    workers = [
        context.Process(target=_worker, args=(str(index.path), queries, shared, slot))
        for slot in range(READERS)
    ]
    for process in workers:
        process.start()
    try:
        for _ in workers:
            if not shared["ready"].acquire(timeout=600):
                raise RuntimeError("a worker did not open the index")
        time.sleep(idle_s)  # the idle phase: the workers measure, nothing to do here
        shared["phase"].value = WRITES
        commits = _play_indexer(index, shops, shared, writes_s, random.Random(seed))
        shared["phase"].value = STOP
        results = [shared["results"].get(timeout=600) for _ in workers]
    finally:
        shared["phase"].value = STOP
        for process in workers:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    changes = shared["latest"].value
    visible = []
    for seq in range(changes):
        seen = [shared["found"][slot * MAX_CHANGES + seq] for slot in range(READERS)]
        if all(seen):
            visible.append((max(seen) - shared["arrived"][seq]) * 1000)
    idle = [ms for _slot, timings, _r, _p in results for ms in timings[IDLE]]
    busy = [ms for _slot, timings, _r, _p in results for ms in timings[WRITES]]
    if len(visible) < changes:
        raise RuntimeError(f"{changes - len(visible)} of {changes} changes never became visible")
    return WriteFigures(
        visible_p95_ms=percentile(visible, 95),
        visible_p50_ms=percentile(visible, 50),
        search_p95_idle_ms=percentile(idle, 95),
        search_p95_under_writes_ms=percentile(busy, 95),
        changes=changes,
        commits=len(commits),
        commit_p50_ms=percentile(commits, 50),
        rss_mb=max(rss for _s, _t, rss, _p in results),
        private_mb=max(private for _s, _t, _r, private in results),
    )


def _play_indexer(
    index: SearchIndex,
    shops: list[ShopDocument],
    shared: dict[str, Any],
    duration_s: float,
    rng: random.Random,
) -> list[float]:
    """Changes arrive at a steady rate; each poll applies the pending ones in one commit."""
    template = shops[0]
    next_id = max(shop.id for shop in shops) + 1
    probe = replace(template, id=next_id, name=f"Sonde {word(0)}", version="probe-0")
    next_id += 1
    index.apply([probe], ())
    voted = {shop.id: shop for shop in rng.sample(shops, min(len(shops), 5_000))}
    pending: dict[int, ShopDocument] = {}
    commits: list[float] = []
    seq = 1  # change 0 is the probe shop itself, applied above
    shared["arrived"][0] = time.monotonic()
    shared["shop_of"][0] = probe.id
    shared["latest"].value = 1
    per_second = VOTES_PER_S + SHOPS_PER_S
    start = time.monotonic()
    next_poll = start + INDEXER_INTERVAL_S
    arrivals = 0
    while time.monotonic() - start < duration_s and seq < MAX_CHANGES:
        due = start + arrivals / per_second
        if next_poll <= due:
            time.sleep(max(0.0, next_poll - time.monotonic()))
            if pending:
                began = time.perf_counter()
                index.apply(list(pending.values()), ())
                commits.append((time.perf_counter() - began) * 1000)
                pending.clear()
            next_poll += INDEXER_INTERVAL_S
            continue
        time.sleep(max(0.0, due - time.monotonic()))
        arrivals += 1
        if arrivals % per_second == 0:  # a new shop
            doc = replace(
                rng.choice(shops), id=next_id, name=f"Nouvelle {word(seq)}", version=f"new-{seq}"
            )
            next_id += 1
        elif arrivals % PROBE_EVERY == 0:  # a vote for the probe shop
            probe = replace(
                probe, name=f"Sonde {word(seq)}", votes=probe.votes + 1, version=f"p{seq}"
            )
            doc = probe
        else:  # a vote for any shop: its document is indexed again
            shop = rng.choice(list(voted.values()))
            doc = voted[shop.id] = replace(shop, votes=shop.votes + 1, version=f"v{seq}")
            pending[doc.id] = doc
            continue
        pending[doc.id] = doc
        shared["arrived"][seq] = due
        shared["shop_of"][seq] = doc.id
        seq += 1
        shared["latest"].value = seq
    if pending:
        index.apply(list(pending.values()), ())
    _wait_until_seen(shared, seq)
    return commits


def _wait_until_seen(shared: dict[str, Any], changes: int, timeout_s: float = 30.0) -> None:
    """Let the workers find the last changes (bounded: what they never find is reported)."""
    deadline = time.monotonic() + timeout_s
    found = shared["found"]
    while time.monotonic() < deadline:
        if all(found[slot * MAX_CHANGES + changes - 1] for slot in range(READERS)):
            return
        time.sleep(PROBE_POLL_S)
