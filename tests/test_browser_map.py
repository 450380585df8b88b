"""The maps in a real browser, on the seeded directory, tiles blocked (no internet here anyway):
markers and clusters, the tile notice, list/map sync, "search this area", the shop page's map,
and where the map sits on a phone and on a desktop."""

import re

import pytest

from tests.browser import axe_violations, playwright, screenshot

pytestmark = pytest.mark.browser

expect = playwright.expect
TILES = re.compile(r"^https?://([a-z0-9-]+\.)*tile\.openstreetmap\.org/")
SEARCH = "/search?q=boulangerie&near=Arlon"
TILE_NOTICE = "Le fond de carte n'a pas pu être chargé"


@pytest.fixture
def map_page(page):
    """The phone page, tile requests refused, Content-Security-Policy reports collected."""
    page.route(TILES, lambda route: route.abort())
    page.csp_errors = []
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def open_search(page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#search-map")).to_have_attribute("data-loaded", "true")


def marker(page, shop_id: str):
    return page.locator(f"#search-map .map-pin[data-shop-id='{shop_id}']")


def unclustered_card_marker(page) -> str:
    """The id of a listed shop whose own marker shows, zooming into clusters until one does."""
    listed = page.locator(".shop-card[data-shop-id]").evaluate_all(
        "cards => cards.map(c => c.dataset.shopId)"
    )
    for _ in range(8):
        shown = page.locator("#search-map .map-pin[data-shop-id]").evaluate_all(
            "pins => pins.map(p => p.dataset.shopId)"
        )
        both = [shop_id for shop_id in listed if shop_id in shown]
        if both:
            return both[0]
        page.locator("#search-map .marker-cluster").first.click()
        page.wait_for_timeout(0)  # let the zoom animation's frame run
        expect(page.locator("#search-map .leaflet-zoom-anim")).to_have_count(0)
    raise AssertionError("no listed shop got a marker of its own")


def total(page) -> int:
    """The number of shops the page says it found."""
    return int(re.match(r"\d+", page.inner_text(".results-count")).group())


def test_a_search_puts_its_shops_on_the_map_and_says_the_tiles_failed(demo_url, map_page):
    page = map_page
    open_search(page, demo_url + SEARCH)
    expect(page.locator("#search-map .map-pin, #search-map .marker-cluster").first).to_be_visible()
    notice = page.locator(".search-map .map-notice").first
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(TILE_NOTICE)
    # The list still works without tiles, and on a phone it comes before the map.
    first_card = page.locator(".shop-card").first
    expect(first_card).to_be_visible()
    assert page.locator(".search-map").bounding_box()["y"] > first_card.bounding_box()["y"]
    # The map is decorative: no focus trap, no marker in the tab order, named for what it is.
    assert page.locator("#search-map").get_attribute("tabindex") is None
    assert page.locator("#search-map .leaflet-marker-icon[tabindex]").count() == 0
    assert page.get_attribute(".search-map", "aria-label") == "Carte des résultats"
    found = [
        v
        for v in axe_violations(page)
        if any("map" in str(target) or "leaflet" in str(target) for target in v["nodes"])
    ]
    assert found == []
    assert page.csp_errors == []
    screenshot(page, "map-search-phone")


def test_list_and_map_highlight_each_other(demo_url, map_page):
    page = map_page
    open_search(page, demo_url + SEARCH)
    shop_id = unclustered_card_marker(page)
    card = page.locator(f".shop-card[data-shop-id='{shop_id}']")

    card.hover()
    expect(marker(page, shop_id)).to_have_class(re.compile(r"\bis-highlighted\b"))
    page.mouse.move(0, 0)
    expect(marker(page, shop_id)).not_to_have_class(re.compile(r"\bis-highlighted\b"))

    card.locator("a").first.focus()
    expect(marker(page, shop_id)).to_have_class(re.compile(r"\bis-highlighted\b"))
    card.locator("a").first.blur()
    expect(marker(page, shop_id)).not_to_have_class(re.compile(r"\bis-highlighted\b"))

    marker(page, shop_id).click()
    expect(card).to_have_class(re.compile(r"\bis-highlighted\b"))
    popup = page.locator("#search-map .leaflet-popup-content a")
    expect(popup).to_have_text(card.locator(".result-title").inner_text())
    assert popup.get_attribute("href").endswith(
        card.locator(".result-title a").get_attribute("href")
    )
    screenshot(page, "map-sync")


def test_search_this_area_after_moving_the_map(demo_url, map_page):
    page = map_page
    open_search(page, demo_url + SEARCH)
    before = total(page)
    button = page.locator(".map-search-area")
    expect(button).to_be_hidden()  # fitting the markers is no move of the visitor's

    page.locator("#search-map").scroll_into_view_if_needed()
    box = page.locator("#search-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 10, steps=4)
    page.mouse.up()
    expect(button).to_be_visible()
    # Closer in: the shops at the edge of the fitted view fall outside.
    page.locator("#search-map .leaflet-control-zoom-in").click()
    expect(page.locator("#search-map .leaflet-zoom-anim")).to_have_count(0)
    screenshot(page, "map-moved")

    button.click()
    page.wait_for_url(re.compile(r"bbox=[-\d.]+%2C[-\d.]+%2C[-\d.]+%2C[-\d.]+"))
    assert "q=boulangerie" in page.url and "near=Arlon" in page.url
    assert "page=" not in page.url and "radius_km=" not in page.url
    expect(page.locator(".filter-chip")).to_contain_text("Zone de la carte")
    expect(page.locator("#search-map")).to_have_attribute("data-loaded", "true")
    assert 0 < total(page) < before
    expect(button).to_be_hidden()  # the map shows the area searched
    screenshot(page, "map-search-this-area")

    page.locator(".filter-chip").click()
    page.wait_for_url(lambda url: "bbox=" not in url)
    expect(page.locator(".filter-chip")).to_have_count(0)


def test_the_shop_page_shows_its_position(demo_url, map_page):
    page = map_page
    open_search(page, demo_url + SEARCH)
    page.locator(".shop-card .result-title a").first.click()
    pin = page.locator("#shop-map .map-pin")
    expect(pin).to_have_count(1)
    expect(pin).to_be_visible()
    expect(page.locator(".shop-map .map-notice")).to_be_visible()
    link = page.locator(".shop-map .map-links a")
    expect(link).to_contain_text("Voir en grand")
    assert re.match(
        r"https://www\.openstreetmap\.org/\?mlat=4\d\.\d+&mlon=\d\.\d+#map=18/",
        link.get_attribute("href"),
    )
    assert page.csp_errors == []
    screenshot(page, "map-shop")


def test_on_a_desktop_the_map_stands_beside_the_list(demo_url, open_page):
    page = open_page(viewport={"width": 1280, "height": 900})
    page.route(TILES, lambda route: route.abort())
    open_search(page, demo_url + SEARCH)
    results = page.locator(".results").bounding_box()
    search_map = page.locator(".search-map").bounding_box()
    assert search_map["x"] >= results["x"] + results["width"] - 1
    assert abs(search_map["y"] - results["y"]) < 50
    assert search_map["width"] > 300 and search_map["height"] > 400
    # Sticky: scrolling the list keeps the map in view.
    page.mouse.wheel(0, 1500)
    expect(page.locator(".search-map")).to_be_in_viewport()
    screenshot(page, "map-search-desktop")
