"""Everything a searcher needs about one committed state of the index, held in memory.

A snapshot is assembled from the per-segment columns of ``segments.py``: segments the
previous commit already had are reused as they are, so a commit that adds a small segment
(one changed shop) costs the decoding of that segment, the deletions, and joining the columns
(memory copies of 4 to 8 bytes a document), not a second decoding of the whole index. One
snapshot is kept per process and replaced only when the index changes. Term postings are
cached per segment (decoded) and per snapshot (with their BM25 partial scores).
"""

from __future__ import annotations

import math
import threading
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from itertools import compress
from pathlib import Path
from typing import Any

from .categories import CATEGORIES_FILE, CategoryWords
from .delivery import covering
from .documents import unpack_meta
from .models import GeoPoint
from .segments import SegmentCache, SegmentColumns, file_key, town_key
from .spelling import VOCAB_FILE, Vocabulary

__all__ = ["Snapshot", "town_key"]

# BM25 parameters (Whoosh's defaults).
BM25_K1 = 1.2
BM25_B = 0.75
# Upper bound on cached scored postings (entries across all cached terms), about 100 MB.
TERM_CACHE_POSTINGS = 1_000_000


class Snapshot:
    """In-memory view of one index generation at one commit."""

    def __init__(self, ix: Any, directory: Path, segments: SegmentCache) -> None:
        self.directory = directory
        self._segments = segments
        self.generation, opened = segments.open(ix)
        # (segment reader, its columns, base docnum) for each segment, in docnum order.
        self.parts: list[tuple[Any, SegmentColumns, int]] = []
        self._bases: list[int] = []
        size = 0
        for _segment, reader, segment_columns in opened:
            self.parts.append((reader, segment_columns, size))
            self._bases.append(size)
            size += segment_columns.size
        self.size = size
        live = bytearray(b"\x01") * size
        deleted_length = 0
        for (segment, _reader, segment_columns), (_r, _c, base) in zip(
            opened, self.parts, strict=True
        ):
            if segment.has_deletions():
                lengths = segment_columns.lengths
                for docnum in segment.deleted_docs():
                    live[base + docnum] = 0
                    deleted_length += lengths[docnum]
        self.live = live
        self.live_count: int = live.count(1)

        columns = [c for _r, c, _b in self.parts]
        self.docids = _joined(columns, "docids", "q")
        self.lat_e6 = _joined(columns, "lat_e6", "i")
        self.lon_e6 = _joined(columns, "lon_e6", "i")
        self.votes = _joined(columns, "votes", "i")
        self.created = _joined(columns, "created", "q")
        self.services = _joined(columns, "services", "i")
        self.delivery_km = _joined(columns, "delivery_km", "d")
        self.lengths = _joined(columns, "lengths", "i")
        self.category_code = _joined(columns, "category_code", "i")
        self.town_code = _joined(columns, "town_code", "i")
        self.postcode_code = _joined(columns, "postcode_code", "i")
        self.hours_code = _joined(columns, "hours_code", "i")
        # Shared, append-only value lists: a code of this snapshot always names its value.
        codes = segments.codes
        self.categories: list[str] = codes.categories.values
        self.towns: list[str] = codes.towns.values
        self.postcodes: list[str] = codes.postcodes.values
        # Many shops share their hours: a query evaluates each (hours, country) pair once.
        self.hours: list[tuple[str, str]] = codes.hours.values

        total_length = sum(c.total_length for c in columns) - deleted_length
        avgdl = total_length / self.live_count if self.live_count else 1.0
        # Per-document BM25 length normalisation, so a term score is idf * w / (w + norm).
        self._norm_a = BM25_K1 * (1 - BM25_B)
        self._norm_b = BM25_K1 * BM25_B / (avgdl or 1.0)

        self._lock = threading.Lock()
        self._term_cache: OrderedDict[str, dict[int, float]] = OrderedDict()
        self._cached_postings = 0
        self._by_category: dict[int, list[int]] = {}
        self._by_town: dict[str, list[int]] = {}
        self._vocabulary: Vocabulary | None = None
        # Read now: a search still running when a rebuild removes this generation needs it.
        self._category_words = CategoryWords()
        self._category_terms: dict[str, tuple[tuple[int, float], ...]] | None = None
        self._category_key: Hashable = None
        self.category_terms()
        self._users = 0
        self._retired = False
        self._closed = False

    # Lifetime: a snapshot replaced by a newer one is closed once its last search ends.

    def acquire(self) -> bool:
        """Register a search in progress; False if the snapshot is already closed."""
        with self._lock:
            if self._closed:
                return False
            self._users += 1
            return True

    def release(self) -> None:
        """End a search started with ``acquire``."""
        with self._lock:
            self._users -= 1
            close_now = self._retired and self._users == 0 and not self._closed
            if close_now:
                self._closed = True
        if close_now:
            self._close()

    def retire(self) -> None:
        """Close as soon as no search uses this snapshot any more."""
        with self._lock:
            self._retired = True
            close_now = self._users == 0 and not self._closed
            if close_now:
                self._closed = True
        if close_now:
            self._close()

    def _close(self) -> None:
        self._segments.release([columns.segment_id for _r, columns, _b in self.parts])

    # Text

    def term_scores(self, term: str) -> dict[int, float]:
        """Live docnum -> BM25 partial score for one term (empty if the term is unknown).

        A term of a category's words counts in each of its shops (see ``categories``), on top
        of what the shop's own text holds.
        """
        with self._lock:
            cached = self._term_cache.get(term)
            if cached is not None:
                self._term_cache.move_to_end(term)
                return cached
        live = self.live
        weights: dict[int, float] = {}
        for reader, columns, base in self.parts:
            ids, found = columns.postings(reader, term)
            weights.update(
                (d, w) for d, w in zip((i + base for i in ids), found, strict=True) if live[d]
            )
        categories = [
            (self.docs_in_category(code), weight)
            for code, weight in self.category_terms().get(term, ())
        ]
        doc_freq = len(weights.keys() | {d for docs, _w in categories for d in docs})
        n = self.live_count
        idf = math.log(1 + (n - doc_freq + 0.5) / (doc_freq + 0.5))
        factor = idf * (BM25_K1 + 1)
        norm_a, norm_b, lengths = self._norm_a, self._norm_b, self.lengths
        scores = {d: factor * w / (w + norm_a + norm_b * lengths[d]) for d, w in weights.items()}
        # A category's word says the same of each of its shops, whatever their length: scored
        # as in a document of average length, and added to what the shop's own text scores.
        for docs, weight in categories:
            bonus = factor * weight / (weight + BM25_K1)
            for d in docs:
                scores[d] = scores.get(d, 0.0) + bonus
        with self._lock:
            self._term_cache[term] = scores
            self._cached_postings += len(scores)
            while self._cached_postings > TERM_CACHE_POSTINGS and len(self._term_cache) > 1:
                _term, evicted = self._term_cache.popitem(last=False)
                self._cached_postings -= len(evicted)
        return scores

    def has_term(self, term: str) -> bool:
        """Whether any live document contains the term."""
        return bool(self.term_scores(term))

    # Filters

    def grids(self) -> list[tuple[dict[tuple[int, int], array[int]], int]]:
        """(grid cell -> local docnums, base docnum) of each segment; see ``live_in``."""
        return [(columns.grid(), base) for _r, columns, base in self.parts]

    def live_in(self, local: Sequence[int], base: int) -> list[int]:
        """The live documents among a segment's ``local`` docnums, as snapshot docnums."""
        live = self.live
        return [d for d in (i + base for i in local) if live[d]]

    def delivery_candidates(self, point: GeoPoint) -> list[int]:
        """Live docnums of the delivering shops near enough to ``point`` to test exactly."""
        found: list[int] = []
        for _reader, columns, base in self.parts:
            found.extend(self.live_in(columns.delivery_zones().candidates(point), base))
        return found

    def delivering_to(self, point: GeoPoint, docs: Iterable[int]) -> list[int]:
        """Those of ``docs`` whose delivery zone holds ``point`` (the exact test)."""
        return covering(point, docs, self.delivery_km, self.lat_e6, self.lon_e6)

    def docs_in_category(self, code: int) -> list[int]:
        """Live docnums of one category code, ascending."""
        docs = self._by_category.get(code)
        if docs is None:
            docs = []
            for _reader, columns, base in self.parts:
                docs.extend(self.live_in(columns.in_category(code), base))
            self._by_category[code] = docs
        return docs

    def docs_in_town(self, town: str) -> list[int]:
        """Live docnums whose town (folded) or postcode equals ``town``, in docnum order."""
        return self.docs_in_towns([town])

    def docs_in_towns(self, towns: Iterable[str]) -> list[int]:
        """Live docnums whose town or postcode equals any of ``towns``, in docnum order.

        Names compare folded and by their words alone, so "Habay-la-Neuve", "HABAY LA NEUVE"
        and "Habay-La-Neuve" are one town.
        """
        lists = [self._in_town(key) for key in {town_key(town) for town in towns}]
        if len(lists) == 1:
            return lists[0]
        return sorted({d for docs in lists for d in docs})

    def _in_town(self, key: str) -> list[int]:
        docs = self._by_town.get(key)
        if docs is None:
            docs = []
            for _reader, columns, base in self.parts:
                docs.extend(self.live_in(columns.in_town(key), base))
            self._by_town[key] = docs
        return docs

    def live_docnums(self) -> list[int]:
        """Every live docnum."""
        return list(compress(range(self.size), self.live))

    # Stored data

    def stored(self, docnum: int) -> dict[str, Any]:
        """Stored fields (name, description, products) of one document."""
        part = bisect_right(self._bases, docnum) - 1
        reader, _columns, base = self.parts[part]
        fields: dict[str, Any] = reader.stored_fields(docnum - base)
        return fields

    def versions(self) -> dict[int, str]:
        """Document id -> version string for every live document (read from the files)."""
        versions: dict[int, str] = {}
        live = self.live
        for reader, _columns, base in self.parts:
            for docnum, data in enumerate(reader.column_reader("meta", translate=False)):
                if live[base + docnum]:
                    meta = unpack_meta(data)
                    versions[meta.docid] = meta.version
        return versions

    def vocabulary(self) -> Vocabulary:
        """Spelling vocabulary of this generation, loaded on first use."""
        if self._vocabulary is None:
            key = (file_key(self.directory / VOCAB_FILE), self._category_key)
            self._vocabulary = self._segments.derived("vocabulary", key, self._load_vocabulary)
        return self._vocabulary

    def _load_vocabulary(self) -> Vocabulary:
        vocabulary = Vocabulary.load(self.directory)
        vocabulary.merge(self._category_words.vocabulary())
        return vocabulary

    def category_terms(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """Index term -> (code, weight) of the categories whose words hold it.

        Categories no document of this snapshot has are left out.
        """
        if self._category_terms is None:
            # Stat first: a file replaced meanwhile is read again by the next snapshot.
            self._category_key = file_key(self.directory / CATEGORIES_FILE)
            known = len(self.categories)
            self._category_words, self._category_terms = self._segments.derived(
                "category_terms", (self._category_key, known), self._load_category_terms
            )
        return self._category_terms

    def _load_category_terms(
        self,
    ) -> tuple[CategoryWords, dict[str, tuple[tuple[int, float], ...]]]:
        codes = {slug: code for code, slug in enumerate(self.categories)}
        words = CategoryWords.load(self.directory)
        terms = {
            term: tuple(sorted((codes[s], w) for s, w in slugs.items() if s in codes))
            for term, slugs in words.terms().items()
        }
        return words, terms


def _joined(columns: list[SegmentColumns], name: str, typecode: str) -> array[Any]:
    """One column of every segment end to end (the segment's own array when there is one)."""
    if len(columns) == 1:
        only: array[Any] = getattr(columns[0], name)
        return only
    joined: array[Any] = array(typecode)
    for segment in columns:
        joined += getattr(segment, name)
    return joined
