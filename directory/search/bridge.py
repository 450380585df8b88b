"""The one bridge between the database (the truth) and the Whoosh index.

Changes that affect search write a ``search_outbox`` row in the same transaction, and only the
``after_flush`` hook below writes them: for a ``Shop`` created, changed or deleted, for the shop of
a window ``Product`` created, changed or deleted (both shops if it moves), and for every shop of a
``Category`` whose names change. No feature queues shops by hand (a test keeps it so);
the price is that a change to an indexed column must go through the ORM, since a bulk SQL
``UPDATE`` never reaches the hook. ``drain`` applies the outbox to the index and deletes the rows
it applied, so a failing index never fails the user's request and never loses an update: the
rows stay and a later drain (or a crash replay) applies them again, harmlessly. Drains are
serialised by the index's lock (see ``drain``) so an old version can never overwrite a newer one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import Connection, delete, event, func, insert, inspect, select
from sqlalchemy.orm import InstanceState, Session, selectinload

from directory.database import reading, writing
from directory.extensions import db
from directory.products.models import Product
from directory.search.known_words import KnownWords
from directory.search.models import SearchOutbox
from directory.shops.models import SERVICE_FIELDS, Category, Shop, ShopStatus
from search_index import (
    IndexMissingError,
    IndexOutdatedError,
    IndexUnavailableError,
    ProductDocument,
    SearchIndex,
    ShopDocument,
)

log = logging.getLogger(__name__)
DRAIN_BATCH = 500
# The search indexer's pause between polls: a change reaches every worker within about this
# much, plus a commit and a snapshot reopen (``make bench`` measures the sum).
INDEXER_INTERVAL_S = 0.25


def to_document(shop: Shop) -> ShopDocument:
    """The search document of a shop; ``version`` hashes every field so drift is visible."""
    category = shop.category
    fields = {
        "id": shop.id,
        "name": shop.name,
        "description": shop.description or "",
        "category_slug": category.slug,
        "category_names": (category.name_fr, category.name_nl, category.name_en),
        "category_terms": category.vocabulary_terms,
        "address": shop.address or "",
        "postcode": shop.postcode,
        "town": shop.town,
        "country": shop.country,
        "lat": shop.lat,
        "lon": shop.lon,
        "votes": shop.vote_count,
        "created_at": shop.created_at,
        "services": frozenset(name for name in SERVICE_FIELDS if getattr(shop, name)),
        # A radius left over from when the shop delivered is no zone.
        "delivery_radius_km": (
            float(shop.delivery_radius_km) if shop.delivery and shop.delivery_radius_km else None
        ),
        "opening_hours": shop.opening_hours or "",
        "products": tuple(
            ProductDocument(product.name, product.description or "")
            for product in shop.products
            if product.is_visible
        ),
    }
    # Sets print in a per-process order: sort them so the version is stable across processes.
    canonical = [
        (k, sorted(v) if isinstance(v, frozenset) else v) for k, v in sorted(fields.items())
    ]
    digest = hashlib.sha1(repr(canonical).encode(), usedforsecurity=False)
    return ShopDocument(**fields, version=digest.hexdigest()[:16])


# Columns no search document reads: a flush that changes only these leaves the index alone
# (a vote's second flush writes just the hot score and must not queue the shop twice).
_UNINDEXED: dict[type, frozenset[str]] = {
    Shop: frozenset({"hot_score"}),
    Category: frozenset({"position"}),
    Product: frozenset({"price_cents", "url", "photo", "author_id", "author", "updated_at"}),
}
# session.info keys: what _before_flush saw for _after_flush.
_CHANGED = "search_changed"
_PRODUCT_SHOPS = "search_product_shops"


def _queue(connection: Connection, shop_ids: Iterable[int]) -> None:
    """Write one outbox row per shop, inside the transaction of ``connection``."""
    rows = [{"shop_id": shop_id} for shop_id in set(shop_ids)]
    if rows:
        connection.execute(insert(SearchOutbox), rows)
        _note_pending()


def _note_pending() -> None:
    if has_app_context():
        g.search_outbox_pending = True


def _changes_a_document(obj: object) -> bool:
    """True when this flush changes an attribute of ``obj`` that a search document may read."""
    ignored = _UNINDEXED.get(type(obj), frozenset())
    return any(attr.history.has_changes() for attr in inspect(obj).attrs if attr.key not in ignored)


def _before_flush(session: Session, _context, _instances) -> None:
    """Note the changed shops and categories while their attribute history is intact.

    By ``after_flush`` it is not: the flush expires an attribute set to a SQL expression (a
    vote's ``vote_count + 1``) as soon as its UPDATE runs.
    """
    changed = [
        obj
        for obj in session.dirty
        if isinstance(obj, Shop | Category | Product) and _changes_a_document(obj)
    ]
    session.info[_CHANGED] = changed
    # A deleted product's columns may be unloadable after the flush, and the shop a moved one
    # leaves is only in its history: read both now.
    product_shops: set[int] = set()
    for obj in (*session.deleted, *changed):
        if isinstance(obj, Product):
            state: InstanceState[Product] = inspect(obj)
            product_shops.update(state.attrs.shop_id.history.deleted or ())
            product_shops.update(s.id for s in state.attrs.shop.history.deleted or () if s)
            product_shops.add(obj.shop_id)
    session.info[_PRODUCT_SHOPS] = product_shops


def _after_flush(session: Session, _context) -> None:
    """Queue every shop whose document this flush may change: its own row or its category's."""
    changed = session.info.pop(_CHANGED, [])
    shop_ids = {
        obj.id
        for obj in (*session.new, *session.deleted, *changed)
        if isinstance(obj, Shop) and obj.id is not None
    }
    # A product is part of its shop's document (its words, the name a hit shows).
    shop_ids |= {obj.shop_id for obj in (*session.new, *changed) if isinstance(obj, Product)}
    shop_ids |= session.info.pop(_PRODUCT_SHOPS, set())
    shop_ids.discard(None)
    renamed = [obj.id for obj in changed if isinstance(obj, Category)]
    # session.add() is not allowed during a flush; Core statements on its connection are.
    connection = session.connection()
    _queue(connection, shop_ids)
    if renamed:
        # Category names are searchable words of every shop in them.
        in_renamed = select(Shop.id).where(Shop.category_id.in_(renamed))
        connection.execute(insert(SearchOutbox).from_select(["shop_id"], in_renamed))
        _note_pending()


def get_index(app: Flask | None = None) -> SearchIndex:
    """The process's index (one per app; it caches its searcher and columns).

    Getting it creates nothing on disk: a missing index raises ``IndexMissingError`` on use
    until ``reindex`` builds one.
    """
    app = app or current_app._get_current_object()
    index = app.extensions.get("search_index")
    if index is None:
        index = app.extensions["search_index"] = SearchIndex(
            app.config["SEARCH_INDEX_DIR"], known_words=KnownWords()
        )
    return index


def _visible_shops(ids: Iterable[int]) -> list[Shop]:
    return list(
        db.session.scalars(
            select(Shop)
            .options(selectinload(Shop.category), selectinload(Shop.products))
            .where(Shop.id.in_(list(ids)), Shop.status == ShopStatus.VISIBLE.value)
        )
    )


def visible_shop_count() -> int:
    """How many shops the index should hold."""
    return db.session.scalar(
        select(func.count()).select_from(Shop).where(Shop.status == ShopStatus.VISIBLE.value)
    )


def hidden_pending_ids() -> frozenset[int]:
    """Shops still waiting in the outbox that are no longer visible (hidden or deleted).

    The index may still hold them until the indexer catches up: searches exclude them so
    totals and facet counts describe only shops that can be shown.
    """
    visible = select(Shop.id).where(
        Shop.id == SearchOutbox.shop_id, Shop.status == ShopStatus.VISIBLE.value
    )
    return frozenset(
        db.session.scalars(select(SearchOutbox.shop_id).distinct().where(~visible.exists()))
    )


def unqueued_visible_shops() -> int:
    """Visible shops with no pending outbox row: what draining alone would never index."""
    queued = select(SearchOutbox.id).where(SearchOutbox.shop_id == Shop.id)
    return db.session.scalar(
        select(func.count())
        .select_from(Shop)
        .where(Shop.status == ShopStatus.VISIBLE.value, ~queued.exists())
    )


@dataclass(frozen=True)
class OutboxState:
    """How far the indexer lags: pending rows and when the oldest was written."""

    rows: int
    oldest: datetime | None


def outbox_state() -> OutboxState:
    """The outbox's size and the age of its oldest row."""
    rows, oldest = db.session.execute(
        select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at))
    ).one()
    return OutboxState(rows, oldest)


