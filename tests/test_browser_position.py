"""Placing a shop exactly, in a real browser: the marker dragged, nudged with the keyboard, and
the latitude/longitude fields kept in step, with the map's tiles blocked as on these machines."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.places.gazetteer import TOWN_REACH_KM, km_from_town
from directory.places.models import Place
from directory.shops.models import Shop
from tests.browser import axe_violations, log_in, make_member, playwright, screenshot

pytestmark = pytest.mark.browser

ARLON = {"name": "Arlon", "postcode": "6700", "country": "BE", "lat": 49.6833, "lon": 5.8167}
MARKER = ".leaflet-marker-icon"
# Everything but the app itself: the tile server above all.
NOT_LOOPBACK = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")


def open_form(page, live_app, live_url: str) -> None:
    """A trusted member opens the posting form, tiles blocked, and fills in the shop."""
    make_member(live_app, "pia@example.org", "Pia", approved_posts=1)
    page.route(NOT_LOOPBACK, lambda route: route.abort())
    log_in(page, live_url, "pia@example.org")
    page.goto(live_url + "/shops/new")
    page.fill("#name", "Épicerie du Bourg")
    page.select_option("#category_id", label="Épicerie & alimentation")
    page.fill("#postcode", "6700")
    page.fill("#town", "Arlon")
    # What the town autocomplete announces when the member picks Arlon from its list.
    page.evaluate(
        "place => document.getElementById('town').dispatchEvent("
        "new CustomEvent('place-picked', {bubbles: true, detail: place}))",
        ARLON,
    )
    page.locator(MARKER).scroll_into_view_if_needed()
    wait_for_marker_at_map_centre(page)


def wait_for_marker_at_map_centre(page) -> None:
    """The marker's tip (the bottom of its icon) stands at the map's centre: the map moved."""
    page.wait_for_function(
        """() => {
          const map = document.getElementById('position-map').getBoundingClientRect();
          const icon = document.querySelector('.leaflet-marker-icon').getBoundingClientRect();
          return Math.abs(icon.left + icon.width / 2 - (map.left + map.width / 2)) < 2
            && Math.abs(icon.bottom - (map.top + map.height / 2)) < 2;
        }"""
    )


def drag_marker(page, dx: int, dy: int) -> None:
    box = page.locator(MARKER).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def saved_shop(live_app) -> Shop:
    with live_app.app_context():
        shop = db.session.scalar(select(Shop).where(Shop.name == "Épicerie du Bourg"))
        db.session.expunge(shop)
        return shop


def arlon(live_app) -> Place:
    with live_app.app_context():
        place = db.session.scalar(select(Place).where(Place.name == "Arlon"))
        db.session.expunge(place)
        return place


def test_a_member_drags_the_marker_and_the_shop_is_saved_there(live_app, live_url, page):
    open_form(page, live_app, live_url)
    expect = playwright.expect
    # No tiles: the member is told, and the marker still works.
    expect(page.locator("#position-tiles-failed")).to_be_visible()
    assert page.input_value("#lat") == "" and page.input_value("#lon") == ""
    assert axe_violations(page) == []

    drag_marker(page, 60, 40)  # some 370 m east, 250 m south at this zoom
    expect(page.locator("#lon")).not_to_have_value("")
    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    assert lat < ARLON["lat"] and lon > ARLON["lon"]
    assert km_from_town(arlon(live_app), lat, lon) < 2
    screenshot(page, "position-dragged")

    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/shops/\d+-epicerie-du-bourg$"))
    shop = saved_shop(live_app)
    assert (shop.lat, shop.lon) == pytest.approx((lat, lon), abs=1e-6)
    assert (shop.lat, shop.lon) != pytest.approx((ARLON["lat"], ARLON["lon"]), abs=1e-4)


def test_the_fields_move_the_marker_and_arrow_keys_nudge_it(live_app, live_url, page):
    open_form(page, live_app, live_url)
    before = page.locator(MARKER).bounding_box()
    page.fill("#lat", "49,6850")  # a French keyboard's decimal comma
    page.fill("#lon", "5.8200")
    page.wait_for_function(
        "x => document.querySelector('.leaflet-marker-icon').getBoundingClientRect().left !== x",
        arg=before["x"],
    )
    wait_for_marker_at_map_centre(page)  # the map followed the marker

    page.locator(MARKER).focus()
    page.keyboard.press("ArrowRight")
    playwright.expect(page.locator("#lon")).not_to_have_value("5.8200")
    assert float(page.input_value("#lon")) > 5.82
    assert float(page.input_value("#lat")) == pytest.approx(49.685, abs=1e-4)


def test_a_position_beyond_reach_is_refused_and_shown_again(live_app, live_url, page):
    open_form(page, live_app, live_url)
    page.fill("#lat", "50.0036")  # Bastogne
    page.fill("#lon", "5.7197")
    page.click("main button[type=submit]")
    error = page.inner_text("#lat-error")
    assert (
        "km du centre de la localité choisie, Arlon" in error
        and f"{round(TOWN_REACH_KM)} km" in error
    )
    assert page.input_value("#lat") == "50.0036"
    assert page.get_attribute("#lat", "aria-describedby") == "lat-hint lat-error"
    assert axe_violations(page) == []
    # The map opens on the refused point, and a town picked now does not move it away.
    page.locator(MARKER).scroll_into_view_if_needed()
    wait_for_marker_at_map_centre(page)
    screenshot(page, "position-refused")
