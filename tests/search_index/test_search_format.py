"""An index written in another format is reported as needing a rebuild, never misread."""

from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from shop_fixtures import directory
from whoosh import columns, fields
from whoosh import index as whoosh_index

from search_index import IndexCorruptError, IndexOutdatedError, SearchIndex, SearchQuery, storage
from search_index.documents import DocMeta, pack_meta, unpack_meta
from search_index.schema import FORMAT_VERSION, PreAnalyzedText
from tests.index_damage import live_generation


def write_format_1_index(root: Path) -> None:
    """An index as the code before format records wrote it: its schema, its ``meta`` layout
    (numbers then category, town, postcode and version) and no FORMAT file."""
    schema = fields.Schema(
        id=fields.ID(unique=True),
        text=PreAnalyzedText(),
        name=fields.STORED(),
        description=fields.STORED(),
        meta=fields.COLUMN(columns.VarBytesColumn()),
    )
    generation = storage.new_generation(root)
    writer = whoosh_index.create_in(str(generation), schema).writer()
    for doc in directory():
        strings = [s.encode() for s in (doc.category_slug, doc.town, doc.postcode, doc.version)]
        head = struct.pack(
            "!qiiiqBHHHHH",
            doc.id,
            round(doc.lat * 1e6),
            round(doc.lon * 1e6),
            doc.votes,
            int(doc.created_at.timestamp()),
            0,
            3,
            *(len(s) for s in strings),
        )
        writer.add_document(
            id=str(doc.id),
            text=["fleur"],
            name=doc.name,
            description=doc.description,
            meta=head + b"".join(strings),
        )
    writer.commit()
    storage.publish(root, generation)


def record(text: str) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (live_generation(root) / storage.FORMAT_FILE).write_text(text, encoding="utf-8")

    return write


def built(root: Path) -> None:
    SearchIndex.rebuild(root, directory()).close()


OUTDATED: dict[str, Callable[[Path], None]] = {
    "written by the code before format records": write_format_1_index,
    "record of a newer format": lambda root: (built(root), record(f"{FORMAT_VERSION + 1}\n")(root)),
    "record removed": lambda root: (
        built(root),
        (live_generation(root) / storage.FORMAT_FILE).unlink(),
    ),
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "index"


def test_a_rebuilt_index_records_this_codes_format(root: Path) -> None:
    built(root)
    assert (live_generation(root) / storage.FORMAT_FILE).read_text().strip() == str(FORMAT_VERSION)
    assert SearchIndex(root).verify() == len(directory())


@pytest.mark.parametrize("make", OUTDATED.values(), ids=OUTDATED.keys())
def test_an_index_of_another_format_is_outdated(root: Path, make: Callable[[Path], None]) -> None:
    make(root)
    index = SearchIndex(root)
    with pytest.raises(IndexOutdatedError) as raised:
        index.search(SearchQuery(text="fleur"))
    assert isinstance(raised.value, IndexCorruptError)  # callers that know "damaged" cope
    assert "rebuild" in str(raised.value)
    with pytest.raises(IndexOutdatedError):
        index.verify()
    with pytest.raises(IndexOutdatedError):
        index.versions()
    index.close()


@pytest.mark.parametrize("make", OUTDATED.values(), ids=OUTDATED.keys())
def test_nothing_is_written_into_an_outdated_index(
    root: Path, make: Callable[[Path], None]
) -> None:
    make(root)
    generation = live_generation(root)
    before = sorted(p.name for p in generation.iterdir())
    with pytest.raises(IndexOutdatedError):
        SearchIndex(root).add_or_update(directory()[:1])
    with pytest.raises(IndexOutdatedError):
        SearchIndex(root).delete([1])
    assert sorted(p.name for p in generation.iterdir()) == before


@pytest.mark.parametrize("make", OUTDATED.values(), ids=OUTDATED.keys())
def test_rebuild_repairs_an_outdated_index(root: Path, make: Callable[[Path], None]) -> None:
    make(root)
    index = SearchIndex.rebuild(root, directory())
    assert index.verify() == len(directory())
    assert index.search(SearchQuery(text="fleuriste")).total == 3
    index.close()


def test_a_garbage_format_record_is_damage_not_an_old_format(root: Path) -> None:
    built(root)
    record("deux\x00\xff")(root)
    with pytest.raises(IndexCorruptError) as raised:
        SearchIndex(root).search(SearchQuery(text="fleur"))
    assert not isinstance(raised.value, IndexOutdatedError)


def test_meta_round_trips_every_field() -> None:
    meta = DocMeta(
        docid=7,
        lat_e6=49_683_300,
        lon_e6=-1_247_600,
        votes=3,
        created=int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()),
        services=0b1010,
        length=42,
        delivery_km=12.5,
        category="épicerie-fine",
        town="Liège",
        postcode="4000",
        version="abc",
        opening_hours="Mo-Sa 09:00-18:00; PH off",
        country="BE",
    )
    assert unpack_meta(pack_meta(meta)) == meta
