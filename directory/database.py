"""Engine tuning: SQLite pragmas and transaction mode."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_reading: ContextVar[bool] = ContextVar("reading", default=False)
_writing: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside only read: on SQLite they must not take the write lock.

    Long reads outside a request (``reindex``, ``search-check``) would otherwise hold it and
    make every member's write wait.
    """
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside write: on SQLite they take the write lock up front, even
    during a GET request."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and write transactions that take the lock up front.

    pysqlite starts transactions lazily, so a transaction that reads before it writes fails with
    "database is locked" instead of waiting when another writer got in between. So transactions
    begin with ``BEGIN IMMEDIATE`` (which honours the busy timeout), except in GET requests and
    inside ``reading()``, which stay deferred so readers never queue behind writers; ``writing()``
    forces the immediate form even in a GET request.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        read_only = not _writing.get() and (
            _reading.get() or (has_request_context() and request.method in READ_ONLY_METHODS)
        )
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def refresh_statistics(session: Session) -> None:
    """``ANALYZE``: tell the database's query planner how the tables are shaped now.

    Without statistics SQLite takes an equality on any indexed column as selective, so for
    "these 20 shops, if visible" it read every visible shop through a status index (20 ms a
    search at 100,000 shops, not 0.1 ms by primary key). PostgreSQL's autovacuum analyzes in
    time, but not always before the first requests after a bulk load. Run after bulk changes
    (seeding, imports, ``reindex``); it samples, so it takes well under a second at 100,000.
    """
    session.execute(text("ANALYZE"))
    session.commit()
