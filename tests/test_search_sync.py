"""The database stays the truth: the outbox keeps the Whoosh index in step with it."""

import errno
import os
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from directory.extensions import db
from directory.products.models import Product, ProductStatus
from directory.search.bridge import DRAIN_BATCH, check_drift, drain, get_index, reindex, to_document
from directory.search.models import SearchOutbox
from directory.shops.models import Shop
from directory.timeutil import utcnow
from directory.votes.services import upvote
from search_index import GeoPoint, ProductDocument, SearchIndex, SearchQuery


def found_ids(app, text="", **kwargs):
    with app.app_context():
        return [hit.id for hit in get_index(app).search(SearchQuery(text=text, **kwargs)).hits]


def outbox_size(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SearchOutbox))


def test_a_posted_shop_is_found_after_the_request(app, browser, member):
    browser.login(member.email)
    category = "fleuriste"
    with app.app_context():
        from directory.shops.models import Category

        category_id = db.session.scalar(select(Category.id).where(Category.slug == category))
    browser.post(
        "/shops/new",
        {
            "name": "Au jardin d'Anna",
            "category_id": str(category_id),
            "postcode": "6700",
            "town": "Arlon",
            "country": "BE",
        },
    )
    assert outbox_size(app) == 0
    page = browser.get("/search?q=fleuristes").get_data(as_text=True)
    assert "Au jardin d&#39;Anna" in page


def test_service_changes_write_an_outbox_row_in_the_same_transaction(app, make_shop, other_member):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()  # no request: nothing drains
    assert outbox_size(app) >= 1
    with app.app_context():
        upvote(db.session.merge(other_member), shop.id)
        db.session.rollback()  # the vote is abandoned: its outbox row goes with it
    before = outbox_size(app)
    with app.app_context():
        upvote(db.session.merge(other_member), shop.id)
        db.session.commit()
    assert outbox_size(app) == before + 1


def test_drain_applies_and_empties_the_outbox(app, make_shop):
    shop = make_shop(name="Fromagerie Lambert", category="fromagerie")
    with app.app_context():
        assert drain(get_index(app)) >= 1
    assert outbox_size(app) == 0
    assert found_ids(app, "fromagerie") == [shop.id]


def test_hidden_shop_leaves_the_index(app, make_shop):
    shop = make_shop(name="Fromagerie Lambert", category="fromagerie")
    with app.app_context():
        drain(get_index(app))
        db.session.get(Shop, shop.id).status = "hidden"
        db.session.commit()
        drain(get_index(app))
    assert found_ids(app, "fromagerie") == []


def test_a_stale_index_never_shows_a_hidden_shop(app, browser, make_shop):
    shop = make_shop(name="Fromagerie Lambert", category="fromagerie")
    with app.app_context():
        drain(get_index(app))
        # Hide it behind the outbox's back: the index still has it.
        db.session.execute(db.update(Shop).where(Shop.id == shop.id).values(status="hidden"))
        db.session.commit()
    assert found_ids(app, "fromagerie") == [shop.id]
    response = browser.get("/api/v1/search?q=fromagerie").get_json()
    assert response["results"] == []


def test_an_index_failure_keeps_the_outbox_for_later(
    app, browser, other_member, make_shop, monkeypatch
):
    shop = make_shop(name="Fromagerie Lambert", category="fromagerie")
    with app.app_context():
        drain(get_index(app))

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    index = get_index(app)
    monkeypatch.setattr(index, "apply", broken)
    browser.login(other_member.email)
    response = browser.post(f"/shops/{shop.id}/vote")
    assert response.status_code == 302  # the user's vote went through
    assert outbox_size(app) == 1
    monkeypatch.undo()
    with app.app_context():
        drain(get_index(app))
    assert outbox_size(app) == 0


