"""The production stack on loopback, for the load and fault runs: a throwaway PostgreSQL
database, Redis for the rate limits, gunicorn (``make serve``'s settings) and the indexer.

Everything is started as the deployment in the README starts it (``flask seed`` for the schema,
``gunicorn -c gunicorn.conf.py``, ``flask search-indexer``), with the environment of
:func:`environment`, and stopped by :meth:`Stack.stop` whatever happened.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "ba_load"
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9")
READY_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 180.0


def database_url(name: str = DATABASE) -> str:
    """The SQLAlchemy URL of the load database."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def environment(
    workdir: Path, port: int, workers: int, name: str = DATABASE, redis_url: str = REDIS_URL
) -> dict[str, str]:
    """The production environment of the stack (no mail is sent; writes are not throttled
    below what the load asks: every user comes from 127.0.0.1)."""
    return {
        **os.environ,
        "FLASK_APP": "app",
        "FLASK_ENV": "production",
        "SECRET_KEY": "load-test-secret-key-not-for-production",
        "PUBLIC_URL": "https://bonnes-adresses.load.test",
        "DATABASE_URL": database_url(name),
        "RATELIMIT_STORAGE_URI": redis_url,
        "WRITE_RATE_LIMIT": "100000 per minute",
        "SEARCH_INDEX_DIR": str(workdir / "index"),
        "UPLOAD_DIR": str(workdir / "uploads"),
        "MAIL_BACKEND": "dummy",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "PYTHONUNBUFFERED": "1",
    }


def recreate_database(name: str = DATABASE) -> None:
    """Drop and create the load database (its earlier run's data goes)."""
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis() -> None:
    """Forget earlier runs' rate-limit counters."""
    redis.Redis.from_url(REDIS_URL).flushdb()


@dataclass
class Stack:
    """The running processes of one load or fault run."""

    workdir: Path
    port: int = 5077
    workers: int = 4
    redis_url: str = REDIS_URL
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """The environment every process of the stack runs with."""
        return environment(self.workdir, self.port, self.workers, redis_url=self.redis_url)

    @property
    def url(self) -> str:
        """The web workers' address."""
        return f"http://127.0.0.1:{self.port}"

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run one ``flask`` command of the app against the stack's database and index."""
        return subprocess.run(
            [str(BIN / "flask"), *args],
            cwd=PROJECT,
            env=self.env,
            check=check,
            capture_output=True,
            text=True,
        )

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command, cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def start_web(self) -> None:
        """gunicorn with ``workers`` workers, as ``make serve`` runs it; wait until it answers."""
        self._start("web", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"])
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.get("/robots.txt")[0] == 200:
                return
            if self.processes["web"].poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start: see {self.workdir / 'web.log'}")

    def start_redis(self, port: int) -> None:
        """A Redis of the stack's own on ``port`` (nothing saved), used for its rate limits
        from the next ``start_web``: the fault that stops Redis leaves the machine's alone."""
        options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        self._start("redis", ["redis-server", *options])
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(self.redis_url)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start: see {self.workdir / 'redis.log'}")

    def start_indexer(self) -> None:
        """The one search indexer."""
        self._start("indexer", [str(BIN / "flask"), "search-indexer"])

    def get(self, path: str) -> tuple[int, bytes]:
        """(status, body) of one GET, 0 when nothing answers."""
        headers = {"X-Forwarded-Proto": "https"}
        request = urllib.request.Request(self.url + path, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            return 0, b""

    def web_workers(self) -> list[int]:
        """The pids of gunicorn's workers (the arbiter's children)."""
        arbiter = self.processes["web"].pid
        children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill(self, name: str) -> None:
        """``kill -9`` one of the stack's processes."""
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait()

    def stop(self) -> None:
        """Stop every process (gracefully, then for good)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def close(self, keep: bool) -> None:
        """Stop everything; remove the work directory unless ``keep`` (its logs are kept)."""
        self.stop()
        if keep:
            print(f"logs kept in {self.workdir}", file=sys.stderr)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def sql(self, statement: str) -> int:
        """The one integer a SQL query answers, on the stack's database."""
        with psycopg.connect(database_url().replace("+psycopg", "")) as connection:
            row = connection.execute(statement).fetchone()
            return int(row[0]) if row else 0

    def wait_for_empty_outbox(self, timeout: float = DRAIN_TIMEOUT_S) -> bool:
        """True once the indexer has drained the outbox (False after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sql("SELECT count(*) FROM search_outbox") == 0:
                return True
            time.sleep(0.5)
        return False

    def invariants(self) -> dict[str, bool]:
        """The checks after every run: vote counts match their rows (and no member voted twice
        for a shop), the outbox drained, and the index holds exactly the visible shops."""
        wrong_counts = self.sql(
            "SELECT count(*) FROM shops s WHERE s.vote_count <> "
            "(SELECT count(*) FROM votes v WHERE v.shop_id = s.id)"
        )
        doubles = self.sql(
            "SELECT count(*) FROM (SELECT 1 FROM votes GROUP BY user_id, shop_id "
            "HAVING count(*) > 1) AS d"
        )
        outbox_empty = self.wait_for_empty_outbox()
        check = self.flask("search-check", check=False)
        if check.returncode != 0:
            print(check.stdout + check.stderr, file=sys.stderr)
        return {
            "votes_match": wrong_counts == 0 and doubles == 0,
            "index_clean": check.returncode == 0,
            "outbox_empty": outbox_empty,
        }


def health(stack: Stack) -> dict:
    """``/healthz``'s JSON (``{}`` when it does not answer JSON)."""
    status, body = stack.get("/healthz")
    try:
        return {"status": status, **json.loads(body)}
    except ValueError:
        return {"status": status}
