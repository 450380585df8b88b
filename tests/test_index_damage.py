"""A damaged, missing or empty index answers 503 with a notice, and `flask reindex` repairs it."""

from collections.abc import Callable
from pathlib import Path

import pytest

from directory.extensions import db
from directory.search.bridge import drain, get_index
from search_index import IndexMissingError, SearchIndex
from tests.index_damage import (
    ANY_DAMAGE,
    READ_DAMAGE,
    delete_index,
    garbage_vocabulary,
    generations,
)

UNREADABLE = {
    **READ_DAMAGE,
    "deleted generation": ANY_DAMAGE["deleted generation"],
    "deleted index": delete_index,
}


@pytest.fixture
def root(app, make_shop) -> Path:
    """Two visible shops, indexed by `flask reindex`; the index directory."""
    make_shop(name="Au jardin d'Anna", category="fleuriste")
    make_shop(name="Le Fournil d'Arlon", category="boulangerie")
    assert cli(app, "reindex").exit_code == 0
    return Path(app.config["SEARCH_INDEX_DIR"])


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def restart_search(app) -> None:
    """What a worker started after the damage sees: no index held open in memory."""
    index = app.extensions.pop("search_index", None)
    if index is not None:
        index.close()


def damage_index(app, root: Path, damage: Callable[[Path], None]) -> None:
    damage(root)
    restart_search(app)


def assert_search_unavailable(browser, root: Path, query: str = "q=fleuriste") -> None:
    response = browser.get(f"/api/v1/search?{query}")
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"]["field"] is None
    assert "indisponible" in body["error"]["message"]
    page = browser.get(f"/search?{query}")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "indisponible" in html
    for text in (response.get_data(as_text=True), html):
        assert str(root) not in text
        assert "CURRENT" not in text


@pytest.mark.parametrize("damage", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_index_answers_503(app, browser, root, damage):
    damage_index(app, root, damage)
    assert_search_unavailable(browser, root)


def test_a_misspelt_query_on_a_corrupt_vocabulary_answers_503_not_400(app, browser, root):
    damage_index(app, root, garbage_vocabulary)
    assert browser.get("/api/v1/search?q=fleuriste").status_code == 200
    assert_search_unavailable(browser, root, "q=fleurisste")


def test_search_check_reports_a_corrupt_vocabulary(app, root):
    damage_index(app, root, garbage_vocabulary)
    result = cli(app, "search-check")
    assert result.exit_code == 1
    assert "damaged" in result.output
    assert "matches" not in result.output


def test_a_deleted_index_is_not_recreated_empty(app, browser, root):
    damage_index(app, root, delete_index)
    assert_search_unavailable(browser, root)
    assert not root.exists()


@pytest.mark.parametrize("damage", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_search_check_says_an_unreadable_index_needs_a_reindex(app, root, damage):
    damage_index(app, root, damage)
    result = cli(app, "search-check")
    assert result.exit_code == 1
    assert "reindex" in result.output
    assert "matches" not in result.output


def test_the_indexer_reports_a_missing_index_instead_of_creating_one(app, root, make_shop):
    make_shop(name="Fromagerie Lambert", category="fromagerie")  # queued, not drained
    damage_index(app, root, delete_index)
    result = cli(app, "search-indexer", "--once")
    assert result.exit_code == 1
    assert "missing" in result.output
    assert "reindex" in result.output
    assert not root.exists()


def test_an_empty_index_while_the_database_holds_shops_answers_503(app, browser, root):
    SearchIndex.rebuild(root, []).close()
    restart_search(app)
    assert_search_unavailable(browser, root)
    result = cli(app, "search-check")
    assert result.exit_code == 1
    assert "empty" in result.output


def test_the_indexer_refuses_to_fill_an_empty_index_that_cannot_become_whole(app, root, make_shop):
    SearchIndex.rebuild(root, []).close()
    restart_search(app)
    make_shop(name="Fromagerie Lambert", category="fromagerie")  # one shop of three queued
    result = cli(app, "search-indexer", "--once")
    assert result.exit_code == 1
    assert "empty" in result.output
    assert SearchIndex(root).doc_count() == 0


def test_an_empty_database_with_an_empty_index_is_healthy(app, browser):
    assert cli(app, "reindex").exit_code == 0
    response = browser.get("/api/v1/search?q=fleuriste")
    assert (response.status_code, response.get_json()["total"]) == (200, 0)
    assert cli(app, "search-check").exit_code == 0


def test_make_run_sets_up_a_missing_index(app, make_shop):
    # `make run` is `search-check || reindex` on a first start.
    make_shop()
    assert cli(app, "search-check").exit_code == 1
    assert cli(app, "reindex").exit_code == 0
    assert cli(app, "search-check").exit_code == 0


@pytest.mark.parametrize("damage", ANY_DAMAGE.values(), ids=ANY_DAMAGE.keys())
def test_reindex_repairs_any_damage(app, browser, root, damage):
    damage_index(app, root, damage)
    result = cli(app, "reindex")
    assert result.exit_code == 0, result.output
    check = cli(app, "search-check")
    assert check.exit_code == 0, check.output
    assert "matches" in check.output
    assert generations(root) == [root.joinpath((root / "CURRENT").read_text().strip()).name]
    body = browser.get("/api/v1/search?q=fleurisste").get_json()
    assert body["total"] == 1
    assert body["suggestion"] == "fleuriste"


def test_a_failed_reindex_leaves_no_orphan_generation(app, root, monkeypatch):
    from directory.search import bridge

    def failing_documents(chunk=1000):
        raise RuntimeError("database went away")
        yield  # pragma: no cover - makes this a generator

    before = generations(root)
    monkeypatch.setattr(bridge, "all_documents", failing_documents)
    assert cli(app, "reindex").exit_code != 0
    assert generations(root) == before
    monkeypatch.undo()
    assert cli(app, "reindex").exit_code == 0
    assert len(generations(root)) == 1


def test_drain_into_a_deleted_index_keeps_the_outbox(app, root, make_shop):
    make_shop(name="Fromagerie Lambert", category="fromagerie")
    damage_index(app, root, delete_index)
    with app.app_context(), pytest.raises(IndexMissingError):
        drain(get_index(app))
    with app.app_context():
        db.session.rollback()
    assert not root.exists()


def test_a_first_import_builds_the_missing_index(app):
    from directory.seeding.cli import DEMO_SHOPS

    delete_index(Path(app.config["SEARCH_INDEX_DIR"]))
    result = cli(app, "import-shops", str(DEMO_SHOPS))
    assert result.exit_code == 0, result.output
    assert "Search index: built with" in result.output
    assert cli(app, "search-check").exit_code == 0
