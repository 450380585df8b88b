"""Open data exports (CSV, GeoJSON, JSON-LD), the /open-data page, ``seed --no-demo``, and the
round trip: the seeded demo exported as CSV and imported into an empty directory."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app import create_app
from directory.accounts.models import User
from directory.extensions import db
from directory.opendata import exports
from directory.opendata.licences import ODBL
from directory.places.models import Place
from directory.seeding.importer import COLUMNS
from directory.shops.models import Category, Shop, ShopStatus
from tests.conftest import base_config

ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
OSM_LINE = "© les contributeurs d'OpenStreetMap"
OWN_LINE = "© les contributeurs de Bonnes Adresses"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def shops(app, make_shop):
    """A delivering bakery with hours and an e-shop, a plain florist, and a hidden shop."""
    bakery = make_shop(
        name="Fournil de la Gare",
        address="Rue de la Gare 3",
        website="https://fournil.example",
        eshop_url="https://fournil.example/boutique",
        phone="+32 63 21 00 00",
        takeaway=True,
        delivery=True,
        delivery_radius_km=12,
        lat=49.68312345678901,
        lon=5.81234567890123,
    )
    florist = make_shop(name="Fleurs du Parc", category="fleuriste", address="Rue du Parc 2")
    hidden = make_shop(name="Boutique Masquée", category="cadeaux", address="Rue Haute 40")
    with app.app_context():
        db.session.get(Shop, bakery.id).opening_hours = "Tu-Sa 07:00-18:30; PH off"
        db.session.get(Shop, hidden.id).status = ShopStatus.HIDDEN.value
        db.session.commit()
    return {"bakery": bakery, "florist": florist, "hidden": hidden}


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export_has_the_importer_columns_and_the_licence_header(client_of, shops):
    response = client_of.get("/export/shops.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="' in disposition
    assert response.headers["Link"] == f'<{ODBL_URL}>; rel="license"'
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(header) == exports.CSV_COLUMNS
    assert tuple(header[: len(COLUMNS)]) == COLUMNS
    rows = {row["name"]: row for row in csv_rows(response)}
    assert set(rows) == {"Fournil de la Gare", "Fleurs du Parc"}
    bakery = rows["Fournil de la Gare"]
    assert (bakery["category"], bakery["source_tag"]) == ("boulangerie", "")
    assert (bakery["lat"], bakery["lon"]) == ("49.68312345678901", "5.81234567890123")
    assert bakery["services"] == "takeaway delivery eshop"
    assert (bakery["delivery_radius_km"], bakery["opening_hours"]) == (
        "12",
        "Tu-Sa 07:00-18:30; PH off",
    )
    assert (bakery["phone"], bakery["eshop_url"]) == (
        "+32 63 21 00 00",
        "https://fournil.example/boutique",
    )
    assert bakery["url"] == f"http://localhost/shops/{shops['bakery'].id}-fournil-de-la-gare"
    florist = rows["Fleurs du Parc"]
    assert (florist["services"], florist["delivery_radius_km"], florist["opening_hours"]) == (
        "",
        "",
        "",
    )


def test_geojson_export_is_a_licensed_feature_collection(client_of, shops):
    response = client_of.get("/export/shops.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.is_streamed
    data = json.loads(response.get_data(as_text=True))
    assert data["type"] == "FeatureCollection"
    assert data["licence"] == ODBL_URL
    assert OWN_LINE in data["attribution"] and OSM_LINE in data["attribution"]
    features = {f["properties"]["name"]: f for f in data["features"]}
    assert set(features) == {"Fournil de la Gare", "Fleurs du Parc"}
    bakery = features["Fournil de la Gare"]
    assert bakery["type"] == "Feature" and bakery["geometry"]["type"] == "Point"
    assert bakery["geometry"]["coordinates"] == [5.81234567890123, 49.68312345678901]
    properties = bakery["properties"]
    assert properties["id"] == bakery["id"] == shops["bakery"].id
    assert properties["category"]["slug"] == "boulangerie"
    assert properties["url"] == f"http://localhost/shops/{shops['bakery'].id}-fournil-de-la-gare"
    assert properties["services"] == ["takeaway", "delivery", "eshop"]
    assert properties["delivery_radius_km"] == 12
    assert properties["opening_hours"] == "Tu-Sa 07:00-18:30; PH off"
    assert (properties["town"], properties["postcode"], properties["country"]) == (
        "Arlon",
        "6700",
        "BE",
    )
    florist = features["Fleurs du Parc"]["properties"]
    assert (florist["services"], florist["delivery_radius_km"], florist["opening_hours"]) == (
        [],
        None,
        None,
    )


def test_jsonld_export_is_a_schema_org_data_feed(client_of, shops):
    response = client_of.get("/export/shops.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.is_streamed
    data = json.loads(response.get_data(as_text=True))
    assert (data["@context"], data["@type"]) == ("https://schema.org", "DataFeed")
    assert data["license"] == ODBL_URL
    assert OWN_LINE in data["creditText"] and OSM_LINE in data["creditText"]
    elements = {element["name"]: element for element in data["dataFeedElement"]}
    assert set(elements) == {"Fournil de la Gare", "Fleurs du Parc"}
    bakery = elements["Fournil de la Gare"]
    assert bakery["@type"] == "LocalBusiness"
    assert (
        bakery["@id"]
        == bakery["url"]
        == (f"http://localhost/shops/{shops['bakery'].id}-fournil-de-la-gare")
    )
    assert bakery["geo"]["latitude"] == 49.68312345678901
    assert bakery["address"]["postalCode"] == "6700"
    assert "https://fournil.example" in bakery["sameAs"]


def test_an_empty_directory_exports_empty_valid_files(client_of):
    assert csv_rows(client_of.get("/export/shops.csv")) == []
    geojson = json.loads(client_of.get("/export/shops.geojson").get_data(as_text=True))
    assert geojson["features"] == []
    feed = json.loads(client_of.get("/export/shops.jsonld").get_data(as_text=True))
    assert feed["dataFeedElement"] == []


@pytest.fixture
def client_of(app):
    return app.test_client()


@pytest.mark.parametrize(
    "path", ["/export/shops.csv", "/export/shops.geojson", "/export/shops.jsonld"]
)
def test_exports_read_the_database_in_batches(app, client_of, shops, path, monkeypatch):
    """The shops are fetched ``yield_per`` at a time and the body is sent in pieces."""
    monkeypatch.setattr(exports, "CHUNK_CHARS", 1)
    batches = []

    def spy(state):
        if state.is_select:
            batches.append(state.execution_options.get("yield_per"))

    event.listen(Session, "do_orm_execute", spy)
    try:
        response = client_of.get(path, buffered=False)
        pieces = list(response.response)
        response.close()
    finally:
        event.remove(Session, "do_orm_execute", spy)
    assert any(batches), batches
    # At least a header, a piece per shop and an end.
    assert len(pieces) >= 3


def test_open_data_page_lists_exports_and_licences(client_of):
    page = client_of.get("/open-data").get_data(as_text=True)
    for link in (
        "/export/shops.csv",
        "/export/shops.geojson",
        "/export/shops.jsonld",
        "/api/v1/openapi.json",
        "/feeds/shops.atom?town=",
        "/embed?town=",
    ):
        assert link in page
    assert ODBL_URL in page and ODBL.name in page
    assert "les contributeurs de Bonnes Adresses" in page
    assert "www.openstreetmap.org/copyright" in page
    assert "GeoNames" in page and "Licence Ouverte 2.0" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    home = client_of.get("/").get_data(as_text=True)
    assert 'href="/open-data"' in home


# --- The round trip: the demo directory, exported, then imported into an empty one ---------


@pytest.fixture(scope="module")
def empty_directory(tmp_path_factory):
    """A new SQLite database made by ``seed --no-demo``, with its counts just after seeding."""
    folder = tmp_path_factory.mktemp("empty_directory")
    app = create_app(base_config(f"sqlite:///{folder / 'empty.sqlite3'}", folder))
    result = app.test_cli_runner().invoke(args=["seed", "--no-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        counts = {
            "categories": count(Category),
            "places": count(Place),
            "shops": count(Shop),
            "users": count(User),
        }
        db.session.remove()
    yield app, folder, counts
    with app.app_context():
        db.engine.dispose()


def shop_facts(app) -> set[tuple]:
    """What a visible shop must keep through the round trip."""
    with app.app_context():
        rows = db.session.scalars(select(Shop).where(Shop.status == ShopStatus.VISIBLE.value))
        facts = {
            (
                shop.name,
                shop.category.slug,
                shop.lat,
                shop.lon,
                tuple(shop.services),
                shop.delivery_radius_km,
                shop.opening_hours,
                shop.address,
                shop.postcode,
                shop.town,
                shop.website,
            )
            for shop in rows
        }
        db.session.remove()
    return facts


@pytest.fixture(scope="module")
def round_trip(demo_module_app, empty_directory):
    """The demo exported as CSV and imported into the empty directory."""
    app, folder, _counts = empty_directory
    response = demo_module_app.test_client().get("/export/shops.csv")
    assert response.status_code == 200
    path = folder / "shops.csv"
    path.write_bytes(response.data)
    result = app.test_cli_runner().invoke(args=["import-shops", str(path)])
    assert result.exit_code == 0, result.output
    return demo_module_app, app, result.output


def test_seed_without_demo_loads_categories_and_gazetteer_only(empty_directory):
    _app, _folder, counts = empty_directory
    assert counts["categories"] >= 25
    assert counts["places"] > 40_000
    assert (counts["shops"], counts["users"]) == (0, 0)


def test_the_demo_exported_as_csv_imports_into_an_empty_directory(round_trip):
    demo, imported, output = round_trip
    original = shop_facts(demo)
    assert len(original) > 200
    # Some demo shops deliver and have hours: the optional columns were read, not defaulted.
    assert any(fact[5] for fact in original) and all(fact[6] for fact in original)
    assert f"{len(original)} rows: {len(original)} created, 0 updated" in output
    assert " 0 skipped" in output
    assert shop_facts(imported) == original


def test_the_export_imported_again_changes_nothing(round_trip, tmp_path):
    _demo, imported, _output = round_trip
    response = imported.test_client().get("/export/shops.csv")
    path = tmp_path / "again.csv"
    path.write_bytes(response.data)
    result = imported.test_cli_runner().invoke(args=["import-shops", str(path)])
    assert result.exit_code == 0, result.output
    rows = len(csv_rows(response))
    assert f"{rows} rows: 0 created, 0 updated, {rows} unchanged, 0 skipped" in result.output
