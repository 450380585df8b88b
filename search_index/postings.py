"""Bulk decoding of one term's postings from a Whoosh 2.7.4 segment.

Why this module reaches into private attributes: iterating a matcher with the public
``id()/weight()/next()`` calls costs several microseconds per posting, which dominates
broad queries on 100k shops. Whoosh's W3 codec stores postings as pickled blocks of
delta-encoded ids plus a weights array, so whole blocks can be decoded at C speed.
Everything version-specific lives here; ``tests/search_index/test_postings.py`` checks
this decoder against the public matcher API so a Whoosh upgrade that changes the
format fails loudly instead of returning wrong results.
"""

from __future__ import annotations

from itertools import accumulate, repeat
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import TermNotFound


def read_postings(segment_reader: Any, fieldname: str, term: str) -> tuple[list[int], list[float]]:
    """Return (docnums, weights) of a term in one segment, deleted documents included."""
    fieldobj = segment_reader.schema[fieldname]
    try:
        matcher = segment_reader._terms.matcher(fieldname, term.encode("utf-8"), fieldobj.format)
    except (TermNotFound, KeyError):
        return [], []
    if type(matcher) is W3LeafMatcher:
        return _read_blocks(matcher)
    return _read_generic(matcher)


def _read_blocks(matcher: W3LeafMatcher) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    while True:
        matcher._read_data()
        block_ids, block_weights = matcher._data[0], matcher._data[1]
        ids.extend(block_ids if matcher._byteids else accumulate(block_ids))
        count = matcher._blocklength
        if block_weights is None:
            weights.extend(repeat(1.0, count))
        elif isinstance(block_weights, float):
            weights.extend(repeat(block_weights, count))
        else:
            weights.extend(block_weights)
        if matcher._lastblock:
            return ids, weights
        matcher._goto(matcher._nextoffset)


def _read_generic(matcher: Any) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights
