"""Segment files are read in place from their memory map, shared by every worker process."""

from __future__ import annotations

import io
import random

from search_index import SearchIndex, SearchQuery, ShopDocument, storage
from search_index.codec import MappedFile, ShopSegment, _BufferReader


def test_segments_open_their_files_without_a_private_copy(
    shop_index: SearchIndex, shop_docs: list[ShopDocument]
) -> None:
    shop_index.add_or_update(shop_docs[:1])  # an update's segment too
    ix, files = storage.open_generation(storage.current_generation(shop_index.path))
    try:
        segments = ix._segments()
        assert len(segments) >= 2
        for segment in segments:
            assert isinstance(segment, ShopSegment)
            compound = segment.open_compound_file(files)
            try:
                opened = [compound.open_file(name) for name in compound.list()]
                assert opened and all(isinstance(f, MappedFile) for f in opened)
                assert all(isinstance(f.file, _BufferReader) for f in opened)
            finally:
                del opened
                compound.close()
    finally:
        ix.close()
    assert shop_index.search(SearchQuery(text=shop_docs[0].name.split()[0])).total >= 1


def test_the_buffer_reader_reads_as_bytes_io_does() -> None:
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4000)) + b"line one\nline two\nend"
    ours, theirs = _BufferReader(memoryview(data)), io.BytesIO(data)
    for _ in range(2000):
        operation = rng.choice(("read", "readline", "seek", "seek_cur", "seek_end"))
        if operation == "read":
            size = rng.choice((-1, 0, 1, 7, 300, 5000))
            assert ours.read(size) == theirs.read(size)
        elif operation == "readline":
            size = rng.choice((-1, 3, 50))
            assert ours.readline(size) == theirs.readline(size)
        elif operation == "seek":
            position = rng.randrange(len(data) + 10)
            assert ours.seek(position) == theirs.seek(position)
        elif operation == "seek_cur":
            offset = rng.randrange(-100, 100)
            offset = max(offset, -theirs.tell())
            assert ours.seek(offset, io.SEEK_CUR) == theirs.seek(offset, io.SEEK_CUR)
        else:
            offset = -rng.randrange(0, 200)
            assert ours.seek(offset, io.SEEK_END) == theirs.seek(offset, io.SEEK_END)
        assert ours.tell() == theirs.tell()
