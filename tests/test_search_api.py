"""GET /api/v1/search and the /search page: contract, filters, errors."""

import re

import pytest

from directory.extensions import db
from directory.search.bridge import drain, get_index


@pytest.fixture
def directory_shops(app, make_shop):
    """A florist and a bakery in Arlon, a bakery in Habay (about 15 km west), one in Limoges."""
    shops = {
        "florist": make_shop(
            name="Au jardin d'Anna",
            category="fleuriste",
            description="Bouquets de saison et plantes.",
            click_collect=True,
        ),
        "arlon_bakery": make_shop(
            name="Le Fournil d'Arlon",
            category="boulangerie",
            description="Pain bio au levain.",
            takeaway=True,
        ),
        "habay_bakery": make_shop(
            name="Boulangerie Jacob",
            category="boulangerie",
            postcode="6720",
            town="Habay-la-Neuve",
            description="Pralines maison.",
        ),
        "limoges": make_shop(
            name="Bijouterie Limousine",
            category="bijouterie",
            postcode="87000",
            town="Limoges",
            country="FR",
            eshop_url="https://bijoux.example",
        ),
    }
    with app.app_context():
        drain(get_index(app))
    return shops


def api(browser, query):
    response = browser.get(f"/api/v1/search?{query}")
    return response.status_code, response.get_json()


def test_answer_has_the_documented_shape(browser, directory_shops):
    status, body = api(browser, "q=fleuriste")
    assert status == 200
    assert set(body) == {
        "total",
        "page",
        "per_page",
        "near",
        "delivers_to",
        "open_at",
        "suggestion",
        "ignored",
        "place",
        "facets",
        "results",
    }
    assert (body["delivers_to"], body["open_at"]) == (None, None)
    (result,) = body["results"]
    assert set(result) == {
        "id",
        "name",
        "slug",
        "url",
        "category",
        "address",
        "postcode",
        "town",
        "country",
        "lat",
        "lon",
        "distance_km",
        "votes",
        "services",
        "highlight",
        "delivery_radius_km",
        "delivery_km",
        "product",
        "verified",
    }
    assert result["name"] == "Au jardin d'Anna"
    assert result["category"] == {"slug": "fleuriste", "name": "Fleuriste"}
    assert result["services"] == ["click_collect"]
    assert result["distance_km"] is None
    assert (result["delivery_radius_km"], result["delivery_km"], result["product"]) == (None,) * 3
    assert result["verified"] is False
    assert body["facets"]["category"] == [{"slug": "fleuriste", "name": "Fleuriste", "count": 1}]


def test_plural_finds_the_category_without_the_word_in_the_name(browser, directory_shops):
    _status, body = api(browser, "q=fleuristes")
    assert [r["name"] for r in body["results"]] == ["Au jardin d'Anna"]


def test_near_a_town_with_radius_sorted_by_distance(browser, directory_shops):
    _status, body = api(browser, "q=boulangerie&near=Arlon&radius_km=30&sort=distance")
    assert [r["name"] for r in body["results"]] == ["Le Fournil d'Arlon", "Boulangerie Jacob"]
    assert body["near"]["name"] == "Arlon"
    distances = [r["distance_km"] for r in body["results"]]
    assert distances[0] < 1 < 10 < distances[1] < 20


def test_radius_drops_farther_shops(browser, directory_shops):
    _status, body = api(browser, "near=6700&radius_km=5")
    assert {r["name"] for r in body["results"]} == {"Au jardin d'Anna", "Le Fournil d'Arlon"}


def test_near_accepts_coordinates(browser, directory_shops):
    _status, body = api(browser, "near=45.8336,1.2476&radius_km=10")
    assert [r["name"] for r in body["results"]] == ["Bijouterie Limousine"]


def test_category_town_and_service_filters(browser, directory_shops):
    assert api(browser, "category=boulangerie")[1]["total"] == 2
    assert api(browser, "category=boulangerie&town=Habay-la-Neuve")[1]["total"] == 1
    assert [r["name"] for r in api(browser, "services=eshop")[1]["results"]] == [
        "Bijouterie Limousine"
    ]


def test_pagination(browser, directory_shops):
    body = api(browser, "per_page=3&page=2&sort=new")[1]
    assert (body["total"], body["page"], body["per_page"], len(body["results"])) == (4, 2, 3, 1)


def test_typo_gives_a_suggestion(browser, directory_shops):
    body = api(browser, "q=bijoutrie")[1]
    assert body["suggestion"] == "bijouterie"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=Arlon&radius_km=-5", "radius_km"),
        ("near=Arlon&radius_km=abc", "radius_km"),
        ("near=Arlon&radius_km=500", "radius_km"),
        ("near=Arlon&radius_km=nan", "radius_km"),
        ("radius_km=5", "radius_km"),
        ("near=Atlantide", "near"),
        ("near=9999", "near"),
        ("near=95.0,4.0", "near"),
        ("sort=price", "sort"),
        ("sort=distance", "sort"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=101", "per_page"),
        ("category=nope", "category"),
        ("services=takeaway,teleport", "services"),
        ("q=" + "x" * 5000, "q"),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else value,
)
def test_bad_parameters_answer_400_naming_the_field(browser, query, field):
    status, body = api(browser, query)
    assert status == 400
    assert body["error"]["field"] == field
    assert body["error"]["message"]


