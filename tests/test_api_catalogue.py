"""``GET /api/v1/categories`` and ``GET /api/v1/shops``: the catalogue, page by page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory.api import catalogue
from directory.extensions import db
from directory.search.params import MAX_PER_PAGE
from directory.shops.models import Category, Shop, ShopStatus


def _hide(app, shop_id: int) -> None:
    with app.app_context():
        db.session.get(Shop, shop_id).status = ShopStatus.HIDDEN.value
        db.session.commit()


def test_categories_lists_every_category_with_its_visible_shops(app, make_shop):
    make_shop()
    make_shop(name="Fournil d'Arlon", address="Rue de Diekirch 3")
    hidden = make_shop(name="Boulangerie cachée", address="Rue des Faubourgs 8")
    make_shop(name="Boucherie Lambert", category="boucherie", address="Rue de Bastogne 1")
    _hide(app, hidden.id)

    body = app.test_client().get("/api/v1/categories").get_json()

    with app.app_context():
        slugs = list(
            db.session.scalars(select(Category.slug).order_by(Category.position, Category.slug))
        )
    assert [c["slug"] for c in body["results"]] == slugs
    counts = {c["slug"]: c["count"] for c in body["results"]}
    assert counts["boulangerie"] == 2  # the hidden one is not counted
    assert counts["boucherie"] == 1
    assert sum(counts.values()) == 3
    bakery = next(c for c in body["results"] if c["slug"] == "boulangerie")
    assert bakery["url"].endswith("/categories/boulangerie")


def test_category_names_follow_the_interface_language(app):
    client = app.test_client()
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.slug == "boulangerie"))
        names = {"fr": category.name_fr, "nl": category.name_nl}
    for lang, name in names.items():
        response = client.get(f"/api/v1/categories?lang={lang}")
        found = next(c for c in response.get_json()["results"] if c["slug"] == "boulangerie")
        assert found["name"] == name
        assert "Accept-Language" in response.headers["Vary"]


def test_shops_pages_through_every_visible_shop_in_id_order(app, make_shop):
    ids = [make_shop(name=f"Boulangerie {n}", address=f"Grand-Rue {n}").id for n in range(1, 6)]
    _hide(app, ids[2])
    client = app.test_client()

    seen, url, pages = [], "/api/v1/shops?per_page=2", 0
    while url:
        body = client.get(url).get_json()
        assert body["total"] == 4 and body["per_page"] == 2
        seen += [shop["id"] for shop in body["results"]]
        url, pages = body["next"], pages + 1
    assert seen == [i for i in ids if i != ids[2]]
    assert pages == 2
    last = client.get("/api/v1/shops?per_page=2&page=2").get_json()
    assert last["next"] is None and last["page"] == 2


def test_shops_results_are_shop_summaries(app, make_shop):
    shop = make_shop(takeaway=True)
    result = app.test_client().get("/api/v1/shops").get_json()["results"][0]
    detail = app.test_client().get(f"/api/v1/shops/{shop.id}").get_json()
    assert result == {key: detail[key] for key in result}
    assert result["services"] == ["takeaway"]


def test_shops_defaults_and_a_page_past_the_end(app, make_shop):
    make_shop()
    client = app.test_client()
    body = client.get("/api/v1/shops").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, catalogue.DEFAULT_PER_PAGE, 1)
    assert body["next"] is None
    beyond = client.get("/api/v1/shops?page=3").get_json()
    assert beyond["results"] == [] and beyond["total"] == 1 and beyond["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=100000", "page"),
        ("per_page=0", "per_page"),
        (f"per_page={MAX_PER_PAGE + 1}", "per_page"),
        ("per_page=1.5", "per_page"),
    ],
)
def test_shops_refuses_a_bad_page_naming_the_field(app, query, field):
    response = app.test_client().get(f"/api/v1/shops?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    assert response.get_json()["error"]["message"]


def test_shops_total_counts_only_visible_shops(app, make_shop):
    make_shop()
    hidden = make_shop(name="Autre boulangerie", address="Rue Paul Reuter 2")
    _hide(app, hidden.id)
    with app.app_context():
        visible = db.session.scalar(
            select(func.count()).select_from(Shop).where(Shop.status == ShopStatus.VISIBLE.value)
        )
    assert app.test_client().get("/api/v1/shops").get_json()["total"] == visible == 1
