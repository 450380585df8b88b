"""Everything a searcher needs about one committed state of the index, held in memory.

Opening costs about a second at 100k shops (columns read into lists, see the notes), so
one snapshot is kept per process and replaced only when the index changes. Term
postings are decoded once and cached with their BM25 partial scores.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from .analysis import WORD_RE, fold
from .categories import CategoryWords
from .delivery import DeliveryZones
from .documents import unpack_meta
from .geo import cell_of
from .postings import read_postings
from .schema import TEXT_FIELD
from .spelling import Vocabulary

# BM25 parameters (Whoosh's defaults).
BM25_K1 = 1.2
BM25_B = 0.75
# Upper bound on cached postings (entries across all cached terms), about 100 MB.
TERM_CACHE_POSTINGS = 1_000_000

_Value = TypeVar("_Value", str, tuple[str, str])


class Snapshot:
    """In-memory view of one index generation at one commit."""

    def __init__(self, ix: Any, directory: Path, generation: int) -> None:
        self.directory = directory
        self.generation = generation
        self.reader = ix.reader()
        self.leaves: list[tuple[Any, int]] = list(self.reader.leaf_readers())
        if not self.reader.doc_count_all():
            self.leaves = []  # an empty index has an EmptyReader with no segments
        size: int = self.reader.doc_count_all()
        self.size = size
        live = bytearray(b"\x01") * size
        for segment, base in self.leaves:
            if segment.has_deletions():
                for docnum in range(segment.doc_count_all()):
                    if segment.is_deleted(docnum):
                        live[base + docnum] = 0
        self.live = live
        self.live_count: int = sum(live)

        metas = [unpack_meta(m) for m in self._column("meta")]
        self.docids: list[int] = [m.docid for m in metas]
        self.lat_e6: list[int] = [m.lat_e6 for m in metas]
        self.lon_e6: list[int] = [m.lon_e6 for m in metas]
        self.votes: list[int] = [m.votes for m in metas]
        self.created: list[int] = [m.created for m in metas]
        self.services: list[int] = [m.services for m in metas]
        self.delivery_km: list[float] = [m.delivery_km for m in metas]
        # Many shops share their hours: a query evaluates each (hours, country) pair once.
        self.hours, self.hours_code = _encode([(m.opening_hours, m.country) for m in metas])
        lengths = [m.length for m in metas]
        self.categories, self.category_code = _encode([m.category for m in metas])
        self.towns, self.town_code = _encode([m.town for m in metas])
        self.postcodes, self.postcode_code = _encode([m.postcode for m in metas])
        self._versions = [m.version for m in metas]

        total_length = sum(length for length, alive in zip(lengths, live, strict=True) if alive)
        avgdl = total_length / self.live_count if self.live_count else 1.0
        norm_a = BM25_K1 * (1 - BM25_B)
        norm_b = BM25_K1 * BM25_B / (avgdl or 1.0)
        # Per-document BM25 length normalisation, so a term score is idf * w / (w + norm).
        self.bm25_norm = [norm_a + norm_b * length for length in lengths]

        self._lock = threading.Lock()
        self._term_cache: OrderedDict[str, dict[int, float]] = OrderedDict()
        self._cached_postings = 0
        self._grid: dict[tuple[int, int], list[int]] | None = None
        self._delivery_zones: DeliveryZones | None = None
        self._by_category: dict[int, list[int]] = {}
        self._by_town: dict[str, list[int]] | None = None
        self._vocabulary: Vocabulary | None = None
        # Read now: a search still running when a rebuild removes this generation needs it.
        self._category_words = CategoryWords()
        self._category_terms: dict[str, tuple[tuple[int, float], ...]] | None = None
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
            self.reader.close()

    def retire(self) -> None:
        """Close as soon as no search uses this snapshot any more."""
        with self._lock:
            self._retired = True
            close_now = self._users == 0 and not self._closed
            if close_now:
                self._closed = True
        if close_now:
            self.reader.close()

    def _column(self, name: str) -> list[Any]:
        if not self.size:
            return []  # Whoosh's EmptyReader has no columns at all
        return list(self.reader.column_reader(name, translate=False))

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
        for segment, base in self.leaves:
            ids, found = read_postings(segment, TEXT_FIELD, term)
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
        norm = self.bm25_norm
        scores = {d: factor * w / (w + norm[d]) for d, w in weights.items()}
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

    def grid(self) -> dict[tuple[int, int], list[int]]:
        """Grid cell -> live docnums in it, built on first use."""
        if self._grid is None:
            grid: dict[tuple[int, int], list[int]] = defaultdict(list)
            for docnum, (lat, lon, alive) in enumerate(
                zip(self.lat_e6, self.lon_e6, self.live, strict=True)
            ):
                if alive:
                    grid[cell_of(lat, lon)].append(docnum)
            self._grid = dict(grid)
        return self._grid

    def delivery_zones(self) -> DeliveryZones:
        """The delivering shops bucketed for ``delivers_to``, built on first use."""
        if self._delivery_zones is None:
            self._delivery_zones = DeliveryZones(
                self.lat_e6, self.lon_e6, self.delivery_km, self.live
            )
        return self._delivery_zones

    def docs_in_category(self, code: int) -> list[int]:
        """Live docnums of one category code."""
        docs = self._by_category.get(code)
        if docs is None:
            docs = [
                d
                for d, (c, alive) in enumerate(zip(self.category_code, self.live, strict=True))
                if alive and c == code
            ]
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
        if self._by_town is None:
            by_town: dict[str, list[int]] = defaultdict(list)
            town_keys = [town_key(name) for name in self.towns]
            postcode_keys = [town_key(pc) for pc in self.postcodes]
            for d, (t, p, alive) in enumerate(
                zip(self.town_code, self.postcode_code, self.live, strict=True)
            ):
                if alive:
                    by_town[town_keys[t]].append(d)
                    if postcode_keys[p] != town_keys[t]:
                        by_town[postcode_keys[p]].append(d)
            self._by_town = dict(by_town)
        lists = [self._by_town.get(key, []) for key in {town_key(town) for town in towns}]
        if len(lists) == 1:
            return lists[0]
        return sorted({d for docs in lists for d in docs})

    def live_docnums(self) -> list[int]:
        """Every live docnum."""
        return [d for d, alive in enumerate(self.live) if alive]

    # Stored data

    def stored(self, docnum: int) -> dict[str, Any]:
        """Stored fields (name, description, products) of one document."""
        fields: dict[str, Any] = self.reader.stored_fields(docnum)
        return fields

    def versions(self) -> dict[int, str]:
        """Document id -> version string for every live document."""
        return {
            docid: version
            for docid, version, alive in zip(self.docids, self._versions, self.live, strict=True)
            if alive
        }

    def vocabulary(self) -> Vocabulary:
        """Spelling vocabulary of this generation, loaded on first use."""
        if self._vocabulary is None:
            vocabulary = Vocabulary.load(self.directory)
            vocabulary.merge(self._category_words.vocabulary())
            self._vocabulary = vocabulary
        return self._vocabulary

    def category_terms(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """Index term -> (code, weight) of the categories whose words hold it.

        Categories no document of this snapshot has are left out.
        """
        if self._category_terms is None:
            codes = {slug: code for code, slug in enumerate(self.categories)}
            self._category_words = CategoryWords.load(self.directory)
            self._category_terms = {
                term: tuple(sorted((codes[s], w) for s, w in slugs.items() if s in codes))
                for term, slugs in self._category_words.terms().items()
            }
        return self._category_terms


def _encode(values: list[_Value]) -> tuple[list[_Value], list[int]]:
    """Dictionary-encode a column: (distinct values, code per document)."""
    codes: dict[_Value, int] = {}
    encoded = [codes.setdefault(v, len(codes)) for v in values]
    return list(codes), encoded


def town_key(town: str) -> str:
    """A town name or postcode as the town filter compares it: folded words, single-spaced."""
    return " ".join(WORD_RE.findall(fold(town)))
