"""A visitor searches the seeded directory in a real browser: words, town, radius, "Ma
position" granted and refused, and the language switch."""

import re

import pytest

from tests.browser import screenshot

pytestmark = pytest.mark.browser

ARLON = {"latitude": 49.68333, "longitude": 5.81667}


def distances_km(page) -> list[float]:
    """The distances the result cards show ("1,4 km" in French)."""
    texts = page.locator(".results .shop-card .meta strong").all_inner_texts()
    return [float(re.sub(r"[^\d,]", "", text).replace(",", ".")) for text in texts]


def test_words_place_and_radius(demo_url, page):
    page.goto(demo_url + "/search")
    page.fill("input[name=q]", "boulangerie")
    page.fill("#near", "Habay-la-Neuve")
    page.click(".search-filters summary")
    page.fill("input[name=radius_km]", "5")
    page.click(".search-submit")
    assert "autour de habay-la-neuve" in page.inner_text(".results-count").lower()
    assert "category=" not in page.url and "town=" not in page.url  # a clean, shareable URL
    found = distances_km(page)
    assert found and all(km <= 5 for km in found)
    screenshot(page, "search-radius")

    # A town instead of a radius: only that town's shops.
    page.goto(demo_url + "/search")
    page.fill("input[name=q]", "boulangerie")
    page.click(".search-filters summary")
    page.fill("input[name=town]", "Arlon")
    page.click(".search-submit")
    addresses = page.locator(".results .shop-card .address").all_inner_texts()
    assert addresses and all(address.endswith("6700 Arlon") for address in addresses)
    assert page.get_attribute(".search-filters summary .badge", "class") == "badge"


def test_my_position_granted_searches_around_it(demo_url, open_page):
    page = open_page(geolocation=ARLON, permissions=["geolocation"])
    page.goto(demo_url + "/search?q=fleuriste")
    page.click("#use-my-position")
    page.wait_for_url(re.compile(r"near=49\.68333%2C5\.81667"))
    assert "autour de votre position" in page.inner_text(".results-count")
    found = distances_km(page)
    assert found and all(km <= 10 for km in found)  # the default radius
    assert page.input_value("#near") == "49.68333,5.81667"


def test_my_position_refused_says_what_to_do(demo_url, open_page):
    page = open_page(permissions=[])
    page.goto(demo_url + "/search?q=fleuriste")
    page.click("#use-my-position")
    status = page.locator("#geo-status")
    status.filter(has_text="Position indisponible").wait_for()
    assert "tapez une ville" in status.inner_text()
    assert "near=" not in page.url


def test_the_language_switch_keeps_the_search(demo_url, page):
    page.goto(demo_url + "/search?q=fleuriste&near=Arlon")
    assert page.inner_text("h1") == "Rechercher une bonne adresse"
    page.click("footer a[lang=nl]")
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert page.inner_text("h1") == "Een goed adres zoeken"
    assert page.input_value("input[name=q]") == "fleuriste"
    page.click("footer a[lang=en]")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "around" in page.inner_text(".results-count")
    screenshot(page, "search-en")
