"""The search bridge's flush hook is the only place that queues shops for the index."""

import ast
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from directory.config import PROJECT_ROOT
from directory.errors import NotFound
from directory.extensions import db
from directory.search import bridge
from directory.search.models import SearchOutbox
from directory.seeding.categories import load_categories
from directory.seeding.cli import SEED_DIR
from directory.shops.models import Shop
from directory.shops.services import lock_shop
from directory.votes.models import Vote
from directory.votes.services import upvote
from search_index import SearchQuery

PACKAGE = PROJECT_ROOT / "directory"
OUTBOX_NAMES = frozenset({"SearchOutbox", "mark_for_reindex", "_queue"})
OUTBOX_MODULES = frozenset({"directory.search.bridge", "directory.search.models"})
# The schema registry imports every model so that Alembic sees the whole schema.
SCHEMA_REGISTRY = PACKAGE / "models.py"


def outbox_uses(source: str, allow_model_import: bool = False) -> list[str]:
    """Every place ``source`` names the outbox, its writers, or its table."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names} & OUTBOX_NAMES
            if allow_model_import:
                names.discard("SearchOutbox")
            found += [f"line {node.lineno}: imports {name}" for name in sorted(names)]
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: imports {alias.name}"
                for alias in node.names
                if alias.name in OUTBOX_MODULES
            ]
        elif isinstance(node, ast.Attribute) and node.attr in OUTBOX_NAMES:
            # Any other "_queue" (a mail queue, say) is not the bridge's.
            if node.attr != "_queue" or ast.unparse(node.value).endswith("bridge"):
                found.append(f"line {node.lineno}: uses .{node.attr}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "search_outbox" in node.value.lower()
        ):
            found.append(f"line {node.lineno}: names the search_outbox table")
    return found


def modules_outside_search() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if PACKAGE / "search" not in path.parents)


def test_no_module_outside_search_touches_the_outbox():
    modules = modules_outside_search()
    assert PACKAGE / "votes" / "services.py" in modules
    uses = {
        str(path.relative_to(PROJECT_ROOT)): found
        for path in modules
        if (found := outbox_uses(path.read_text("utf-8"), path == SCHEMA_REGISTRY))
    }
    assert uses == {}


@pytest.mark.parametrize(
    "source",
    [
        "from directory.search.bridge import mark_for_reindex",
        "from directory.models import SearchOutbox",
        "import directory.search.bridge",
        "bridge._queue(connection, [1])",
        "directory.search.bridge._queue(connection, [1])",
        "db.session.execute(text('INSERT INTO search_outbox (shop_id) VALUES (1)'))",
    ],
)
def test_the_outbox_check_sees_each_way_in(source):
    assert outbox_uses(source)


def queued(shop_id=None):
    query = select(SearchOutbox.shop_id).order_by(SearchOutbox.id)
    if shop_id is not None:
        query = query.where(SearchOutbox.shop_id == shop_id)
    return list(db.session.scalars(query))


def renamed_seed(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the seed directory's category list with one name changed."""
    seed = tmp_path / "seed"
    seed.mkdir()
    rows = (SEED_DIR / "categories.csv").read_text(encoding="utf-8")
    assert rows.count(old) == 1
    (seed / "categories.csv").write_text(rows.replace(old, new), encoding="utf-8")
    return seed


@pytest.fixture
def seed_categories_back(app):
    """PostgreSQL keeps categories from test to test (only member data is emptied): put the
    seed's names and order back after a test that renames or reorders them."""
    yield
    with app.app_context():
        load_categories(SEED_DIR)
        db.session.commit()


def test_a_category_rename_queues_its_shops_in_the_same_transaction(
    seed_categories_back, app, make_shop, tmp_path
):
    florist = make_shop(name="Fleurs de Léa", category="fleuriste")
    make_shop(name="Boulangerie Lambert", category="boulangerie")
    seed = renamed_seed(tmp_path, ",Bloemist,", ",Bloemenatelier,")
    with app.app_context():
        db.session.execute(db.delete(SearchOutbox))
        db.session.commit()
        assert load_categories(seed) == 1
        assert queued() == [florist.id]
        db.session.rollback()  # the rename is abandoned: its outbox row goes with it
        assert queued() == []


