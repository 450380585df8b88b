"""The health report: probes of the database and of the search index, each on its own.

Every probe catches its own failure and reports it, so the report itself never raises: a
monitor polling ``/healthz`` must get an answer whatever is broken.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import asdict, dataclass, field

from flask import Flask

from directory.extensions import db
from directory.search.bridge import get_index, outbox_state, visible_shop_count
from directory.timeutil import utcnow
from search_index import IndexCorruptError, IndexMissingError

log = logging.getLogger(__name__)

OK = "ok"
FAILING = "failing"


@dataclass(frozen=True)
class DatabaseProbe:
    """What the database says: reachable, shops to index, and the indexer's lag."""

    status: str
    visible_shops: int | None = None
    outbox_rows: int | None = None
    outbox_lag_seconds: float | None = None


@dataclass(frozen=True)
class IndexProbe:
    """What the search index says: readable, how many shops it holds, and whether the
    indexer can still write it (a read-only or full file system stops every update)."""

    status: str
    documents: int | None = None
    writable: bool | None = None
    free_mb: float | None = None


@dataclass(frozen=True)
class HealthReport:
    """The overall status, the named problems, and both probes."""

    database: DatabaseProbe
    index: IndexProbe
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def as_dict(self) -> dict:
        """The JSON answer of ``/healthz`` (documented in the README)."""
        return {
            "status": OK if self.healthy else FAILING,
            "problems": self.problems,
            "database": asdict(self.database),
            "index": asdict(self.index),
        }


def probe_database() -> DatabaseProbe:
    """Visible shops and the outbox: its rows and the age of the oldest, in seconds."""
    try:
        visible = visible_shop_count()
        outbox = outbox_state()
        db.session.commit()
    except Exception:
        log.exception("health: database probe failed")
        try:
            db.session.rollback()
        except Exception:
            log.exception("health: rollback after the database probe failed")
        return DatabaseProbe("unreachable")
    lag = 0.0
    if outbox.oldest is not None:
        lag = max((utcnow() - outbox.oldest).total_seconds(), 0.0)
    return DatabaseProbe(OK, visible, outbox.rows, round(lag, 3))


def probe_index(app: Flask) -> IndexProbe:
    """Whether every file a search needs reads, and how many documents the index holds."""
    try:
        documents = get_index(app).verify()
    except IndexMissingError:
        log.error("health: the search index is missing at %s", app.config["SEARCH_INDEX_DIR"])
        return IndexProbe("missing")
    except IndexCorruptError:
        log.exception("health: the search index is damaged")
        return IndexProbe("corrupt")
    except Exception:
        log.exception("health: the search index probe failed")
        return IndexProbe("unavailable")
    return IndexProbe(OK, documents, *_room_to_write(app.config["SEARCH_INDEX_DIR"]))


def _room_to_write(path: str) -> tuple[bool | None, float | None]:
    """(writable, free MB) of the index directory's file system; None where it cannot tell."""
    try:
        free = shutil.disk_usage(path).free
    except OSError:
        return None, None
    # os.access sees a read-only mount even for root, for whom permissions never say no.
    return os.access(path, os.W_OK), round(free / 2**20, 1)


def health_report(app: Flask) -> HealthReport:
    """Probe both sides and name what is wrong (``<part>_<state>`` codes)."""
    database = probe_database()
    index = probe_index(app)
    problems = []
    if database.status != OK:
        problems.append(f"database_{database.status}")
    if index.status != OK:
        problems.append(f"index_{index.status}")
    if database.status == OK and index.status == OK:
        if database.outbox_rows == 0 and index.documents != database.visible_shops:
            problems.append("index_out_of_step")  # an update was lost outside the outbox
        if (database.outbox_lag_seconds or 0.0) > app.config["SEARCH_MAX_LAG_SECONDS"]:
            problems.append("outbox_lagging")
    if index.writable is False:
        problems.append("index_read_only")
    if index.free_mb is not None and index.free_mb < app.config["SEARCH_MIN_FREE_MB"]:
        log.error("health: %.1f MB left beside the search index", index.free_mb)
        problems.append("index_disk_full")
    return HealthReport(database, index, problems)