def test_unknown_place_message_suggests_close_places(browser):
    _status, body = api(browser, "near=Arlom")
    assert "Arlon" in body["error"]["message"]


@pytest.mark.parametrize(
    "text",
    [
        "AND OR NOT ( ) * ? : ~ ^ [ ] { } \" '",
        "a\x00b",
        "<script>alert(1)</script>",
        "fleur*",
        'name:"x"',
        "\\",
        "~~~",
        "-",
    ],
)
def test_query_syntax_and_markup_never_fail(browser, directory_shops, text):
    response = browser.get("/api/v1/search", query_string={"q": text})
    assert response.status_code == 200
    page = browser.get("/search", query_string={"q": text})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)


def test_search_page_shows_results_distance_and_facets(browser, directory_shops):
    page = browser.get("/search?q=boulangerie&near=Arlon&radius_km=30&sort=distance")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Le Fournil d&#39;Arlon" in html
    assert "\u00a0km</strong>" in html
    assert "autour d&#39;Arlon" in html  # French elides before a vowel (issue 8)
    assert "Habay-La-Neuve" in html  # town facet, spelt as in the gazetteer


def test_search_page_shows_errors_in_the_form(browser):
    page = browser.get("/search?near=Arlon&radius_km=-2")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "radius_km" in html and "compris entre 0 et 200" in html
    assert 'value="Arlon"' in html


def test_empty_result_offers_no_radius_that_would_not_help(browser, directory_shops):
    # The only jeweller is in Limoges, far beyond the widest radius: widening would find
    # nothing (tests/test_search_page_states.py covers the radius that does find).
    html = browser.get("/search?q=bijouterie&near=Arlon&radius_km=5").get_data(as_text=True)
    assert "Aucune adresse ne correspond." in html
    assert "Élargir" not in html
    html = browser.get("/search?q=boulangerie&near=Arlon&radius_km=5").get_data(as_text=True)
    assert "Élargir" not in html  # found: nothing to widen


def test_services_from_checkboxes_on_the_page(browser, directory_shops):
    html = browser.get("/search?services=takeaway&services=click_collect").get_data(as_text=True)
    assert "0 adresse" in html or "Aucune adresse" in html
    html = browser.get("/search?services=takeaway").get_data(as_text=True)
    assert "Le Fournil d&#39;Arlon" in html


def test_hidden_shop_is_not_in_results_after_moderation(app, browser, directory_shops):
    from directory.shops.models import Shop

    with app.app_context():
        db.session.get(Shop, directory_shops["florist"].id).status = "hidden"
        db.session.commit()
        drain(get_index(app))
    assert api(browser, "q=fleuriste")[1]["total"] == 0


@pytest.mark.parametrize("key", ["endpoint", "_scheme", "_anchor", "_method", "_external", "x"])
def test_search_page_ignores_foreign_query_keys(browser, directory_shops, key):
    response = browser.get(f"/search?q=boulangerie&{key}=javascript&{key}=2")
    assert response.status_code == 200
    assert f"{key}=javascript" not in response.get_data(as_text=True)


def test_api_reads_repeated_services_like_a_comma_list(browser, directory_shops):
    assert api(browser, "services=takeaway&services=eshop")[1]["total"] == 0
    assert api(browser, "services=takeaway")[1]["total"] == 1
    status, body = api(browser, "services=takeaway&services=bogus")
    assert (status, body["error"]["field"]) == (400, "services")


def test_unavailable_index_answers_503_not_500(app, browser, directory_shops, monkeypatch):
    from directory.search.bridge import get_index

    def broken(_query):
        raise FileNotFoundError("no index")

    monkeypatch.setattr(get_index(app), "search", broken)
    status, body = api(browser, "q=pain")
    assert status == 503
    assert "indisponible" in body["error"]["message"]
    page = browser.get("/search?q=pain")
    assert page.status_code == 503
    assert "indisponible" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "decimal", "around"),
    [("fr", ",", "autour de Habay"), ("nl", ",", "rond Habay"), ("en", ".", "around Habay")],
)
def test_distances_are_written_as_each_language_writes_numbers(
    browser, directory_shops, lang, decimal, around
):
    """Issue 8: "0.1 km" read wrong in French and Dutch."""
    html = browser.get(f"/search?q=boulangerie&near=Arlon&sort=distance&lang={lang}").get_data(
        as_text=True
    )
    distances = re.findall(r"<strong>(\d+)([.,])(\d)\u00a0km</strong>", html)
    assert distances and {sep for _int, sep, _dec in distances} == {decimal}
    near_habay = browser.get(f"/search?near=Habay&lang={lang}").get_data(as_text=True)
    assert around in near_habay


def test_each_result_is_a_heading_and_the_page_has_a_skip_link(browser, directory_shops):
    """Issue 8: screen-reader users could not jump from shop to shop, nor past the menu."""
    html = browser.get("/search?q=boulangerie").get_data(as_text=True)
    assert html.count('<h2 class="result-title">') == len(re.findall('class="shop-card"', html)) > 0
    assert '<a class="skip-link" href="#content">' in html and 'id="content"' in html
