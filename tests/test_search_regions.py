"""Issue 11: provinces and départements as places: ``region=`` by name (French, Dutch,
English) or code, a region's name as ``town`` or ``near``, and bad regions answered 400."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

from app import create_app
from directory.accounts.services import register
from directory.errors import ValidationFailed
from directory.extensions import db
from directory.places.gazetteer import resolve_near
from directory.places.models import Place
from directory.places.regions import all_regions, region_keys, resolve_region
from directory.places.towns import resolve_town
from directory.search.bridge import reindex
from directory.search.params import MAX_REGION_LENGTH, parse_search
from directory.shops.models import Shop
from directory.shops.services import create_shop, town_slug
from directory.timeutil import utcnow
from tests.conftest import DATA_TABLES, PASSWORD, base_config, shop_input

# name, category, postcode, town, country
SHOPS = (
    ("Le Fournil d'Arlon", "boulangerie", "6700", "Arlon", "BE"),
    ("Au jardin d'Anna", "fleuriste", "6700", "Arlon", "BE"),
    ("Pizzeria Bastogne", "restauration", "6700", "Arlon", "BE"),
    ("Café de la Gare", "cafe-bar", "6700", "Arlon", "BE"),
    ("Boulangerie Jacob", "boulangerie", "6720", "Habay-la-Neuve", "BE"),
    ("Fleurs de Rulles", "fleuriste", "6724", "Rulles", "BE"),
    ("Le Moulin", "boulangerie", "6724", "Rulles", "BE"),  # its town becomes Marbehan
    ("Pharmacie Gaumaise", "pharmacie", "6730", "Tintigny", "BE"),
    ("Boulangerie du Centre", "boulangerie", "5000", "Namur", "BE"),
    ("Fromagerie Limousine", "fromagerie", "87000", "Limoges", "FR"),
    ("Fleurs de la Roquette", "fleuriste", "75011", "Paris", "FR"),
    ("Fleurs du Marais", "fleuriste", "75003", "Paris", "FR"),
    ("Charcuterie Corse", "boucherie", "20000", "Ajaccio", "FR"),
)
LUXEMBOURG = {
    "Le Fournil d'Arlon",
    "Au jardin d'Anna",
    "Pizzeria Bastogne",
    "Café de la Gare",
    "Boulangerie Jacob",
    "Fleurs de Rulles",
    "Le Moulin",
    "Pharmacie Gaumaise",
}


def directory_app(request, tmp_path_factory, name: str) -> Iterator[Flask]:
    """An app on the sqlite template or the PostgreSQL test database with ``SHOPS``, indexed,
    for one module: its tests only read."""
    folder = tmp_path_factory.mktemp(name)
    if request.param == "sqlite":
        path = folder / "db.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_ready")
    app = create_app(base_config(url, folder))
    with app.app_context():
        if request.param != "sqlite":
            tables = ", ".join(DATA_TABLES)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        author = register("alice@example.org", "Alice", PASSWORD, time_cost=1, memory_cost=1024)
        author.email_confirmed_at = utcnow()
        author.approved_posts = 1
        for shop_name, category, postcode, town, country in SHOPS:
            create_shop(
                author,
                shop_input(
                    name=shop_name,
                    category=category,
                    postcode=postcode,
                    town=town,
                    country=country,
                    description="",
                ),
            )
        # An imported shop may name a hamlet the gazetteer lacks.
        moulin = db.session.scalar(select(Shop).where(Shop.name == "Le Moulin"))
        moulin.town, moulin.town_slug = "Marbehan", town_slug("Marbehan", "BE")
        db.session.commit()
        reindex(app)
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def region_app(request, tmp_path_factory) -> Iterator[Flask]:
    yield from directory_app(request, tmp_path_factory, "regions")


@pytest.fixture
def client(region_app):
    return region_app.test_client()


@pytest.fixture
def context(region_app):
    with region_app.test_request_context():
        yield
        db.session.remove()


def search(client, query: str, status: int = 200) -> dict:
    response = client.get(f"/api/v1/search?{query.replace(' ', '%20')}&per_page=100")
    assert response.status_code == status, response.get_json()
    return response.get_json()


def names(client, query: str) -> set[str]:
    return {row["name"] for row in search(client, query)["results"]}


def error(client, query: str) -> dict:
    return search(client, query, 400)["error"]


def parse(**args):
    return parse_search(MultiDict(args))


# --- The regions themselves -------------------------------------------------------------------


def test_every_admin_value_is_a_region_with_a_code_of_its_own(context):
    admins = set(db.session.execute(select(Place.country, Place.admin).distinct()).all())
    regions = all_regions()
    assert {(r.country, r.name) for r in regions} == admins
    assert len({r.code for r in regions}) == len(regions)
    assert len([r for r in regions if r.country == "BE"]) == 11


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Ain", "01"),
        ("Ardennes", "08"),
        ("Haute-Vienne", "87"),
        ("Corse-du-Sud", "2A"),
        ("Haute-Corse", "2B"),
        ("Paris", "75"),
        ("Territoire de Belfort", "90"),
        ("Nord", "59"),
    ],
)
def test_a_departement_code_comes_from_its_postcodes(context, name, code):
    assert resolve_region(name).code == code
    assert resolve_region(code).name == name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Luxembourg", "Luxembourg"),
        ("Luxemburg", "Luxembourg"),
        ("luxembourg", "Luxembourg"),
        ("WLX", "Luxembourg"),
        ("BE-WLX", "Luxembourg"),
        ("province de Luxembourg", "Luxembourg"),
        ("Brabant wallon", "Brabant wallon"),
        ("Waals-Brabant", "Brabant wallon"),
        ("Walloon Brabant", "Brabant wallon"),
        ("Vlaams-Brabant", "Brabant flamand"),
        ("Flemish Brabant", "Brabant flamand"),
        ("Henegouwen", "Hainaut"),
        ("Oost-Vlaanderen", "Flandre-Orientale"),
        ("West Flanders", "Flandre-Occidentale"),
        ("Antwerpen", "Anvers"),
        ("Luik", "Liège"),
        ("Namen", "Namur"),
        ("Brussels", "Bruxelles-Capitale"),
        ("haute vienne", "Haute-Vienne"),
        ("HAUTE-VIENNE", "Haute-Vienne"),
        ("87 Haute-Vienne", "Haute-Vienne"),
        ("Haute-Vienne (87)", "Haute-Vienne"),
        ("FR-87", "Haute-Vienne"),
        ("2a", "Corse-du-Sud"),
        ("département de la Haute-Vienne", "Haute-Vienne"),
    ],
)
def test_a_region_answers_to_its_names_and_code(context, typed, name):
    assert resolve_region(typed).name == name


@pytest.mark.parametrize("typed", ["6", "8", "20", "999", "6700", "Luxembourgg", "Gaume", ""])
def test_what_is_no_region(context, typed):
    assert resolve_region(typed) is None


def test_codes_can_be_refused(context):
    assert resolve_region("87", codes=False) is None
    assert resolve_region("Haute-Vienne", codes=False).code == "87"


def test_a_region_is_named_in_the_interface_language(context):
    region = resolve_region("Luxembourg")
    assert (region.label("fr"), region.label("nl"), region.label("en")) == (
        "Luxembourg",
        "Luxemburg",
        "Luxembourg",
    )
    assert resolve_region("Brabant flamand").label("en") == "Flemish Brabant"
    assert resolve_region("Haute-Vienne").label("nl") == "Haute-Vienne"
    assert (region.kind, resolve_region("87").kind, resolve_region("BRU").kind) == (
        "province",
        "departement",
        "region",
    )


def test_the_keys_of_a_region_are_its_postcodes_and_own_names(context):
    keys = region_keys(resolve_region("Luxembourg"))
    assert {"6700", "6720", "6724", "6730", "Arlon", "Aarlen", "Habay-La-Neuve"} <= keys
    assert not {"5000", "Namur", "4000"} & keys
    vienne = region_keys(resolve_region("87"))
    assert {"87000", "Limoges"} <= vienne
    assert all(key.startswith("87") for key in vienne if key.isdigit())
    # A name other départements share would bring in their shops: postcodes stand for it.
    shared = db.session.scalar(
        select(Place.name)
        .where(Place.country == "FR", Place.admin == "Haute-Vienne", Place.name.like("Saint-%"))
        .where(
            Place.name_key.in_(
                select(Place.name_key).where(Place.admin != "Haute-Vienne").scalar_subquery()
            )
        )
        .limit(1)
    )
    assert shared is not None and shared not in vienne


def test_a_region_centre_is_the_mean_of_its_places(context):
    region = resolve_region("Luxembourg")
    rows = db.session.execute(
        select(Place.lat, Place.lon).where(
            Place.admin == "Luxembourg", Place.country == "BE", Place.is_alias.is_(False)
        )
    ).all()
    assert region.lat == pytest.approx(sum(r.lat for r in rows) / len(rows))
    assert region.lon == pytest.approx(sum(r.lon for r in rows) / len(rows))


# --- region= ----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Luxembourg", "Luxemburg", "WLX", "province de Luxembourg"])
def test_region_keeps_to_the_province(client, typed):
    assert names(client, f"region={typed}") == LUXEMBOURG


def test_region_by_departement_code_or_name(client):
    assert names(client, "region=87") == {"Fromagerie Limousine"}
    assert names(client, "region=Haute-Vienne") == {"Fromagerie Limousine"}
    assert names(client, "region=2A") == {"Charcuterie Corse"}
    assert names(client, "region=2B") == set()
    assert names(client, "region=75") == {"Fleurs de la Roquette", "Fleurs du Marais"}
    assert names(client, "region=Namur") == {"Boulangerie du Centre"}


def test_region_combines_with_the_other_filters(client):
    assert names(client, "region=Luxembourg&q=fleuriste") == {
        "Au jardin d'Anna",
        "Fleurs de Rulles",
    }
    assert names(client, "region=Luxembourg&category=boulangerie") == {
        "Le Fournil d'Arlon",
        "Boulangerie Jacob",
        "Le Moulin",
    }


def test_region_and_town_together_keep_to_both(client):
    assert names(client, "region=Luxembourg&town=Habay") == {
        "Boulangerie Jacob",
        "Fleurs de Rulles",
        "Le Moulin",  # by its postcode, 6724
    }
    assert names(client, "region=Luxembourg&town=Marbehan") == {"Le Moulin"}
    assert names(client, "region=75&town=Paris 11") == {"Fleurs de la Roquette"}


def test_a_town_outside_the_region_is_a_400_on_town(client):
    found = error(client, "region=Namur&town=Arlon")
    assert found["field"] == "town"
    assert "Arlon" in found["message"] and "Namur" in found["message"]
    assert error(client, "region=87&town=Marbehan")["field"] == "town"


def test_an_unknown_region_is_a_400_with_close_names(client):
    found = error(client, "region=Luxembourgg")
    assert found["field"] == "region"
    assert "Luxembourgg" in found["message"]
    assert {"name": "Luxembourg", "postcode": "WLX", "country": "BE"} in found["suggestions"]
    vienne = error(client, "region=Haute-Viene")
    assert vienne["suggestions"][0] == {"name": "Haute-Vienne", "postcode": "87", "country": "FR"}
    assert error(client, "region=6")["field"] == "region"
    assert "suggestions" not in error(client, "region=zzzz")


def test_a_too_long_region_is_a_400(client):
    found = error(client, "region=" + "L" * (MAX_REGION_LENGTH + 1))
    assert found["field"] == "region" and str(MAX_REGION_LENGTH) in found["message"]
    assert search(client, "region=%20Luxembourg%20")["total"] == len(LUXEMBOURG)


def test_an_unknown_region_on_the_page_is_a_400_naming_it(client):
    response = client.get("/search?region=Luxembourgg")
    assert response.status_code == 400
    assert "Luxembourgg" in response.get_data(as_text=True)
    assert client.get("/search?region=Luxemburg").status_code == 200


def test_the_request_carries_the_region(context):
    region = resolve_region("Luxembourg")
    assert parse(region="Luxemburg").region == region
    assert parse(town="Luxembourg").region == region
    assert parse(near="Luxembourg").region == region
    assert parse(region="Luxembourg", town="Arlon").region == region
    assert parse(town="Arlon").region is None
    assert parse(near="Arlon").region is None


# --- A region's name as near or town ----------------------------------------------------------


def test_near_a_region_is_its_centre_and_keeps_to_it_without_a_radius(client, context):
    body = search(client, "near=Luxembourg")
    assert {row["name"] for row in body["results"]} == LUXEMBOURG
    region = resolve_near("Luxembourg").region
    assert (body["near"]["lat"], body["near"]["lon"]) == pytest.approx((region.lat, region.lon))
    assert body["near"]["name"] == "Luxembourg"
    # Arlon is over 30 km from the province's centre: no default radius of 10 km applied.
    assert min(row["distance_km"] for row in body["results"]) > 10


def test_near_a_region_is_named_in_the_interface_language(client):
    assert search(client, "near=Luxembourg&lang=nl")["near"]["name"] == "Luxemburg"
    assert search(client, "near=Luxemburg&lang=fr")["near"]["name"] == "Luxembourg"


def test_near_a_region_measures_from_its_centre(client):
    rows = search(client, "near=Luxembourg&sort=distance")["results"]
    distances = [row["distance_km"] for row in rows]
    assert distances == sorted(distances) and len(rows) == len(LUXEMBOURG)
    steps = sorted(set(distances))
    cut = (steps[0] + steps[1]) / 2  # between two shops, whatever the rounding
    within = {row["name"] for row in rows if row["distance_km"] <= cut}
    assert within and within != LUXEMBOURG
    assert names(client, f"near=Luxembourg&radius_km={cut}") == within


def test_a_locality_wins_over_a_region_of_that_name(client, context):
    assert resolve_near("Namur").region is None
    assert resolve_near("Liège").region is None
    assert resolve_near("Bouy-Luxembourg").region is None  # only the exact name counts
    assert names(client, "near=Namur") == {"Boulangerie du Centre"}  # within 10 km of the city
    assert parse(near="Namur").query.radius_km == 10
    assert parse(near="Luxembourg").query.radius_km is None


def test_town_may_be_a_region(client):
    assert names(client, "town=Luxembourg") == LUXEMBOURG
    assert names(client, "town=Haute-Vienne") == {"Fromagerie Limousine"}
    assert names(client, "town=Namur") == {"Boulangerie du Centre"}  # the city, as before


def test_the_town_filter_still_widens_communes_and_refuses_unknowns(client):
    assert names(client, "town=habay") == {"Boulangerie Jacob", "Fleurs de Rulles", "Le Moulin"}
    found = error(client, "town=Zzyzxville")
    assert found["field"] == "town" and "Zzyzxville" in found["message"]


def test_a_commune_no_locality_is_named_after_is_a_town(context):
    # Tessenderlo-Ham: the localities are Tessenderlo (3980) and Ham (3945).
    assert {"3945", "3980", "Ham", "Tessenderlo"} <= resolve_town("Tessenderlo-Ham")


def test_delivers_to_a_region_is_a_400(client):
    found = error(client, "delivers_to=Luxembourg")
    assert found["field"] == "delivers_to" and "Luxembourg" in found["message"]


def test_near_a_region_outside_the_region_asked_is_a_400(client):
    assert error(client, "near=Luxembourg&region=Namur")["field"] == "near"
    assert names(client, "near=Luxembourg&region=Luxemburg") == LUXEMBOURG


def test_an_unknown_region_raises_a_validation_error(context):
    with pytest.raises(ValidationFailed) as raised:
        parse(region="Luxembourgg")
    assert raised.value.field == "region" and raised.value.suggestions
