"""The health report: probes of the database and of the search index, each on its own.

Every probe catches its own failure and reports it, so the report itself never raises: a
monitor polling ``/healthz`` must get an answer whatever is broken.
"""

from __future__ import annotations

import logging
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
    """What the search index says: readable, and how many shops it holds."""

    status: str
    documents: int | None = None


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
        return IndexProbe(OK, get_index(app).verify())
    except IndexMissingError:
        log.error("health: the search index is missing at %s", app.config["SEARCH_INDEX_DIR"])
        return IndexProbe("missing")
    except IndexCorruptError:
        log.exception("health: the search index is damaged")
        return IndexProbe("corrupt")
    except Exception:
        log.exception("health: the search index probe failed")
        return IndexProbe("unavailable")


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
    return HealthReport(database, index, problems)
