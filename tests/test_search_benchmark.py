"""``make bench`` keeps working and keeps its last line's keys (scripts outside read them)."""

from __future__ import annotations

import json

from bench import search_benchmark


def test_the_benchmark_last_line_has_its_contract_keys(tmp_path, capsys):
    status = search_benchmark.main(
        [
            "--shops",
            "1500",
            "--queries",
            "40",
            "--idle-s",
            "1",
            "--writes-s",
            "3",
            "--reopens",
            "2",
            "--workdir",
            str(tmp_path),
        ]
    )
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status == 0  # every total equal to FTS5's
    assert {"shops", "build_s", "baseline_build_s", "queries", "rss_mb", "private_mb"} <= set(last)
    assert last["shops"] == 1500
    assert set(last["queries"]) == set(search_benchmark.QUERY_TYPES)
    writes = last["writes"]
    assert {"visible_p95_ms", "search_p95_idle_ms", "search_p95_under_writes_ms"} <= set(writes)
    assert writes["changes"] >= 3  # the probe shop, new shops and probe votes were all seen
    assert 0 < last["private_mb"] <= last["rss_mb"]