def index_problem(index: SearchIndex) -> str | None:
    """Why ``index`` cannot serve searches or take the outbox, for operators; None if it can.

    An empty index while the database holds visible shops that no outbox row will bring in
    is a lost index (deleted, then recreated empty), not a lag.
    """
    try:
        documents = index.verify()
    except IndexMissingError:
        return f"the search index is missing at {index.path}: run `flask reindex`"
    except IndexOutdatedError as error:
        return f"the search index was written by another version ({error}): run `flask reindex`"
    except IndexUnavailableError as error:
        return f"the search index is damaged ({error}): run `flask reindex`"
    if documents == 0:
        unqueued = unqueued_visible_shops()
        if unqueued:
            return (
                f"the search index is empty but the database holds {unqueued} visible shops "
                "that no outbox row will bring in: run `flask reindex`"
            )
    return None


def drain(index: SearchIndex, batch: int = DRAIN_BATCH) -> int:
    """Apply pending outbox rows to ``index``; return how many rows were applied.

    Each batch reads its rows and documents in a short read, writes the index with no database
    transaction open, then deletes the rows it read (by id: rows written meanwhile stay for the
    next batch). So catching up never holds the database's write lock while the index writes;
    drains are serialised by the index's own lock instead (``SearchIndex.applying``).
    """
    db.session.commit()  # end the caller's transaction: nothing below may wait inside it
    applied = 0
    while True:
        with index.applying():
            with reading():
                rows = db.session.execute(
                    select(SearchOutbox.id, SearchOutbox.shop_id)
                    .order_by(SearchOutbox.id)
                    .limit(batch)
                ).all()
                shop_ids = {shop_id for _row_id, shop_id in rows}
                documents = [to_document(shop) for shop in _visible_shops(shop_ids)] if rows else []
                db.session.commit()
            if not rows:
                return applied
            index.apply(documents, shop_ids - {document.id for document in documents})
            with writing():
                db.session.execute(
                    delete(SearchOutbox).where(SearchOutbox.id.in_([r[0] for r in rows]))
                )
                db.session.commit()
        applied += len(rows)