def test_after_a_rename_and_a_drain_the_index_holds_the_new_names(
    seed_categories_back, app, make_shop, tmp_path
):
    app.config["SEARCH_SYNC"] = "worker"
    florist = make_shop(name="Fleurs de Léa", category="fleuriste")
    seed = renamed_seed(tmp_path, ",Bloemist,", ",Bloemenatelier,")
    with app.app_context():
        index = bridge.get_index(app)
        bridge.drain(index)
        load_categories(seed)
        db.session.commit()
        assert index.search(SearchQuery(text="bloemenatelier")).hits == []
        bridge.drain(index)
        hits = index.search(SearchQuery(text="bloemenatelier")).hits
        assert [hit.id for hit in hits] == [florist.id]
        assert (
            index.versions()[florist.id]
            == bridge.to_document(db.session.get(Shop, florist.id)).version
        )


def test_reordering_categories_leaves_the_index_alone(
    seed_categories_back, app, make_shop, tmp_path
):
    make_shop(category="fleuriste")
    seed = tmp_path / "seed"
    seed.mkdir()
    header, first, second, *rest = (SEED_DIR / "categories.csv").read_text("utf-8").splitlines()
    (seed / "categories.csv").write_text("\n".join([header, second, first, *rest]), "utf-8")
    with app.app_context():
        db.session.execute(db.delete(SearchOutbox))
        assert load_categories(seed) == 2
        assert queued() == []


def test_a_vote_queues_its_shop_once_through_the_flush_hook(app, other_member, shop_in_arlon):
    app.config["SEARCH_SYNC"] = "worker"
    with app.app_context():
        db.session.execute(db.delete(SearchOutbox))
        db.session.commit()
        event.remove(Session, "after_flush", bridge._after_flush)
        try:
            upvote(db.session.merge(other_member), shop_in_arlon.id)
            assert queued() == []  # without the hook, nothing else queues the shop
        finally:
            event.listen(Session, "after_flush", bridge._after_flush)
        db.session.rollback()
        assert upvote(db.session.merge(other_member), shop_in_arlon.id) == 1
        assert queued() == [shop_in_arlon.id]
        db.session.commit()
        assert queued() == [shop_in_arlon.id]


def wait_until_blocked(thread: threading.Thread, timeout: float = 10) -> None:
    """Return once ``thread`` waits for a row lock (PostgreSQL) or has ended.

    On SQLite the other thread waits in ``BEGIN IMMEDIATE``, which no query can see; the lock
    holder took the write lock before releasing it, so it waits all the same.
    """
    if db.engine.dialect.name != "postgresql":
        return
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + timeout
    with db.engine.connect() as connection:
        while time.monotonic() < deadline:
            if connection.execute(waiting).scalar() or not thread.is_alive():
                return
            time.sleep(0.05)
    raise AssertionError("the vote never waited for the shop's row")


def test_a_vote_waiting_behind_a_merge_sees_the_shop_merged(app, other_member, shop_in_arlon):
    """The moderator holds the shop's row; the vote waits, then answers NotFound."""
    locked = threading.Event()
    outcome = []

    def vote():
        with app.app_context():
            assert locked.wait(timeout=10)
            try:
                upvote(db.session.merge(other_member), shop_in_arlon.id)
                db.session.commit()
                outcome.append("counted")
            except NotFound:
                db.session.rollback()
                outcome.append("not found")

    voter = threading.Thread(target=vote)
    voter.start()
    with app.app_context():
        lock_shop(shop_in_arlon.id).status = "merged"
        db.session.flush()
        locked.set()
        wait_until_blocked(voter)
        db.session.commit()
    voter.join(timeout=30)
    assert outcome == ["not found"]
    with app.app_context():
        assert db.session.scalar(select(Shop.vote_count).where(Shop.id == shop_in_arlon.id)) == 0
        assert queued(shop_in_arlon.id)  # the merge queued its removal from the index
        assert db.session.scalars(select(Vote.id)).all() == []
