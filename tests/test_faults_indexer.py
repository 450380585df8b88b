"""Faults (issue 12): an indexer killed with ``kill -9`` in the middle of a drain loses nothing."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from directory.extensions import db
from directory.search.bridge import check_drift, get_index
from directory.search.models import SearchOutbox
from search_index import SearchQuery
from search_index.index import APPLY_LOCK_FILE

PROJECT = Path(__file__).resolve().parent.parent


def indexer(app, *args: str) -> subprocess.Popen:
    """``flask search-indexer`` in its own process, on the test app's database and index."""
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "SEARCH_SYNC": "worker",
        "SECRET_KEY": "test-secret",
    }
    command = [sys.executable, "-m", "flask", "search-indexer", *args]
    return subprocess.Popen(  # noqa: S603 -- our own interpreter and CLI
        command, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def outbox_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SearchOutbox))


def kill_while_applying(process: subprocess.Popen, lock_path: Path, timeout_s: float = 60) -> bool:
    """SIGKILL ``process`` the moment it holds the index's apply lock; False if it never did."""
    deadline = time.monotonic() + timeout_s
    handle = os.open(lock_path, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            time.sleep(0.001)
        return False
    finally:
        os.close(handle)


def test_an_indexer_killed_mid_drain_loses_nothing_and_catches_up(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    shops = [make_shop(name=f"Boutique Numéro {n}") for n in range(60)]
    assert outbox_size(app) == len(shops)
    lock_path = Path(app.config["SEARCH_INDEX_DIR"]) / APPLY_LOCK_FILE
    process = indexer(app)
    try:
        assert kill_while_applying(process, lock_path), process.communicate()[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    # Killed before it deleted the rows it was applying: they are all still queued.
    assert outbox_size(app) == len(shops)
    more = make_shop(name="Boutique écrite pendant la panne")  # the site kept writing

    restarted = indexer(app, "--once")
    output, _ = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, output
    assert outbox_size(app) == 0
    with app.app_context():
        index = get_index(app)
        assert check_drift(index).clean
        found = index.search(SearchQuery(text="boutique", per_page=100)).total
    assert found == len(shops) + 1 == len({shop.id for shop in [*shops, more]})
