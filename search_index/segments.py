"""What a snapshot needs of one Whoosh segment, decoded once and kept while the segment lives.

Whoosh never changes a segment once it is written: a commit adds a segment, a merge replaces
some with a new one, and deletions are recorded beside the segment's files. So the columns
decoded from a segment, and what is derived from them (grid cells, category and town lists,
delivery zones, decoded postings), stay valid for every later commit that still holds it, as
Lucene's per-segment caches do. A snapshot of a new commit decodes only the new segments and
reads the deletions, so reopening costs what changed, not the size of the index.

Columns are ``array``s (4 or 8 bytes a value) rather than lists of Python ints (36 bytes),
and strings (category, town, postcode, opening hours) are dictionary-encoded once per
generation in ``GenerationCodes``, so codes agree across segments and snapshots.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from .analysis import WORD_RE, fold
from .delivery import DeliveryZones
from .documents import unpack_meta
from .geo import cell_of
from .postings import read_postings
from .schema import TEXT_FIELD

# Decoded postings kept per segment (ids and weights, 8 bytes a posting): about 16 MB.
SEGMENT_POSTINGS = 2_000_000

T = TypeVar("T")


def town_key(town: str) -> str:
    """A town name or postcode as the town filter compares it: folded words, single-spaced."""
    return " ".join(WORD_RE.findall(fold(town)))


class Codes:
    """Append-only dictionary encoding: value -> small int, the same for every segment."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._codes: dict[Any, int] = {}

    def code(self, value: Any) -> int:
        """The code of ``value``, assigning the next one to a value never seen."""
        code = self._codes.get(value)
        if code is None:
            code = len(self.values)
            self.values.append(value)  # before the dict: a reader may already hold the code
            self._codes[value] = code
        return code

    def find(self, value: Any) -> int | None:
        """The code of ``value``, None if no segment ever held it."""
        return self._codes.get(value)


class GenerationCodes:
    """The dictionaries of one index generation, shared by its segments and snapshots.

    Only a snapshot build (one at a time per index, under its lock) adds codes; searches only
    read them, and lists and dicts are safe to read while another thread appends.
    """

    def __init__(self) -> None:
        self.categories = Codes()
        self.towns = Codes()
        self.postcodes = Codes()
        self.hours = Codes()
        # town_key of each town and postcode code, computed once per distinct value.
        self.town_keys: list[str] = []
        self.postcode_keys: list[str] = []

    def town(self, name: str) -> int:
        """Code of a town name (its ``town_key`` recorded alongside)."""
        code = self.towns.code(name)
        if code == len(self.town_keys):
            self.town_keys.append(town_key(name))
        return code

    def postcode(self, value: str) -> int:
        """Code of a postcode (its ``town_key`` recorded alongside)."""
        code = self.postcodes.code(value)
        if code == len(self.postcode_keys):
            self.postcode_keys.append(town_key(value))
        return code


class SegmentColumns:
    """The decoded ``meta`` column of one segment, by segment-local document number.

    Deleted documents keep their values: which documents are live is the snapshot's business
    (deletions change from commit to commit, the segment does not).
    """

    def __init__(self, reader: Any, codes: GenerationCodes) -> None:
        """Decode every document of ``reader`` (one Whoosh segment reader)."""
        self.segment_id: str = reader.segment().segment_id()
        self.codes = codes
        self.docids = array("q")
        self.lat_e6 = array("i")
        self.lon_e6 = array("i")
        self.votes = array("i")
        self.created = array("q")
        self.services = array("i")
        self.delivery_km = array("d")
        self.lengths = array("i")
        self.category_code = array("i")
        self.town_code = array("i")
        self.postcode_code = array("i")
        self.hours_code = array("i")
        size = reader.doc_count_all()
        if size:
            for data in reader.column_reader("meta", translate=False):
                meta = unpack_meta(data)
                self.docids.append(meta.docid)
                self.lat_e6.append(meta.lat_e6)
                self.lon_e6.append(meta.lon_e6)
                self.votes.append(meta.votes)
                self.created.append(meta.created)
                self.services.append(meta.services)
                self.delivery_km.append(meta.delivery_km)
                self.lengths.append(meta.length)
                self.category_code.append(codes.categories.code(meta.category))
                self.town_code.append(codes.town(meta.town))
                self.postcode_code.append(codes.postcode(meta.postcode))
                self.hours_code.append(codes.hours.code((meta.opening_hours, meta.country)))
        self.size = len(self.docids)
        self.total_length = sum(self.lengths)
        self._lock = threading.Lock()
        self._grid: dict[tuple[int, int], array[int]] | None = None
        self._by_category: dict[int, array[int]] | None = None
        self._by_town: dict[str, array[int]] | None = None
        self._zones: DeliveryZones | None = None
        self._postings: OrderedDict[str, tuple[array[int], array[float]]] = OrderedDict()
        self._cached_postings = 0

    # Derived structures, built on first use. Two searches may build one at the same time;
    # both get the same value and one is kept.

    def grid(self) -> dict[tuple[int, int], array[int]]:
        """Grid cell -> local docnums in it."""
        if self._grid is None:
            grid: dict[tuple[int, int], array[int]] = defaultdict(lambda: array("i"))
            for docnum, (lat, lon) in enumerate(zip(self.lat_e6, self.lon_e6, strict=True)):
                grid[cell_of(lat, lon)].append(docnum)
            self._grid = dict(grid)
        return self._grid

    def in_category(self, code: int) -> array[int]:
        """Local docnums of one category code."""
        if self._by_category is None:
            by_category: dict[int, array[int]] = defaultdict(lambda: array("i"))
            for docnum, category in enumerate(self.category_code):
                by_category[category].append(docnum)
            self._by_category = dict(by_category)
        return self._by_category.get(code, _EMPTY)

    def in_town(self, key: str) -> array[int]:
        """Local docnums whose town or postcode has this ``town_key``, ascending."""
        if self._by_town is None:
            town_keys, postcode_keys = self.codes.town_keys, self.codes.postcode_keys
            by_town: dict[str, array[int]] = defaultdict(lambda: array("i"))
            for docnum, (t, p) in enumerate(zip(self.town_code, self.postcode_code, strict=True)):
                by_town[town_keys[t]].append(docnum)
                if postcode_keys[p] != town_keys[t]:
                    by_town[postcode_keys[p]].append(docnum)
            self._by_town = dict(by_town)
        return self._by_town.get(key, _EMPTY)

    def delivery_zones(self) -> DeliveryZones:
        """The delivering documents of this segment bucketed for ``delivers_to``."""
        if self._zones is None:
            self._zones = DeliveryZones(self.lat_e6, self.lon_e6, self.delivery_km)
        return self._zones

    def postings(self, reader: Any, term: str) -> tuple[array[int], array[float]]:
        """(local docnums, weights) of a term in this segment, read through ``reader``."""
        with self._lock:
            cached = self._postings.get(term)
            if cached is not None:
                self._postings.move_to_end(term)
                return cached
        ids, weights = read_postings(reader, TEXT_FIELD, term)
        found = (array("i", ids), array("f", weights))
        with self._lock:
            self._postings[term] = found
            self._cached_postings += len(ids)
            while self._cached_postings > SEGMENT_POSTINGS and len(self._postings) > 1:
                _term, (evicted, _weights) = self._postings.popitem(last=False)
                self._cached_postings -= len(evicted)
        return found


