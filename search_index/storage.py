"""Index generations on disk and the atomic switch between them.

Layout: ``<path>/CURRENT`` names the live generation directory ``<path>/gen-<ns>-<pid>``.
A rebuild writes a new generation, then replaces CURRENT with ``os.replace`` (atomic on
POSIX), so a reader sees either the old or the new index, never a mix. Readers that
already opened the old generation keep their open files after it is deleted.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

POINTER_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"


def current_generation(root: Path) -> Path | None:
    """Directory of the live generation, or None if the index was never created."""
    try:
        name = (root / POINTER_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name.startswith(GENERATION_PREFIX) or "/" in name or "\\" in name:
        raise ValueError(f"corrupt index pointer {root / POINTER_FILE}: {name!r}")
    return root / name


def new_generation(root: Path) -> Path:
    """Create an empty, uniquely named generation directory."""
    path = root / f"{GENERATION_PREFIX}{time.time_ns():020d}-{os.getpid()}"
    path.mkdir(parents=True)
    return path


def publish(root: Path, generation: Path) -> None:
    """Atomically make ``generation`` the live one."""
    tmp = root / f".{POINTER_FILE}.{os.getpid()}.{time.time_ns()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / POINTER_FILE)


def remove_stale_generations(root: Path) -> None:
    """Delete every generation but the live one; call it holding the rebuild lock."""
    live = current_generation(root)
    if live is None:
        return
    for entry in root.iterdir():
        if entry.name.startswith(GENERATION_PREFIX) and entry.name != live.name:
            shutil.rmtree(entry, ignore_errors=True)
