"""Writing: updates, deletes, versions, atomic rebuilds and concurrent writers."""

import multiprocessing
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from shop_fixtures import bump, directory, ids

from search_index import IndexBusyError, IndexMissingError, SearchIndex, SearchQuery, ShopDocument


def test_update_replaces_the_document(
    shop_index: SearchIndex, shop_docs: list[ShopDocument]
) -> None:
    shop_index.add_or_update([bump(shop_docs[0], name="Les Tulipes d'Anna")])
    assert shop_index.doc_count() == 12
    assert ids(shop_index.search(SearchQuery(text="tulipes"))) == [1]
    assert shop_index.search(SearchQuery(text="jardin")).total == 0
    assert shop_index.versions()[1] == "v1-3+"


def test_duplicate_ids_in_one_batch_keep_the_last(
    shop_index: SearchIndex, shop_docs: list[ShopDocument]
) -> None:
    first = replace(shop_docs[0], name="Premier")
    last = replace(shop_docs[0], name="Dernier")
    shop_index.add_or_update([first, last])
    assert shop_index.doc_count() == 12
    assert shop_index.search(SearchQuery(text="premier")).total == 0
    assert ids(shop_index.search(SearchQuery(text="dernier"))) == [1]


def test_new_words_become_suggestions(
    shop_index: SearchIndex, shop_docs: list[ShopDocument]
) -> None:
    shop_index.add_or_update([bump(shop_docs[0], description="Orchidées rares")])
    results = shop_index.search(SearchQuery(text="orchidee"))
    assert ids(results) == [1]
    assert shop_index.search(SearchQuery(text="orchdees")).suggestion == "orchidées"


def test_delete(shop_index: SearchIndex) -> None:
    shop_index.delete([2, 3, 999])
    assert shop_index.doc_count() == 10
    assert ids(shop_index.search(SearchQuery(text="fleuriste"))) == [1]
    assert set(shop_index.versions()) == {1, 4, 5, 6, 7, 8, 9, 10, 11, 12}
    facets = shop_index.search(SearchQuery(text="arlon")).facets
    assert facets["category"] == [("epicerie-fine", 1), ("fleuriste", 1)]


def test_versions_lists_every_document(
    shop_index: SearchIndex, shop_docs: list[ShopDocument]
) -> None:
    assert shop_index.versions() == {doc.id: doc.version for doc in shop_docs}


def test_another_instance_sees_committed_changes(tmp_path: Path, shop_index: SearchIndex) -> None:
    other = SearchIndex(shop_index.path)
    assert other.doc_count() == 12
    shop_index.delete([1])
    assert other.doc_count() == 11
    other.close()


def test_rebuild_swaps_atomically_and_old_readers_keep_working(tmp_path: Path) -> None:
    path = tmp_path / "index"
    docs = directory()
    reader = SearchIndex.rebuild(path, docs[:6])
    old_snapshot = reader._acquire_snapshot()  # a search that is in progress during the swap
    seen: list[int] = []

    SearchIndex.rebuild(path, docs[6:], progress=seen.append)

    assert seen[-1] == 6
    generations = [p.name for p in path.iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 1  # the old generation was removed
    from search_index.search import search

    # The in-flight snapshot still answers from the old, deleted generation...
    old = search(old_snapshot, SearchQuery(text="fleuriste", per_page=100))
    assert set(ids(old)) == {1, 2, 3}
    assert "jardin" in old.hits[0].highlight or "Fleurs" in old.hits[1].highlight
    old_snapshot.release()
    # ...while new searches on the same SearchIndex see the new generation.
    assert reader.doc_count() == 6
    assert reader.search(SearchQuery(text="fleuriste")).total == 0
    assert reader.search(SearchQuery(text="librairie")).total == 2
    reader.close()


def test_failed_rebuild_leaves_the_index_untouched(tmp_path: Path) -> None:
    path = tmp_path / "index"
    docs = directory()
    SearchIndex.rebuild(path, docs).close()

    def broken():
        yield docs[0]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        SearchIndex.rebuild(path, broken())
    index = SearchIndex(path)
    assert index.doc_count() == 12
    assert len([p for p in path.iterdir() if p.name.startswith("gen-")]) == 1
    index.close()


def test_overlapping_rebuilds_leave_a_live_index(tmp_path: Path) -> None:
    # Rebuild A starts first but finishes last; B must neither delete A's work under it nor
    # leave CURRENT naming a deleted directory.
    path = tmp_path / "index"
    docs = directory()
    SearchIndex.rebuild(path, docs[:2]).close()
    a_started, b_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_docs():
        yield docs[0]
        a_started.set()
        b_done.wait(timeout=3)  # B is blocked by A's rebuild lock: this times out
        yield from docs[1:]

    def rebuild_a() -> None:
        try:
            SearchIndex.rebuild(path, slow_docs()).close()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=rebuild_a)
    thread.start()
    assert a_started.wait(timeout=10)
    b = threading.Thread(target=lambda: (SearchIndex.rebuild(path, docs[:3]).close(), b_done.set()))
    b.start()
    thread.join()
    b.join()
    assert errors == []
    index = SearchIndex(path)
    assert index.doc_count() == 3  # B ran after A, so its documents are live
    assert index.search(SearchQuery(text="fleuriste")).total >= 1
    assert len([p for p in path.iterdir() if p.name.startswith("gen-")]) == 1
    index.close()


