"""GET /healthz: the database and the index, 200 when both are sound and in step, else 503."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from app import create_app
from directory.extensions import db, limiter
from directory.search.models import SearchOutbox
from directory.timeutil import utcnow
from tests.conftest import base_config
from tests.index_damage import delete_index, garbage_toc, garbage_vocabulary


@pytest.fixture
def root(app, make_shop) -> Path:
    """Two visible shops, indexed; the index directory."""
    make_shop(name="Au jardin d'Anna", category="fleuriste")
    make_shop(name="Le Fournil d'Arlon", category="boulangerie")
    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    return Path(app.config["SEARCH_INDEX_DIR"])


def health(app) -> tuple[int, dict]:
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json()


def restart_search(app) -> None:
    index = app.extensions.pop("search_index", None)
    if index is not None:
        index.close()


def test_a_sound_index_in_step_is_healthy(app, root):
    status, body = health(app)
    assert status == 200
    assert body == {
        "status": "ok",
        "problems": [],
        "database": {
            "status": "ok",
            "visible_shops": 2,
            "outbox_rows": 0,
            "outbox_lag_seconds": 0.0,
        },
        "index": {
            "status": "ok",
            "documents": 2,
            "writable": True,
            "free_mb": pytest.approx(body["index"]["free_mb"]),
        },
    }
    assert body["index"]["free_mb"] >= app.config["SEARCH_MIN_FREE_MB"]


def test_a_missing_index_is_unhealthy(app, root):
    delete_index(root)
    restart_search(app)
    status, body = health(app)
    assert status == 503
    assert body["status"] == "failing"
    assert body["index"] == {
        "status": "missing",
        "documents": None,
        "writable": None,
        "free_mb": None,
    }
    assert body["database"]["status"] == "ok"
    assert "index_missing" in body["problems"]


@pytest.mark.parametrize("damage", [garbage_toc, garbage_vocabulary])
def test_a_damaged_index_is_unhealthy(app, root, damage):
    damage(root)
    restart_search(app)
    status, body = health(app)
    assert status == 503
    assert body["index"]["status"] == "corrupt"
    assert "index_corrupt" in body["problems"]


def test_fresh_outbox_rows_are_a_normal_lag(app, root, make_shop):
    make_shop(name="Fromagerie Lambert", category="fromagerie")  # queued, not drained
    status, body = health(app)
    assert status == 200
    assert body["database"]["outbox_rows"] >= 1
    assert body["database"]["visible_shops"] == 3
    assert body["index"]["documents"] == 2


def test_an_outbox_older_than_the_threshold_is_unhealthy(app, root, make_shop):
    make_shop(name="Fromagerie Lambert", category="fromagerie")
    threshold = app.config["SEARCH_MAX_LAG_SECONDS"]
    with app.app_context():
        db.session.execute(
            update(SearchOutbox).values(created_at=utcnow() - timedelta(seconds=threshold + 60))
        )
        db.session.commit()
    status, body = health(app)
    assert status == 503
    assert body["database"]["outbox_lag_seconds"] > threshold
    assert body["problems"] == ["outbox_lagging"]


def test_documents_differing_from_visible_shops_with_an_empty_outbox_is_unhealthy(
    app, root, make_shop
):
    make_shop(name="Fromagerie Lambert", category="fromagerie")
    with app.app_context():
        db.session.execute(delete(SearchOutbox))  # an update lost outside the outbox
        db.session.commit()
    status, body = health(app)
    assert status == 503
    assert body["problems"] == ["index_out_of_step"]


def test_an_unreachable_database_is_unhealthy_and_never_raises(tmp_path):
    config = base_config(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite3'}", tmp_path)
    app = create_app(config)
    status, body = health(app)
    assert status == 503
    assert body["database"] == {
        "status": "unreachable",
        "visible_shops": None,
        "outbox_rows": None,
        "outbox_lag_seconds": None,
    }
    assert "database_unreachable" in body["problems"]


def test_an_index_probe_that_fails_in_any_way_is_reported(app, root, monkeypatch):
    from directory.health import services

    def explode(_app):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(services, "get_index", explode)
    status, body = health(app)
    assert status == 503
    assert body["index"] == {
        "status": "unavailable",
        "documents": None,
        "writable": None,
        "free_mb": None,
    }


def test_health_is_exempt_from_rate_limits(database_url, tmp_path, monkeypatch):
    # The limiter is one object for every app of the run: put its application limits back after.
    monkeypatch.setattr(limiter.limit_manager, "_application_limits", [])
    config = {
        **base_config(database_url, tmp_path),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_APPLICATION": "2 per minute",
    }
    limited = create_app(config)
    client = limited.test_client()
    try:
        assert [client.get("/healthz").status_code for _ in range(4)] == [503] * 4
        assert [client.get("/about").status_code for _ in range(3)][-1] == 429
    finally:
        with limited.app_context():  # a PostgreSQL connection left open warns later, elsewhere
            db.engine.dispose()


def test_a_nearly_full_disk_under_the_index_is_unhealthy(app, root):
    # Whatever this machine has free is less than a petabyte.
    app.config["SEARCH_MIN_FREE_MB"] = 2**30
    status, body = health(app)
    assert status == 503
    assert body["problems"] == ["index_disk_full"]
    assert body["index"]["status"] == "ok"
    assert 0 < body["index"]["free_mb"] < 2**30


def test_a_read_only_index_directory_is_unhealthy(app, root, monkeypatch):
    # A read-only mount, as os.access reports it (chmod never stops root, who runs CI).
    real_access = os.access
    monkeypatch.setattr(
        "directory.health.services.os.access",
        lambda path, mode: False if path == str(root) else real_access(path, mode),
    )
    status, body = health(app)
    assert status == 503
    assert body["problems"] == ["index_read_only"]
    assert body["index"]["writable"] is False
