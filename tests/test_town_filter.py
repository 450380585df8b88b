"""The search's ``town`` filter resolves names like ``near``: communes, languages, suggestions."""

import re
from html import unescape

import pytest

from directory.extensions import db
from directory.search.bridge import drain, get_index
from directory.shops.models import Shop


@pytest.fixture
def town_shops(app, make_shop):
    """Shops in four localities of the commune of Habay, in Arlon, in Brussels and Limoges."""
    made = {}
    for name, postcode, town, country in [
        ("Boulangerie Jacob", "6720", "Habay-la-Neuve", "BE"),
        ("Fromagerie de la Vieille", "6723", "Habay-la-Vieille", "BE"),
        ("Épicerie de Hachy", "6720", "Hachy", "BE"),
        ("Brasserie de Rulles", "6724", "Rulles", "BE"),
        ("Le Fournil d'Arlon", "6700", "Arlon", "BE"),
        ("Chocolaterie du Sablon", "1000", "Bruxelles", "BE"),
        ("Fleurs de Laeken", "1020", "Laeken", "BE"),
        ("Librairie d'Etterbeek", "1040", "Etterbeek", "BE"),
        ("Bijouterie Limousine", "87000", "Limoges", "FR"),
    ]:
        made[name] = make_shop(name=name, postcode=postcode, town=town, country=country)
    with app.app_context():
        drain(get_index(app))
    return made


def names(browser, query: str, lang: str = "fr") -> set[str]:
    response = browser.get(f"/api/v1/search?{query}&per_page=100&lang={lang}")
    assert response.status_code == 200, response.get_json()
    return {row["name"] for row in response.get_json()["results"]}


HABAY = {
    "Boulangerie Jacob",
    "Fromagerie de la Vieille",
    "Épicerie de Hachy",
    "Brasserie de Rulles",
}


@pytest.mark.parametrize("typed", ["habay", "Habay", "HABAY", "6720 Habay"])
def test_a_commune_matches_all_its_localities(browser, town_shops, typed):
    assert names(browser, f"town={typed}") == HABAY


def test_a_locality_matches_itself(browser, town_shops):
    assert names(browser, "town=Hachy") == {"Épicerie de Hachy"}
    assert names(browser, "town=habay-la-vieille") == {"Fromagerie de la Vieille"}
    assert names(browser, "town=Habay la Neuve") == {"Boulangerie Jacob"}


def test_a_postcode_matches_its_localities(browser, town_shops):
    assert names(browser, "town=6720") == {"Boulangerie Jacob", "Épicerie de Hachy"}
    assert names(browser, "town=87000") == {"Bijouterie Limousine"}


def test_french_and_dutch_names_find_the_same_shops(browser, town_shops):
    brussels = {"Chocolaterie du Sablon", "Fleurs de Laeken"}
    assert names(browser, "town=Bruxelles") == brussels
    assert names(browser, "town=Brussel") == brussels
    assert names(browser, "town=brussel", lang="nl") == brussels
    assert names(browser, "town=Aarlen") == {"Le Fournil d'Arlon"}


def test_a_postcode_shared_with_another_commune_does_not_pull_it_in(browser, town_shops):
    # 1040 is both Bruxelles (the European quarter) and Etterbeek.
    assert "Librairie d'Etterbeek" not in names(browser, "town=Bruxelles")
    assert names(browser, "town=Etterbeek") == {"Librairie d'Etterbeek"}


def test_the_town_filter_combines_with_the_others(browser, town_shops):
    assert names(browser, "town=habay&q=brasserie") == {"Brasserie de Rulles"}


def test_an_unknown_town_is_a_400_with_suggestions(browser, town_shops):
    response = browser.get("/api/v1/search?town=Habbay")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "town"
    assert "Lieu inconnu" in error["message"] and "Habbay" in error["message"]
    assert {"name": "Habay", "postcode": "6720", "country": "BE"} in error["suggestions"]


def test_an_unknown_postcode_is_a_400(browser, town_shops):
    response = browser.get("/api/v1/search?town=6799")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "town"


def test_an_unknown_town_offers_links_on_the_page(browser, town_shops):
    response = browser.get("/search?town=Habbay&q=pain")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Lieu inconnu" in html
    links = [unescape(href) for href in re.findall(r'<a href="(/search\?[^"]*)"', html)]
    habay = [link for link in links if "town=Habay&" in link or link.endswith("town=Habay")]
    assert habay, links
    assert "q=pain" in habay[0]  # the rest of the search is kept
    assert browser.get(habay[0]).status_code == 200


def test_an_unknown_near_offers_links_too(browser, town_shops):
    api = browser.get("/api/v1/search?near=Arlom")
    assert api.status_code == 400
    assert api.get_json()["error"]["field"] == "near"
    assert {"name": "Arlon", "postcode": "6700", "country": "BE"} in api.get_json()["error"][
        "suggestions"
    ]
    html = browser.get("/search?near=Arlom").get_data(as_text=True)
    links = [unescape(href) for href in re.findall(r'<a href="(/search\?[^"]*)"', html)]
    arlon = [link for link in links if "near=6700+Arlon" in link]
    assert arlon, links
    page = browser.get(arlon[0])
    assert page.status_code == 200
    assert "Le Fournil d&#39;Arlon" in page.get_data(as_text=True)


def test_near_is_echoed_in_the_interface_language(browser, town_shops):
    assert browser.get("/api/v1/search?near=Luik&lang=fr").get_json()["near"]["name"] == "Liège"
    assert browser.get("/api/v1/search?near=Liège&lang=nl").get_json()["near"]["name"] == "Luik"
    html = browser.get("/search?near=Brussel&lang=fr").get_data(as_text=True)
    assert "autour de Bruxelles" in html


def test_a_town_of_listed_shops_unknown_to_the_gazetteer_still_filters(app, browser, town_shops):
    """Imported shops may name a hamlet the gazetteer lacks (Marbehan, Stockem)."""
    with app.app_context():
        shop = db.session.scalar(db.select(Shop).where(Shop.name == "Brasserie de Rulles"))
        shop.town, shop.town_slug = "Marbehan", "marbehan-be"
        db.session.commit()  # the search outbox hears of it on flush
        drain(get_index(app))
    assert names(browser, "town=Marbehan") == {"Brasserie de Rulles"}
    assert "Brasserie de Rulles" in names(browser, "town=habay")  # by its postcode, 6724
