"""Issue 11: the last words of a query may name the place ("boulangerie arlon", "fleuriste à
Habay", "fromagerie haute-vienne"), never the words of a shop's name ("café de la gare")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.places.regions import resolve_region
from directory.places.towns import resolve_town, trailing_place
from directory.search.params import parse_search
from tests.test_search_regions import directory_app


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def words_app(request, tmp_path_factory) -> Iterator[Flask]:
    """The shops of tests/test_search_regions.py: Arlon, Habay's villages (one in Marbehan,
    a hamlet the gazetteer lacks), Tintigny, Namur, Limoges, Paris 3rd and 11th, Ajaccio."""
    yield from directory_app(request, tmp_path_factory, "place_words")


@pytest.fixture
def client(words_app):
    return words_app.test_client()


@pytest.fixture
def context(words_app):
    with words_app.test_request_context():
        yield
        db.session.remove()


def parse(**args):
    return parse_search(MultiDict(args))


def names(client, q: str) -> set[str]:
    response = client.get("/api/v1/search", query_string={"q": q, "per_page": 100})
    assert response.status_code == 200, response.get_json()
    return {row["name"] for row in response.get_json()["results"]}


# (query, the words left as text, the place as typed)
READ_AS_PLACES = [
    ("boulangerie arlon", "boulangerie", "arlon"),
    ("fleuriste à Habay", "fleuriste", "Habay"),
    ("fleuriste a habay", "fleuriste", "habay"),
    ("pharmacie tintigny", "pharmacie", "tintigny"),
    ("boulangerie 6700", "boulangerie", "6700"),
    ("boucherie 6700 Arlon", "boucherie", "6700 Arlon"),
    ("bakker aarlen", "bakker", "aarlen"),
    ("bakker in Aarlen", "bakker", "Aarlen"),
    ("bakker te Aarlen", "bakker", "Aarlen"),
    ("fleuristes paris 11", "fleuristes", "paris 11"),
    ("fleuriste paris", "fleuriste", "paris"),
    ("bijouterie limoges", "bijouterie", "limoges"),
    ("boulangerie luxembourg", "boulangerie", "luxembourg"),
    ("fromagerie haute-vienne", "fromagerie", "haute-vienne"),
    ("vin en Haute-Vienne", "vin", "Haute-Vienne"),
    ("boulangerie brabant wallon", "boulangerie", "brabant wallon"),
    ("fromage dans le Nord", "fromage", "Nord"),  # "Nord" alone is an everyday word
    ("pizzeria bastogne", "pizzeria", "bastogne"),
    ("boulangerie habay-la-neuve", "boulangerie", "habay-la-neuve"),  # a village with shops
    ("boulangerie marbehan", "boulangerie", "marbehan"),  # shops only know it
    ("fleuriste près de Arlon", "fleuriste", "Arlon"),
    ("boulangerie à Fontaine", "boulangerie", "Fontaine"),  # a village, but "à" says it
    ("bakker de panne", "bakker", "de panne"),
    ("pain, arlon", "pain", "arlon"),
    ("Boulangerie Arlon.", "Boulangerie", "Arlon"),
    ("épicerie st-léger", "épicerie", "st-léger"),
    ("chocolatier 1000 bruxelles", "chocolatier", "1000 bruxelles"),
]

LEFT_AS_WORDS = [
    "café de la gare",
    "le moulin",
    "boulangerie du centre",
    "boulangerie de la fontaine",
    "boulangerie fontaine",
    "la chapelle",
    "brasserie du bois",
    "marche bio",
    "café du marche",
    "boulangerie de Paris",
    "vin de Bordeaux",
    "restaurant pas cher",
    "institut spa",
    "vente en vrac bio",
    "pain au chocolat",
    "pizza à emporter",
    "boulangerie 11",  # a département's code is no place in a query
    "boulangerie vienne",  # a village (Vienne has one postcode of its own)
    "arlon",  # one word stays a word
    "6700",
    "luxembourg",
    "à Habay",
    "- arlon",  # nothing left to look for
]


@pytest.mark.parametrize(("q", "text", "words"), READ_AS_PLACES)
def test_a_trailing_place_becomes_the_town_filter(context, q, text, words):
    request = parse(q=q)
    assert request.place_words == words
    assert request.query.text == text
    assert request.query.towns == resolve_town(words)
    # The same search without the place reading, for services to fall back on.
    assert request.text_query == replace(request.query, text=q, towns=frozenset())


@pytest.mark.parametrize(
    ("q", "region"),
    [
        ("boulangerie luxembourg", "Luxembourg"),
        ("bakker luxemburg", "Luxembourg"),
        ("fromagerie haute-vienne", "Haute-Vienne"),
        ("boulangerie arlon", None),
    ],
)
def test_a_region_in_the_query_is_the_request_region(context, q, region):
    request = parse(q=q)
    assert request.region == (resolve_region(region) if region else None)


@pytest.mark.parametrize("q", LEFT_AS_WORDS)
def test_the_words_of_a_name_stay_words(context, q):
    request = parse(q=q)
    assert trailing_place(q) is None
    assert (request.place_words, request.text_query, request.region) == (None, None, None)
    assert request.query.text == q and request.query.towns == frozenset()


def test_no_place_is_read_when_one_is_given(context):
    with_town = parse(q="boulangerie arlon", town="Habay")
    assert with_town.query.text == "boulangerie arlon" and with_town.place_words is None
    assert with_town.query.towns == resolve_town("Habay")
    with_near = parse(q="boulangerie arlon", near="Habay")
    assert with_near.query.text == "boulangerie arlon" and with_near.query.towns == frozenset()
    with_region = parse(q="boulangerie arlon", region="Namur")
    assert with_region.place_words is None and with_region.text_query is None


def test_the_longest_place_wins(context):
    assert trailing_place("fleuristes paris 11").words == "paris 11"
    assert trailing_place("boulangerie habay la neuve").words == "habay la neuve"
    assert trailing_place("boulangerie 6720 habay").words == "6720 habay"


# --- Through the API: the place filters the results ------------------------------------------


def test_a_commune_in_the_query_finds_its_villages(client):
    assert names(client, "fleuriste à Habay") == {"Fleurs de Rulles"}
    assert names(client, "fleuriste habay") == {"Fleurs de Rulles"}


def test_a_town_or_postcode_in_the_query_keeps_to_it(client):
    assert names(client, "boulangerie arlon") == {"Le Fournil d'Arlon"}
    assert names(client, "boulangerie 6700") == {"Le Fournil d'Arlon"}
    assert names(client, "pharmacie tintigny") == {"Pharmacie Gaumaise"}
    assert names(client, "fleuristes paris 11") == {"Fleurs de la Roquette"}
    assert names(client, "fleuristes paris") == {"Fleurs de la Roquette", "Fleurs du Marais"}


def test_a_region_in_the_query_keeps_to_it(client):
    assert names(client, "boulangerie luxembourg") == {
        "Le Fournil d'Arlon",
        "Boulangerie Jacob",
        "Le Moulin",
    }
    assert names(client, "fromagerie haute-vienne") == {"Fromagerie Limousine"}


def test_shop_names_that_look_like_places_are_found_by_name(client):
    assert names(client, "café de la gare") == {"Café de la Gare"}
    assert names(client, "le moulin") == {"Le Moulin"}
    assert names(client, "boulangerie du centre") == {"Boulangerie du Centre"}


def test_a_place_reading_that_finds_nothing_falls_back_to_the_words(client):
    # Bastogne is a commune, but the pizzeria of that name is in Arlon.
    assert names(client, "pizzeria bastogne") == {"Pizzeria Bastogne"}