def drain_quietly(app: Flask) -> None:
    """Drain after a request: the user's change is committed, so no failure may reach them.

    Whatever goes wrong (index, disk, a locked database), the outbox keeps the rows and the
    next drain, the indexer or ``reindex`` applies them.
    """
    try:
        drain(get_index(app))
    except Exception:
        db.session.rollback()
        log.exception("search index update failed; the outbox keeps the changes for later")


def all_documents(chunk: int = 1000) -> Iterator[ShopDocument]:
    """Every visible shop as a document, streamed in id order, one short read at a time."""
    last_id = 0
    while True:
        with reading():
            shops = list(
                db.session.scalars(
                    select(Shop)
                    .options(selectinload(Shop.category), selectinload(Shop.products))
                    .where(Shop.status == ShopStatus.VISIBLE.value, Shop.id > last_id)
                    .order_by(Shop.id)
                    .limit(chunk)
                )
            )
            documents = [to_document(shop) for shop in shops]
            db.session.commit()  # end the read before the caller spends time on the batch
        if not documents:
            return
        yield from documents
        last_id = documents[-1].id
        db.session.expunge_all()


def reindex(app: Flask, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database into a new directory and swap it in.

    Outbox rows written before the rebuild started are covered by it and deleted; later ones
    stay for the indexer, and anything the swap lost is queued again.
    """
    covered = db.session.scalar(select(func.max(SearchOutbox.id))) or 0
    db.session.commit()
    old = app.extensions.pop("search_index", None)
    if old is not None:
        old.close()
    SearchIndex.rebuild(app.config["SEARCH_INDEX_DIR"], all_documents(), progress).close()
    index = get_index(app)  # the process's index again, with its known words
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= covered))
    # An indexer that drained while we built wrote to the old generation: queue again whatever
    # the new one does not match, so nothing is lost to the swap.
    drift = check_drift(index)
    _queue(db.session.connection(), [*drift.missing, *drift.stale, *drift.extra])
    db.session.commit()
    return index.doc_count()


@dataclass
class Drift:
    """What differs between the database and the index."""

    missing: list[int]
    stale: list[int]
    extra: list[int]

    @property
    def clean(self) -> bool:
        """True when the index matches the database exactly."""
        return not (self.missing or self.stale or self.extra)


def check_drift(index: SearchIndex) -> Drift:
    """Compare every visible shop's document version with what the index holds."""
    indexed = index.versions()
    expected = {doc.id: doc.version for doc in all_documents()}
    return Drift(
        missing=sorted(set(expected) - set(indexed)),
        stale=sorted(i for i in set(expected) & set(indexed) if expected[i] != indexed[i]),
        extra=sorted(set(indexed) - set(expected)),
    )


def init_search_sync(app: Flask) -> None:
    """Install the outbox hooks; in ``request`` mode, drain after each writing request."""
    if not getattr(init_search_sync, "_hooked", False):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        init_search_sync._hooked = True  # type: ignore[attr-defined]

    if app.config["SEARCH_SYNC"] == "request":

        @app.after_request
        def _drain_after_request(response):
            if g.pop("search_outbox_pending", False):
                drain_quietly(app)
            return response