_EMPTY: array[int] = array("i")


class SegmentCache:
    """One open reader and one ``SegmentColumns`` per segment of a generation, by segment id.

    Whoosh's ``ix.reader()`` opens every segment again on each commit, and opening one copies
    its terms and postings out of the memory map (``BufferFile``): here each segment is opened
    once per process and shared by the snapshots that hold it, counted, and closed when the
    last of them is done and no commit lists it any more.
    """

    def __init__(self) -> None:
        self.codes = GenerationCodes()
        self._segments: dict[str, tuple[Any, SegmentColumns]] = {}
        self._users: dict[str, int] = {}
        self._gone: dict[str, Any] = {}  # readers of merged-away segments still in use
        self._lock = threading.Lock()
        self._derived: dict[str, tuple[Hashable, Any]] = {}

    def open(self, ix: Any) -> tuple[int, list[tuple[Any, Any, SegmentColumns]]]:
        """(generation, [(segment, reader, columns)]) of the latest commit of ``ix``.

        Every reader returned is counted as in use until ``release`` gets its segment id.
        The segment objects carry that commit's deletions; the readers may be older.
        """
        from whoosh.reading import SegmentReader

        toc = ix._read_toc()  # the commit's segment list, which ix.reader() would also read
        opened: list[tuple[Any, Any, SegmentColumns]] = []
        try:
            for segment in toc.segments:
                segment_id = segment.segment_id()
                found = self._segments.get(segment_id)
                if found is None:
                    reader = SegmentReader(ix.storage, toc.schema, segment, toc.generation)
                    try:
                        found = (reader, SegmentColumns(reader, self.codes))
                    except BaseException:
                        reader.close()
                        raise
                    self._segments[segment_id] = found
                with self._lock:
                    self._users[segment_id] = self._users.get(segment_id, 0) + 1
                opened.append((segment, *found))
        except BaseException:
            self.release([segment.segment_id() for segment, _r, _c in opened])
            raise
        listed = {segment.segment_id() for segment in toc.segments}
        with self._lock:
            for gone in set(self._segments) - listed:
                self._gone[gone] = self._segments.pop(gone)[0]
        self._close_unused()
        return toc.generation, opened

    def release(self, segment_ids: list[str]) -> None:
        """A snapshot is done with these segments' readers."""
        with self._lock:
            for segment_id in segment_ids:
                self._users[segment_id] -= 1
        self._close_unused()

    def close(self) -> None:
        """Close the readers no snapshot uses; the others close when released."""
        with self._lock:
            for segment_id, (reader, _columns) in self._segments.items():
                self._gone[segment_id] = reader
            self._segments = {}
        self._close_unused()

    def derived(self, name: str, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, kept under ``name`` until ``key`` changes (None: never kept).

        For what a generation's side files give (category words, spelling vocabulary): a
        commit rewrites them only when new words arrive, so most snapshots reuse them.
        """
        found = self._derived.get(name)
        if key is not None and found is not None and found[0] == key:
            value: T = found[1]
            return value
        value = build()
        if key is not None:
            self._derived[name] = (key, value)
        return value

    def _close_unused(self) -> None:
        with self._lock:
            unused = [i for i in self._gone if not self._users.get(i)]
            readers = [self._gone.pop(i) for i in unused]
            for segment_id in unused:
                self._users.pop(segment_id, None)
        for reader in readers:
            reader.close()


def file_key(path: Path) -> Hashable:
    """What changes when a file is replaced or rewritten; None when it cannot be told."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return "missing"
    except OSError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)