def test_reindex_rebuilds_from_the_database_and_clears_the_outbox(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    first = make_shop(name="Fromagerie Lambert", category="fromagerie")
    second = make_shop(name="Fromagerie du Coin", category="fromagerie")
    with app.app_context():
        assert reindex(app) == 2
    assert outbox_size(app) == 0
    assert sorted(found_ids(app, "fromagerie")) == [first.id, second.id]


def test_search_check_reports_drift_and_exits_non_zero(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    make_shop(name="Fromagerie Lambert", category="fromagerie")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search-check"])
    assert result.exit_code != 0
    assert "missing: 1" in result.output
    assert runner.invoke(args=["reindex"]).exit_code == 0
    clean = runner.invoke(args=["search-check"])
    assert clean.exit_code == 0, clean.output
    assert "matches the database" in clean.output


def test_drift_sees_a_stale_vote_count(app, make_shop, other_member):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()
    with app.app_context():
        reindex(app)
        upvote(db.session.merge(other_member), shop.id)
        db.session.commit()
        drift = check_drift(get_index(app))
    assert drift.stale == [shop.id]


def test_indexer_command_drains_once(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    make_shop()
    result = app.test_cli_runner().invoke(args=["search-indexer", "--once"])
    assert result.exit_code == 0, result.output
    assert "applied" in result.output
    assert outbox_size(app) == 0


def test_imported_shops_are_found_after_import_and_reindex(app, tmp_path):
    app.config["SEARCH_SYNC"] = "worker"
    path = tmp_path / "shops.csv"
    path.write_text(
        "name,category,address,postcode,town,lat,lon,website,source_tag\n"
        "Les Fleurs de Léa,florist,,6700,Arlon,49.6833,5.8167,,shop=florist\n",
        encoding="utf-8",
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import-shops", str(path)]).exit_code == 0
    assert runner.invoke(args=["reindex"]).exit_code == 0
    with app.app_context():
        name = db.session.scalar(select(Shop.name).where(Shop.id.in_(found_ids(app, "fleuriste"))))
    assert name == "Les Fleurs de Léa"


def test_changes_drained_during_a_reindex_are_queued_again(
    app, make_shop, other_member, monkeypatch
):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()
    real_rebuild = SearchIndex.rebuild

    def rebuild_while_a_member_votes(path, docs, progress=None):
        docs = list(docs)  # the rebuild has read the database...
        with app.app_context():  # ...then a vote lands and another indexer drains it
            upvote(db.session.merge(other_member), shop.id)
            db.session.commit()
            drain(get_index(app))
        return real_rebuild(path, docs, progress)

    monkeypatch.setattr(SearchIndex, "rebuild", rebuild_while_a_member_votes)
    with app.app_context():
        reindex(app)
    assert outbox_size(app) == 1
    with app.app_context():
        drain(get_index(app))
        assert check_drift(get_index(app)).clean


def test_any_index_failure_after_the_commit_never_fails_the_request(
    app, browser, other_member, make_shop, monkeypatch
):
    shop = make_shop()
    with app.app_context():
        drain(get_index(app))

    def corrupt(*_args, **_kwargs):
        raise ValueError("corrupt index pointer")

    monkeypatch.setattr(get_index(app), "apply", corrupt)
    browser.login(other_member.email)
    assert browser.post(f"/shops/{shop.id}/vote").status_code == 302
    assert outbox_size(app) == 1


def test_indexer_reports_a_failed_drain_and_keeps_the_rows(app, make_shop, monkeypatch):
    app.config["SEARCH_SYNC"] = "worker"
    make_shop()

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(get_index(app), "apply", broken)
    result = app.test_cli_runner().invoke(args=["search-indexer", "--once"])
    assert result.exit_code == 1
    assert "could not be applied" in result.output
    assert outbox_size(app) >= 1


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the disk holding the search index is full"),
        (errno.EROFS, "the search index is on a read-only file system"),
    ],
)
def test_indexer_names_a_full_or_read_only_disk(app, make_shop, monkeypatch, caplog, code, words):
    app.config["SEARCH_SYNC"] = "worker"
    make_shop()

    def no_room(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(get_index(app), "apply", no_room)
    result = app.test_cli_runner().invoke(args=["search-indexer", "--once"])
    assert result.exit_code == 1
    assert f"drain failed ({words}); retrying" in result.output
    assert any(words in record.getMessage() for record in caplog.records)
    assert outbox_size(app) >= 1


def test_concurrent_drains_never_leave_an_older_version_in_the_index(app, make_shop):
    """Drain A reads version 1 and is slow to write; meanwhile the shop changes and drain B runs.

    Drains are serialised, so B waits for A and then writes version 2.
    """
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop(name="Version Une")
    with app.app_context():
        drain(get_index(app))
        # A touch that keeps the document at version 1 queues it again.
        db.session.get(Shop, shop.id).updated_at = utcnow()
        db.session.commit()
    index = get_index(app)
    real_apply = index.apply
    a_writing, b_finished = threading.Event(), threading.Event()

    def slow_apply(docs, deleted):
        if threading.current_thread().name == "drain-a":
            a_writing.set()
            b_finished.wait(timeout=2)  # B cannot finish while A holds the index's lock
        real_apply(docs, deleted)

    index.apply = slow_apply

    def drain_in(name):
        with app.app_context():
            drain(index)
        if name == "drain-b":
            b_finished.set()

    a = threading.Thread(target=drain_in, args=("drain-a",), name="drain-a")
    a.start()
    assert a_writing.wait(timeout=10)
    with app.app_context():
        # The member's edit commits while A is writing: a drain holds no database lock then.
        db.session.get(Shop, shop.id).name = "Version Deux"
        db.session.commit()
    b = threading.Thread(target=drain_in, args=("drain-b",), name="drain-b")
    b.start()
    a.join()
    b.join()
    index.apply = real_apply
    assert found_ids(app, "deux") == [shop.id]
    with app.app_context():
        assert check_drift(index).clean


# Window products, opening hours and delivery zones reach the index through the same hook.


def add_product(app, shop_id, name, description="", status=ProductStatus.VISIBLE.value):
    """A product put in a shop's window through the ORM (no feature code), committed."""
    with app.app_context():
        product = Product(shop_id=shop_id, name=name, description=description, status=status)
        db.session.add(product)
        db.session.commit()
        return product.id


def test_a_new_product_queues_its_shop_and_its_words_find_it(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()
    with app.app_context():
        drain(get_index(app))
    assert found_ids(app, "kougelhopf") == []
    add_product(app, shop.id, "Kougelhopf alsacien", "Aux raisins macérés.")
    assert outbox_size(app) == 1
    with app.app_context():
        drain(get_index(app))
        hits = get_index(app).search(SearchQuery(text="kougelhopf")).hits
    assert [(hit.id, hit.product) for hit in hits] == [(shop.id, "Kougelhopf alsacien")]
    assert found_ids(app, "raisins") == [shop.id]


def test_a_hidden_product_no_longer_finds_its_shop(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()
    product_id = add_product(app, shop.id, "Kougelhopf alsacien")
    with app.app_context():
        drain(get_index(app))
        assert found_ids(app, "kougelhopf") == [shop.id]
        db.session.get(Product, product_id).status = ProductStatus.HIDDEN.value
        db.session.commit()
        assert outbox_size(app) == 1
        drain(get_index(app))
    assert found_ids(app, "kougelhopf") == []
    assert found_ids(app, "levain") == [shop.id]  # the shop itself stays


def test_a_deleted_product_no_longer_finds_its_shop(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()
    product_id = add_product(app, shop.id, "Kougelhopf alsacien")
    with app.app_context():
        drain(get_index(app))
        db.session.delete(db.session.get(Product, product_id))
        db.session.commit()
        assert outbox_size(app) == 1
        drain(get_index(app))
        assert check_drift(get_index(app)).clean
    assert found_ids(app, "kougelhopf") == []


def test_a_product_added_hidden_is_not_searchable(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()
    add_product(app, shop.id, "Kougelhopf alsacien", status=ProductStatus.HIDDEN.value)
    with app.app_context():
        drain(get_index(app))
    assert found_ids(app, "kougelhopf") == []


def test_a_product_price_change_leaves_the_outbox_alone(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()
    product_id = add_product(app, shop.id, "Kougelhopf alsacien")
    with app.app_context():
        drain(get_index(app))
        db.session.get(Product, product_id).price_cents = 1250
        db.session.commit()
    assert outbox_size(app) == 0


def test_a_product_moved_to_another_shop_requeues_both(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    first = make_shop()
    second = make_shop(name="Fournil d'Arlon", postcode="6700")
    product_id = add_product(app, first.id, "Kougelhopf alsacien")
    with app.app_context():
        drain(get_index(app))
        db.session.get(Product, product_id).shop_id = second.id
        db.session.commit()
        drain(get_index(app))
    assert found_ids(app, "kougelhopf") == [second.id]


def test_the_document_carries_hours_zone_and_visible_products(app, make_shop):
    shop = make_shop(delivery=True, delivery_radius_km=15)
    add_product(app, shop.id, "Kougelhopf", "Aux raisins.")
    add_product(app, shop.id, "Pain d'épices", status=ProductStatus.HIDDEN.value)
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        row.opening_hours = "Mo-Sa 07:00-19:00"
        db.session.commit()
        document = to_document(row)
        assert document.delivery_radius_km == 15.0
        assert document.opening_hours == "Mo-Sa 07:00-19:00"
        assert document.products == (ProductDocument("Kougelhopf", "Aux raisins."),)
        before = document.version
        row.delivery = False  # the radius stays in its column but is no zone any more
        db.session.flush()
        assert to_document(row).delivery_radius_km is None
        assert to_document(row).version != before
        db.session.rollback()


def test_a_drained_shop_delivers_and_opens_in_the_index(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop(delivery=True, delivery_radius_km=15)
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        row.opening_hours = "Mo-Sa 07:00-19:00; PH off"
        db.session.commit()
        point = GeoPoint(row.lat + 0.1, row.lon)  # about 11 km north
        drain(get_index(app))
    wednesday = datetime(2026, 6, 3, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    assert found_ids(app, delivers_to=point) == [shop.id]
    assert found_ids(app, open_at=wednesday) == [shop.id]
    assert found_ids(app, open_at=wednesday.replace(hour=21)) == []


def test_a_drain_holds_no_database_lock_while_the_index_writes(app, make_shop, other_member):
    """Catching up on a big outbox must not stall members' writes for the length of a commit."""
    app.config["SEARCH_SYNC"] = "worker"
    shop = make_shop()
    index = get_index(app)
    real_apply = index.apply
    outcome = []

    def vote_from_another_connection():
        try:
            with app.app_context():
                upvote(db.session.merge(other_member), shop.id)
                db.session.commit()
            outcome.append("committed")
        except Exception as error:  # the assertion below names it
            outcome.append(repr(error))

    def apply_while_a_member_votes(docs, deleted):
        index.apply = real_apply  # once: the drain's next batch applies the vote's own row
        voter = threading.Thread(target=vote_from_another_connection)
        voter.start()
        voter.join()  # on SQLite a drain inside a write transaction made this wait, then fail
        real_apply(docs, deleted)

    index.apply = apply_while_a_member_votes
    try:
        with app.app_context():
            drain(index)
    finally:
        index.apply = real_apply
    assert outcome == ["committed"]
    assert outbox_size(app) == 0
    with app.app_context():
        assert check_drift(index).clean


def test_a_batch_of_outbox_rows_is_one_index_commit(app, make_shop):
    app.config["SEARCH_SYNC"] = "worker"
    shops = [make_shop(name=f"Boutique {n}") for n in range(3)]
    index = get_index(app)
    with app.app_context():
        drain(index)
        db.session.execute(
            insert(SearchOutbox), [{"shop_id": shops[n % 3].id} for n in range(DRAIN_BATCH)]
        )
        db.session.commit()
    calls = []
    real_apply = index.apply

    def counting_apply(docs, deleted):
        calls.append(len(list(docs)))
        real_apply(docs, deleted)

    index.apply = counting_apply
    try:
        with app.app_context():
            assert drain(index) == DRAIN_BATCH
    finally:
        index.apply = real_apply
    assert calls == [3]
    assert outbox_size(app) == 0