def test_rebuild_rejects_duplicate_ids(tmp_path: Path) -> None:
    docs = directory()
    with pytest.raises(ValueError, match="duplicate"):
        SearchIndex.rebuild(tmp_path / "index", [docs[0], docs[0]])


def test_writers_in_threads_never_see_lock_errors(
    shop_index: SearchIndex, shop_docs: list[ShopDocument]
) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        index = SearchIndex(shop_index.path)
        try:
            for round_ in range(5):
                doc = shop_docs[worker]
                index.add_or_update([replace(doc, version=f"t{worker}-{round_}")])
        except BaseException as exc:
            errors.append(exc)
        finally:
            index.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    versions = shop_index.versions()
    assert [versions[shop_docs[w].id] for w in range(4)] == [f"t{w}-4" for w in range(4)]
    assert shop_index.doc_count() == 12


def _write_from_process(path: str, worker: int) -> None:
    index = SearchIndex(path)
    doc = directory()[worker]
    for round_ in range(5):
        index.add_or_update([replace(doc, version=f"p{worker}-{round_}")])
    index.close()


def test_writers_in_processes_never_see_lock_errors(shop_index: SearchIndex) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_write_from_process, args=(str(shop_index.path), w))
        for w in range(2)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0]
    versions = shop_index.versions()
    assert versions[1] == "p0-4" and versions[2] == "p1-4"


def test_a_writer_blocked_past_the_timeout_gets_index_busy(
    shop_index: SearchIndex, shop_docs: list[ShopDocument]
) -> None:
    impatient = SearchIndex(shop_index.path, write_timeout=0.2)
    with shop_index._writer(), pytest.raises(IndexBusyError):
        impatient.add_or_update([bump(shop_docs[0])])
    impatient.close()


def _hold_apply_lock(
    path: str, held: "multiprocessing.synchronize.Event", done: "multiprocessing.synchronize.Event"
) -> None:
    with SearchIndex(path).applying():
        held.set()
        done.wait(timeout=30)


def test_the_apply_lock_is_shared_by_every_process(shop_index: SearchIndex) -> None:
    context = multiprocessing.get_context("spawn")
    held, done = context.Event(), context.Event()
    holder = context.Process(target=_hold_apply_lock, args=(str(shop_index.path), held, done))
    holder.start()
    try:
        assert held.wait(timeout=30)
        busy = SearchIndex(shop_index.path, write_timeout=0.1)
        with pytest.raises(IndexBusyError), busy.applying():
            pass
    finally:
        done.set()
        holder.join(timeout=30)
    with SearchIndex(shop_index.path, write_timeout=5).applying():
        pass  # free again once the holder is gone


def test_the_apply_lock_of_a_missing_index_says_so(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError), SearchIndex(tmp_path / "nowhere").applying():
        pass
