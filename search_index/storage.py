"""Index generations on disk and the atomic switch between them.

Layout: ``<path>/CURRENT`` names the live generation directory ``<path>/gen-<ns>-<pid>``.
A rebuild writes a new generation, then replaces CURRENT with ``os.replace`` (atomic on
POSIX), so a reader sees either the old or the new index, never a mix. Readers that
already opened the old generation keep their open files after it is deleted.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from .models import IndexCorruptError, IndexOutdatedError
from .schema import FORMAT_VERSION

POINTER_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
# Names the format a generation was written in (see schema.FORMAT_VERSION).
FORMAT_FILE = "FORMAT"
# Generations written before FORMAT_FILE existed have none.
_UNRECORDED_FORMAT = 1


def current_generation(root: Path) -> Path | None:
    """Directory of the live generation, or None if the index was never created.

    Raises IndexCorruptError when the pointer exists but names no generation.
    """
    pointer = root / POINTER_FILE
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise IndexCorruptError(f"unreadable index pointer {pointer}: {error}") from error
    if not name.startswith(GENERATION_PREFIX) or "/" in name or "\\" in name:
        raise IndexCorruptError(f"corrupt index pointer {pointer}: {name[:80]!r}")
    return root / name


def readable_generation(root: Path) -> Path | None:
    """Like ``current_generation``, but None when the pointer is damaged (for repairs)."""
    try:
        return current_generation(root)
    except IndexCorruptError:
        return None


def new_generation(root: Path) -> Path:
    """Create an empty, uniquely named generation directory."""
    path = root / f"{GENERATION_PREFIX}{time.time_ns():020d}-{os.getpid()}"
    path.mkdir(parents=True)
    return path


def write_format(generation: Path) -> None:
    """Record that ``generation`` holds documents in this code's format."""
    (generation / FORMAT_FILE).write_text(f"{FORMAT_VERSION}\n", encoding="utf-8")


def check_format(generation: Path) -> None:
    """Raise IndexOutdatedError unless ``generation`` was written in this code's format.

    A generation that has vanished raises FileNotFoundError (a rebuild may just have removed
    it; the caller decides). An unreadable record is an IndexCorruptError.
    """
    record = generation / FORMAT_FILE
    try:
        text = record.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if not generation.is_dir():
            raise
        text = str(_UNRECORDED_FORMAT)
    except (OSError, ValueError) as error:
        raise IndexCorruptError(f"unreadable index format record {record}: {error}") from error
    if not (text.isascii() and text.isdigit()):
        raise IndexCorruptError(f"corrupt index format record {record}: {text[:40]!r}")
    if int(text) != FORMAT_VERSION:
        raise IndexOutdatedError(
            f"index {generation} is in format {int(text)}, this code reads format "
            f"{FORMAT_VERSION}: rebuild it"
        )


def publish(root: Path, generation: Path) -> None:
    """Atomically make ``generation`` the live one."""
    tmp = root / f".{POINTER_FILE}.{os.getpid()}.{time.time_ns()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / POINTER_FILE)


def remove_stale_generations(root: Path) -> None:
    """Delete every generation but the live one, and half-written pointers.

    Call it holding the rebuild lock: only a rebuild creates generations and pointers, so
    anything else is left over from a failed or crashed one. Nothing is deleted while the
    pointer is missing or damaged, since the live generation is then unknown.
    """
    live = readable_generation(root)
    if live is None:
        return
    for entry in root.iterdir():
        stale_generation = entry.name.startswith(GENERATION_PREFIX) and entry.name != live.name
        if stale_generation or entry.name.startswith(f".{POINTER_FILE}."):
            _remove(entry)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


class ClosingStorage(FileStorage):  # type: ignore[misc]  # whoosh has no type hints
    """A Whoosh FileStorage that closes the files it opened when reading them fails.

    Whoosh leaves a file open when it fails half-way through reading a damaged index (a
    truncated segment, a garbage table of contents), and the leak surfaces later as a
    ResourceWarning wherever the garbage collector happens to run.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self._tracking = threading.local()

    def open_file(self, name: str, **kwargs: Any) -> Any:
        """Open a file of the index, remembering it while ``closing_on_failure`` runs."""
        handle = super().open_file(name, **kwargs)
        opened: list[Any] | None = getattr(self._tracking, "opened", None)
        if opened is not None:
            opened.append(handle)
        return handle

    @contextmanager
    def closing_on_failure(self) -> Iterator[None]:
        """Close every file opened in this block (by this thread) if the block raises."""
        self._tracking.opened = []
        try:
            yield
        except BaseException:
            for handle in self._tracking.opened:
                with suppress(Exception):
                    handle.close()
            raise
        finally:
            self._tracking.opened = None


def open_generation(generation: Path) -> tuple[Any, ClosingStorage]:
    """The Whoosh index of one generation and the storage it reads through."""
    files = ClosingStorage(generation)
    with files.closing_on_failure():
        return files.open_index(), files
