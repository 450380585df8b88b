"""Faults under load: the production stack of ``make load``, one fault injected mid-run.

``python -m bench.load.faults [NAME ...]`` (``make faults``) seeds the stack once (``--shops``,
``--members``), then for each fault starts gunicorn and the indexer, drives the mixed Locust
load for ``--duration`` seconds, injects the fault a third of the way in, and afterwards checks:

- no 500 (a 503 with the translated page is how a missing part is reported: database or index);
- the site recovers by itself, or after ``flask reindex`` for the index faults, as documented;
- every invariant of ``make load`` holds (vote counts, the index, the outbox).

Faults: ``kill-workers`` (``kill -9`` of two web workers), ``kill-indexer`` (``kill -9``, then
restarted), ``restart-postgres``, ``redis-down`` (the rate limits' Redis, a private one on
port 6390, killed for good: the limits fall back to each worker's memory, as the README
says), ``index-deleted``, ``index-truncated``, ``index-readonly``
(a read-only bind mount), ``disk-full`` (the index on a tmpfs that fills up). The last two
mount file systems, so they need root. One JSON line per fault, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.load.run import LOCUST, LOCUSTFILE, seed, write_params
from bench.load.stack import REDIS_URL, Stack, health

STATUS = re.compile(rb'" (\d{3}) ')
FAULTS = (
    "kill-workers",
    "kill-indexer",
    "restart-postgres",
    "redis-down",
    "index-deleted",
    "index-truncated",
    "index-readonly",
    "disk-full",
)
PRIVATE_REDIS_PORT = 6390
INDEX_FAULTS = {"index-deleted", "index-truncated", "index-readonly", "disk-full"}


def statuses(stack: Stack) -> Counter:
    """How many answers of each HTTP status the web log holds."""
    log = (stack.workdir / "web.log").read_bytes()
    return Counter(int(code) for code in STATUS.findall(log))


def postgres_restart() -> None:
    """Restart the machine's PostgreSQL cluster (every connection drops)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


def inject(name: str, stack: Stack) -> str:
    """Do the fault; return what was done, in words."""
    index = stack.workdir / "index"
    if name == "kill-workers":
        killed = stack.web_workers()[:2]
        for pid in killed:
            os.kill(pid, 9)
        return f"kill -9 of web workers {killed}"
    if name == "kill-indexer":
        stack.kill("indexer")
        time.sleep(3)
        stack.start_indexer()
        return "kill -9 of the indexer, restarted 3 s later"
    if name == "restart-postgres":
        postgres_restart()
        return "PostgreSQL restarted"
    if name == "redis-down":
        stack.kill("redis")
        return f"kill -9 of the rate limits' Redis (port {PRIVATE_REDIS_PORT})"
    if name == "index-deleted":
        shutil.rmtree(index)
        return f"rm -rf {index}"
    if name == "index-truncated":
        for path in index.rglob("*"):
            if path.is_file() and path.stat().st_size > 1024:
                os.truncate(path, path.stat().st_size // 2)
        return "every index file over 1 KB cut to half its size"
    if name == "index-readonly":
        mount("--bind", "-o", "ro", str(index), str(index))
        return "index directory bind-mounted read-only"
    if name == "disk-full":
        return "the index on a tmpfs with 256 KB free (see prepare_disk_full)"
    raise ValueError(name)


def prepare_disk_full(stack: Stack) -> None:
    """Move the index onto a tmpfs with 256 KB to spare: the indexer's next segments fill it."""
    index = stack.workdir / "index"
    used = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    kept = stack.workdir / "index.kept"
    shutil.copytree(index, kept)
    mount("-t", "tmpfs", "-o", f"size={used + 256 * 1024}", "tmpfs", str(index))
    shutil.copytree(kept, index, dirs_exist_ok=True)


def unmount(stack: Stack) -> None:
    index = stack.workdir / "index"
    while subprocess.run(["mountpoint", "-q", str(index)]).returncode == 0:
        subprocess.run(["umount", "-l", str(index)], check=True)


def run_fault(name: str, stack: Stack, params: Path, users: int, duration: int) -> dict:
    """One fault under load; the figures and checks of its run."""
    (stack.workdir / "web.log").unlink(missing_ok=True)
    stack.flask("reindex")
    if name == "disk-full":
        prepare_disk_full(stack)
    if name == "redis-down":
        stack.start_redis(PRIVATE_REDIS_PORT)
    stack.start_web()
    stack.start_indexer()
    env = {
        **os.environ,
        "LOAD_PARAMS": str(params),
        "LOAD_ERRORS_FILE": str(stack.workdir / f"{name}.errors"),
    }
    command = [
        str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{duration}s",
        "--host", stack.url, "--loglevel", "ERROR", "Browser", "Member",
    ]  # fmt: skip
    with open(stack.workdir / f"locust-{name}.log", "wb") as log:
        load = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(duration / 3)
        done = inject(name, stack)
        time.sleep(3)
        during = {"search": stack.get("/search?q=pain")[0], "healthz": health(stack)}
        load.wait()
    if name in INDEX_FAULTS:
        time.sleep(2)  # the indexer's retries go on meanwhile; writes keep landing
        unmount(stack)
        stack.flask("reindex")
    recovered = wait_for(lambda: stack.get("/search?q=pain")[0] == 200, 60)
    invariants = stack.invariants()
    healthy = wait_for(lambda: stack.get("/healthz")[0] == 200, 30)
    stack.stop()
    codes = statuses(stack)
    return {
        "fault": name,
        "done": done,
        "answers": dict(sorted(codes.items())),
        "errors_500": sum(n for code, n in codes.items() if code >= 500 and code != 503),
        "during": during,
        "recovered": recovered,
        "healthy_after": healthy,
        "invariants": invariants,
    }


def wait_for(check, timeout: float) -> bool:
    """True as soon as ``check()`` is, False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faults", nargs="*", help=f"default: all of {', '.join(FAULTS)}")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("DURATION", 30)))
    parser.add_argument("--shops", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args(argv)
    # Checked here: Python 3.11's argparse also checks an empty default against ``choices``.
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")
    workdir = Path(tempfile.mkdtemp(prefix="ba-faults-"))
    stack = Stack(workdir)
    results = []
    try:
        seed(stack, args.shops, args.members)
        params = write_params(stack, args.members)
        for name in args.faults or FAULTS:
            try:
                result = run_fault(name, stack, params, args.users, args.duration)
            finally:
                stack.stop()
                unmount(stack)
                stack.redis_url = REDIS_URL
            print(json.dumps(result), flush=True)
            results.append(result)
    finally:
        stack.close(keep=args.keep)
    passed = [
        r["fault"]
        for r in results
        if r["errors_500"] == 0 and r["recovered"] and all(r["invariants"].values())
    ]
    print(json.dumps({"faults": len(results), "passed": passed}))
    return 0 if len(passed) == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
