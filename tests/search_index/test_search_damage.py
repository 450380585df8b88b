"""A damaged or missing index raises the library's own typed errors; rebuild always repairs."""

from collections.abc import Callable
from pathlib import Path

import pytest
from shop_fixtures import directory

from search_index import (
    IndexCorruptError,
    IndexMissingError,
    IndexUnavailableError,
    InvalidQueryError,
    SearchIndex,
    SearchIndexError,
    SearchQuery,
)
from tests.index_damage import ANY_DAMAGE, READ_DAMAGE, garbage_vocabulary, generations


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "index"
    SearchIndex.rebuild(path, directory()).close()
    return path


def test_opening_a_missing_index_creates_nothing(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "nowhere")
    with pytest.raises(IndexMissingError):
        index.search(SearchQuery(text="fleur"))
    with pytest.raises(IndexMissingError):
        index.doc_count()
    assert not (tmp_path / "nowhere").exists()


def test_a_deleted_generation_is_a_missing_index(root: Path) -> None:
    ANY_DAMAGE["deleted generation"](root)
    with pytest.raises(IndexMissingError):
        SearchIndex(root).search(SearchQuery(text="fleur"))


@pytest.mark.parametrize("damage", READ_DAMAGE.values(), ids=READ_DAMAGE.keys())
def test_damaged_files_raise_index_corrupt(root: Path, damage: Callable[[Path], None]) -> None:
    damage(root)
    index = SearchIndex(root)
    with pytest.raises(IndexCorruptError) as raised:
        index.search(SearchQuery(text="fleur"))
    assert isinstance(raised.value, IndexUnavailableError)
    assert not isinstance(raised.value, InvalidQueryError)
    with pytest.raises(IndexCorruptError):
        index.verify()


def test_a_corrupt_vocabulary_is_a_broken_index_not_a_bad_query(root: Path) -> None:
    garbage_vocabulary(root)
    index = SearchIndex(root)
    assert index.search(SearchQuery(text="fleuriste")).total >= 1  # needs no spelling
    with pytest.raises(IndexCorruptError):
        index.search(SearchQuery(text="fleurisste"))  # misspelt: needs the vocabulary
    with pytest.raises(IndexCorruptError):
        index.verify()


def test_a_bad_query_names_its_field(root: Path) -> None:
    with pytest.raises(InvalidQueryError) as raised:
        SearchIndex(root).search(SearchQuery(per_page=0))
    assert raised.value.field == "per_page"
    assert isinstance(raised.value, SearchIndexError)


def test_verify_counts_the_documents_of_a_sound_index(root: Path) -> None:
    assert SearchIndex(root).verify() == len(directory())


def test_rebuild_of_no_documents_is_the_empty_index(tmp_path: Path) -> None:
    index = SearchIndex.rebuild(tmp_path / "index", [])
    assert index.doc_count() == 0
    assert index.search(SearchQuery(text="fleur")).total == 0
    index.close()


@pytest.mark.parametrize("damage", ANY_DAMAGE.values(), ids=ANY_DAMAGE.keys())
def test_rebuild_repairs_any_damage(root: Path, damage: Callable[[Path], None]) -> None:
    damage(root)
    index = SearchIndex.rebuild(root, directory())
    assert index.verify() == len(directory())
    assert index.search(SearchQuery(text="fleurisste")).suggestion is not None
    assert len(generations(root)) == 1
    index.close()


def test_a_failed_rebuild_leaves_no_orphan_generation(root: Path) -> None:
    def broken():
        yield directory()[0]
        raise RuntimeError("database went away")

    ANY_DAMAGE["garbage pointer"](root)
    with pytest.raises(RuntimeError):
        SearchIndex.rebuild(root, broken())
    assert len(generations(root)) == 1  # only the (damaged) previous one
    SearchIndex.rebuild(root, directory()).close()
    assert len(generations(root)) == 1


def test_excluded_ids_are_left_out_of_totals_and_facets(root: Path) -> None:
    index = SearchIndex(root)
    everything = index.search(SearchQuery(text="fleuriste", per_page=100))
    hidden = everything.hits[0].id
    rest = index.search(
        SearchQuery(text="fleuriste", per_page=100, exclude_ids=frozenset({hidden}))
    )
    assert rest.total == everything.total - 1
    assert hidden not in [hit.id for hit in rest.hits]
    assert sum(count for _slug, count in rest.facets["category"]) == rest.total
