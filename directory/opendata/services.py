"""The queries behind the exports: every visible shop, read in batches."""

from __future__ import annotations

from collections.abc import Iterator

from directory.extensions import db
from directory.shops.models import Shop
from directory.shops.services import visible_shops

# Rows fetched per round trip: the export never holds the whole directory in memory.
EXPORT_BATCH = 500


def exported_shops(batch: int = EXPORT_BATCH) -> Iterator[Shop]:
    """The visible shops in id order (the order they were added, which the importer's
    duplicate check relies on to re-import the same shops), fetched ``batch`` at a time.

    A generator: the query runs at the first ``next()``, so a streamed response runs it in
    the context ``stream_with_context`` restores, not in the view's, which ends (closing its
    session) before the body is sent."""
    query = visible_shops().order_by(None).order_by(Shop.id).execution_options(yield_per=batch)
    yield from db.session.scalars(query)
