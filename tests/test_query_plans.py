"""Query plans (issue 12): on SQLite a search reads its shops by key, not every visible shop.

Found profiling the search page at 100,000 shops: without planner statistics SQLite answered
"these 20 shops, if visible" and "does this town have visible shops" through a status index,
reading every visible shop (20 ms and 240 ms a search). ``reindex`` (like ``seed`` and
``import-shops``) now runs ``ANALYZE``, and the town lookups have their own index.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from directory.extensions import db

# Results to confirm (SQLite switches plans from 4 ids up), then a last word that may be a
# town of listed shops the gazetteer lacks, so the town lookups run too.
SEARCHES = ("/search?q=boulangerie", "/search?q=boulangerie+marbehan")


def shop_plans(app, path: str) -> list[str]:
    """The SQLite plan of every query on ``shops`` that answering ``path`` ran (one line)."""
    statements = []
    with app.app_context():
        engine = db.engine

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and "FROM shops" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert app.test_client().get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert statements, "the search ran no query on shops"
    with app.app_context():
        connection = db.session.connection().connection.dbapi_connection
        return [
            " / ".join(row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in statements
        ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_search_reads_its_shops_by_key_once_reindex_has_run(app, make_shop):
    for number in range(6):
        make_shop(name=f"Boulangerie {number}")
    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    for search in SEARCHES:
        for plan in shop_plans(app, search):
            assert "ix_shops_status_" not in plan, (search, plan)
