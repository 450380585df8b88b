"""Whoosh codec tuned for this index's write path.

Profiling a 20k-shop build showed about 30% of commit time in per-posting document
length lookups (``doc_field_length`` for every posting) and zlib compression of posting
blocks. The library computes BM25 itself from its own length column and never uses
Whoosh's block-quality skipping, so both are switched off through the codec's public
options instead of patching Whoosh.
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile


class ShopCodec(W3Codec):  # type: ignore[misc]  # whoosh has no type hints
    """W3 codec without length statistics, with larger uncompressed posting blocks."""

    length_stats = False

    def __init__(self) -> None:
        super().__init__(blocklimit=256, compression=0)

    def new_segment(self, storage: Any, indexname: str) -> ShopSegment:
        return ShopSegment(self, indexname)


class ShopSegment(W3Segment):  # type: ignore[misc]
    """A W3 segment whose compound file is read in place from its memory map."""

    def open_compound_file(self, storage: Any) -> CompoundStorage:
        dbfile = storage.open_file(self.make_filename(self.COMPOUND_EXT))
        return MappedCompoundStorage(dbfile, use_mmap=storage.supports_mmap)


class MappedCompoundStorage(CompoundStorage):  # type: ignore[misc]
    """Whoosh's compound storage, without copying each sub-file out of the memory map.

    Whoosh maps the segment file, then hands each sub-file (postings, term dictionary, stored
    fields) to a ``BytesIO``, which copies it: at a million shops that was hundreds of MB of
    private memory in every worker. Reading the map in place keeps those pages shared between
    the workers (and in the page cache), however many of them open the index.
    """

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.is_closed or not self._source:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return MappedFile(memoryview(self._source)[offset : offset + length], name=name)


class MappedFile(BufferFile):  # type: ignore[misc]
    """A BufferFile whose reads slice its buffer instead of a private copy of it."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _BufferReader(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position: int, length: int, name: str | None = None) -> MappedFile:
        return MappedFile(self._buf[position : position + length], name=name or self._name)


class _BufferReader:
    """The read side of a file over a buffer, sharing the buffer (``io.BytesIO`` copies it)."""

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        start = self._position
        end = len(self._buf) if size is None or size < 0 else min(start + size, len(self._buf))
        self._position = max(start, end)
        return bytes(self._buf[start:end])

    def readline(self, size: int = -1) -> bytes:
        rest = self._buf[self._position :]
        limit = len(rest) if size is None or size < 0 else min(size, len(rest))
        found = bytes(rest[:limit]).find(b"\n")
        return self.read(limit if found < 0 else found + 1)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._buf)}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._buf = memoryview(b"")
