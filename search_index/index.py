"""SearchIndex: open, write, rebuild and search a shop index stored in a directory."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, LockError

from . import search as search_module
from . import storage
from .categories import CategoryWords
from .codec import ShopCodec
from .documents import searchable_words, spelling_text, to_fields
from .models import (
    GeoPoint,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    IndexUnavailableError,
    SearchIndexError,
    SearchQuery,
    SearchResults,
    ShopDocument,
)
from .query import validate
from .schema import build_schema
from .segments import SegmentCache
from .snapshot import Snapshot
from .spelling import Vocabulary

DEFAULT_WRITE_TIMEOUT = 10.0
# In the index root, beside CURRENT: see SearchIndex.applying.
APPLY_LOCK_FILE = "APPLYING.lock"
APPLY_LOCK_POLL = 0.02
PROGRESS_EVERY = 1_000
# Attempts when a rebuild swaps generations under a reader or writer.
_RETRIES = 5


class SearchIndex:
    """A directory-backed shop index; safe to share between threads of one process.

    Opening never creates anything: a missing index raises IndexMissingError until
    ``rebuild`` builds one, so a deleted directory cannot pass for an empty directory.
    Reading damaged files raises IndexCorruptError, a bad query InvalidQueryError.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
        known_words: Collection[str] = frozenset(),
    ) -> None:
        """Refer to the index at ``path``; files are opened on first use.

        ``known_words`` are folded words that spelling correction must leave alone although
        no document holds them (place names, say): see ``search.search``.
        """
        self.path = Path(path)
        self.write_timeout = write_timeout
        self.known_words = known_words
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._indexes: dict[Path, tuple[Any, storage.ClosingStorage]] = {}
        # Decoded segments of the live generation, reused by each new snapshot.
        self._segments: tuple[Path, SegmentCache] | None = None

    # Reading

    def _live_generation(self) -> Path:
        generation = storage.current_generation(self.path)
        if generation is None:
            raise IndexMissingError(f"no index at {self.path}")
        return generation

    def _vanished(
        self, generation: Path, error: Exception, last_attempt: bool
    ) -> SearchIndexError | None:
        """The error to raise when ``generation`` cannot be opened, or None to retry.

        A rebuild may have removed it between reading CURRENT and opening it: then CURRENT
        names another generation and opening again succeeds. A writer may have committed
        between Whoosh listing the table of contents and opening it or the segments it names
        (Whoosh reads it without the lock, and a commit deletes the old files): then a newer
        table of contents is there, and opening again succeeds too.
        """
        self._indexes.pop(generation, None)
        if storage.current_generation(self.path) != generation:
            return None
        if not generation.is_dir():
            return IndexMissingError(f"index generation {generation} is missing")
        if not last_attempt and any(generation.glob("*.toc")):
            return None
        return IndexCorruptError(f"index generation {generation} has no table of contents")

    def _whoosh_index(self, generation: Path) -> tuple[Any, storage.ClosingStorage]:
        opened = self._indexes.get(generation)
        if opened is None:
            # Before Whoosh reads anything: another format's columns would be misread.
            storage.check_format(generation)
            opened = storage.open_generation(generation)
            # Only the live generation is worth keeping open.
            self._indexes = {generation: opened}
        return opened

    def _acquire_snapshot(self) -> Snapshot:
        """The snapshot of the latest commit, reopened only when the index changed."""
        for attempt in range(_RETRIES):
            generation = self._live_generation()
            try:
                ix, files = self._whoosh_index(generation)
                latest = ix.latest_generation()
                current = self._snapshot
                if (
                    current is not None
                    and current.directory == generation
                    and current.generation == latest
                    and current.acquire()
                ):
                    return current
                with self._lock, files.closing_on_failure():
                    # Threads that waited here while another built this commit's snapshot
                    # take it: one build per commit per process, however many searches wait.
                    current = self._snapshot
                    if (
                        current is not None
                        and current.directory == generation
                        and current.generation >= ix.latest_generation()
                        and current.acquire()
                    ):
                        return current
                    fresh = Snapshot(ix, generation, self._segment_cache(generation))
                    fresh.acquire()
                    old, self._snapshot = self._snapshot, fresh
                if old is not None:
                    old.retire()
                return fresh
            except (FileNotFoundError, EmptyIndexError) as error:
                failure = self._vanished(generation, error, attempt == _RETRIES - 1)
                if failure is not None:
                    raise failure from error
            except SearchIndexError:
                raise
            except Exception as error:
                # EOFError, UnpicklingError, whoosh's IndexError, struct.error...: every way
                # Whoosh fails on files it did not write the way it expects.
                self._indexes.pop(generation, None)
                raise IndexCorruptError(f"cannot read index {generation}: {error!r}") from error
        raise IndexUnavailableError(f"index at {self.path} keeps changing; gave up opening it")

    def _segment_cache(self, generation: Path) -> SegmentCache:
        if self._segments is None or self._segments[0] != generation:
            if self._segments is not None:
                self._segments[1].close()
            self._segments = (generation, SegmentCache())
        return self._segments[1]

    @contextmanager
    def _reading(self) -> Iterator[Snapshot]:
        """A snapshot for one read; any failure of its files is an IndexCorruptError."""
        snapshot = self._acquire_snapshot()
        try:
            yield snapshot
        except SearchIndexError:
            raise
        except Exception as error:
            raise IndexCorruptError(f"cannot read index {snapshot.directory}: {error!r}") from error
        finally:
            snapshot.release()

    def search(self, query: SearchQuery) -> SearchResults:
        """Run a query; see ``search.search`` for the semantics."""
        validate(query)  # a bad query is the caller's, whatever state the files are in
        with self._reading() as snapshot:
            return search_module.search(snapshot, query, self.known_words)

    def versions(self) -> dict[int, str]:
        """Document id -> version for every indexed shop (for drift checks)."""
        with self._reading() as snapshot:
            return snapshot.versions()

    def delivery_candidates(self, point: GeoPoint) -> list[int]:
        """Ids of the shops a ``delivers_to`` query for ``point`` examines exactly.

        The delivery-zone prefilter's answer (see ``delivery.py``), before the exact distance
        test: benchmarks and tests compare its size with the number of shops.
        """
        with self._reading() as snapshot:
            docids = snapshot.docids
            return [docids[d] for d in snapshot.delivery_candidates(point)]

    def doc_count(self) -> int:
        """Number of indexed shops."""
        with self._reading() as snapshot:
            return snapshot.live_count

    def verify(self) -> int:
        """Read every file a search may need (columns, vocabularies); the doc count.

        Raises IndexMissingError or IndexCorruptError, so a health check or ``search-check``
        sees damage that only some queries (misspelt ones) would otherwise hit.
        """
        with self._reading() as snapshot:
            snapshot.vocabulary()
            snapshot.category_terms()
            return snapshot.live_count

    def close(self) -> None:
        """Release open files; the index can still be used afterwards (it reopens)."""
        with self._lock:
            old, self._snapshot = self._snapshot, None
            self._indexes = {}
            segments, self._segments = self._segments, None
        if segments is not None:
            segments[1].close()
        if old is not None:
            old.retire()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Writing

    @contextmanager
    def _writer(self) -> Iterator[tuple[Any, Path]]:
        """The single Whoosh writer of the live generation, committed on success."""
        for attempt in range(_RETRIES):
            generation = self._live_generation()
            try:
                ix, files = self._whoosh_index(generation)
                with files.closing_on_failure():
                    writer = ix.writer(timeout=self.write_timeout, codec=ShopCodec())
            except LockError:
                raise IndexBusyError(
                    f"index {self.path} still locked by another writer after {self.write_timeout}s"
                ) from None
            except (FileNotFoundError, EmptyIndexError) as error:
                failure = self._vanished(generation, error, attempt == _RETRIES - 1)
                if failure is not None:
                    raise failure from error
                continue
            except SearchIndexError:
                raise
            except Exception as error:
                self._indexes.pop(generation, None)
                raise IndexCorruptError(f"cannot write index {generation}: {error!r}") from error
            if storage.current_generation(self.path) != generation:
                # A rebuild swapped generations while we waited for the lock.
                writer.cancel()
                continue
            try:
                yield writer, generation
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            return
        raise IndexBusyError(f"index {self.path} kept being rebuilt; write abandoned")

    def add_or_update(self, docs: Iterable[ShopDocument]) -> None:
        """Index shops, replacing any already indexed with the same id."""
        self.apply(docs, ())

    def delete(self, ids: Iterable[int]) -> None:
        """Remove shops by id; unknown ids are ignored."""
        self.apply((), ids)

    def apply(self, docs: Iterable[ShopDocument], deleted: Iterable[int]) -> None:
        """Index ``docs`` (replacing their old versions) and remove ``deleted``, in one commit."""
        prepared: dict[int, dict[str, Any]] = {}
        vocabulary = Vocabulary()
        categories = CategoryWords()
        for doc in docs:
            name_words, rest_words = searchable_words(doc)
            prepared[doc.id] = to_fields(doc, name_words, rest_words)
            vocabulary.add_words(name_words + rest_words, spelling_text(doc))
            categories.add([doc])
        removed = [shop_id for shop_id in deleted if shop_id not in prepared]
        if not prepared and not removed:
            return
        with self._writer() as (writer, generation):
            # One searcher finds every old version: Whoosh's update_document opens one per
            # document, which made a batch of 500 no cheaper than 500 commits.
            _delete_ids(writer, [*prepared, *removed])
            for fields in prepared.values():
                writer.add_document(**fields)
            if prepared:
                merged = Vocabulary.load(generation)
                merged.merge(vocabulary)
                merged.save(generation)
                known = CategoryWords.load(generation)
                known.merge(categories)
                known.save(generation)

    @contextmanager
    def applying(self) -> Iterator[None]:
        """Hold this index's apply lock, shared by every process, for a read-then-write step.

        Whoever writes the index last must have read the database last, or an old version of a
        shop read by a slow drainer could overwrite the newer one a faster drainer wrote. Holding
        a database lock for that made every other database write wait while the index wrote.
        Waits up to ``write_timeout`` seconds, then raises IndexBusyError.
        """
        if not self.path.is_dir():
            raise IndexMissingError(f"no index at {self.path}")
        try:
            handle = os.open(self.path / APPLY_LOCK_FILE, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError as error:
            raise IndexUnavailableError(f"cannot lock index {self.path}: {error}") from error
        try:
            deadline = time.monotonic() + self.write_timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusyError(
                            f"index {self.path} still being applied to after {self.write_timeout}s"
                        ) from None
                    time.sleep(APPLY_LOCK_POLL)
            yield
        finally:
            os.close(handle)  # closing the descriptor releases the lock

    @classmethod
    def rebuild(
        cls,
        path: str | os.PathLike[str],
        docs: Iterable[ShopDocument],
        progress: Callable[[int], None] | None = None,
        *,
        procs: int = 1,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
    ) -> SearchIndex:
        """Build a fresh index from ``docs`` in a new generation, then swap it in atomically.

        ``progress`` is called with the number of documents indexed so far. With
        ``procs`` > 1 Whoosh indexes in that many processes and keeps one segment each.
        """
        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        # One rebuild at a time across processes: two overlapping ones could otherwise each
        # delete the other's generation and leave CURRENT naming a removed directory.
        rebuild_lock = FileStorage(str(root)).lock("REBUILD")
        rebuild_lock.acquire(blocking=True)
        try:
            # Leftovers of crashed rebuilds go first, so they cannot fill the disk again.
            storage.remove_stale_generations(root)
            generation = storage.new_generation(root)
            try:
                count = _build(generation, docs, progress, procs)
                _publish(root, generation, write_timeout)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            storage.remove_stale_generations(root)
        finally:
            rebuild_lock.release()
        if progress is not None:
            progress(count)
        return cls(root, write_timeout=write_timeout)


def _delete_ids(writer: Any, ids: Iterable[int]) -> None:
    """Delete the committed documents of these shop ids, with one searcher for all of them."""
    with writer.searcher() as searcher:
        for shop_id in ids:
            writer.delete_by_term("id", str(shop_id), searcher=searcher)


def _build(
    generation: Path,
    docs: Iterable[ShopDocument],
    progress: Callable[[int], None] | None,
    procs: int,
) -> int:
    ix = whoosh_index.create_in(str(generation), build_schema())
    options: dict[str, Any] = {"limitmb": 256, "codec": ShopCodec()}
    if procs > 1:
        # Bigger batches mean fewer job files handed to the indexing processes.
        options.update(procs=procs, multisegment=True, batchsize=1000)
    writer = ix.writer(**options)
    vocabulary = Vocabulary()
    categories = CategoryWords()
    seen: set[int] = set()
    count = 0
    try:
        for doc in docs:
            if doc.id in seen:
                raise ValueError(f"duplicate shop id {doc.id} in rebuild")
            seen.add(doc.id)
            name_words, rest_words = searchable_words(doc)
            writer.add_document(**to_fields(doc, name_words, rest_words))
            vocabulary.add_words(name_words + rest_words, spelling_text(doc))
            categories.add([doc])
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    vocabulary.save(generation)
    categories.save(generation)
    storage.write_format(generation)
    return count


def _publish(root: Path, generation: Path, write_timeout: float) -> None:
    """Make a finished generation live while holding the old one's writer lock.

    Holding it makes a writer that opened the old generation wait, then notice the swap and
    write to the new one. A damaged or missing old generation is simply replaced.
    """
    old = storage.readable_generation(root)
    writer = None
    if old is not None and old.is_dir():
        try:
            ix, files = storage.open_generation(old)
            with files.closing_on_failure():
                writer = ix.writer(timeout=write_timeout)
        except LockError:
            raise IndexBusyError(f"index {root} stayed locked; rebuild not published") from None
        except Exception:
            writer = None  # unreadable: nobody can be writing to it
    try:
        storage.publish(root, generation)
    finally:
        if writer is not None:
            with suppress(Exception):
                writer.cancel()
