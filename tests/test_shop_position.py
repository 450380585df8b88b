"""Exact shop positions: posted, refused when beyond the town's reach, kept and reset on edit."""

from __future__ import annotations

import re

import pytest

from directory.accounts.models import User
from directory.errors import ValidationFailed
from directory.extensions import db
from directory.places.gazetteer import TOWN_REACH_KM
from directory.search.bridge import to_document
from directory.shops.models import Shop
from directory.shops.services import create_shop, update_shop
from tests.conftest import database_snapshot as snapshot
from tests.conftest import shop_input
from tests.test_bad_input import field_errors, has_value, shop_form

ARLON = (49.6833, 5.8167)  # the gazetteer's centre of 6700 Arlon
TINTIGNY = (49.6833, 5.5135)  # 6730 Tintigny, some 22 km west
NEAR_ARLON = (49.68512, 5.82244)  # a street of Arlon, under a kilometre from the centre
BASTOGNE = (50.0036, 5.7197)  # 36 km north: another town


def shop_id_from(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/shops/(\d+)", response.headers["Location"]).group(1))


def position(reload, shop_id: int) -> tuple[float, float]:
    shop = reload(Shop, shop_id)
    return shop.lat, shop.lon


def post(app, browser, **overrides):
    return browser.post("/shops/new", shop_form(app, **overrides))


@pytest.fixture
def logged_in(browser, member):
    browser.login(member.email)
    return browser


def test_a_posted_position_is_stored(app, logged_in, reload):
    lat, lon = NEAR_ARLON
    shop_id = shop_id_from(post(app, logged_in, lat=str(lat), lon=str(lon)))
    assert position(reload, shop_id) == pytest.approx(NEAR_ARLON)


def test_a_position_with_decimal_commas_is_understood(app, logged_in, reload):
    shop_id = shop_id_from(post(app, logged_in, lat="49,68512", lon=" 5,82244 "))
    assert position(reload, shop_id) == pytest.approx(NEAR_ARLON)


def test_no_position_places_the_shop_at_its_town_centre(app, logged_in, reload):
    shop_id = shop_id_from(post(app, logged_in, lat="", lon=""))
    assert position(reload, shop_id) == pytest.approx(ARLON, abs=1e-4)


def test_the_search_document_carries_the_exact_position(app, logged_in):
    lat, lon = NEAR_ARLON
    shop_id = shop_id_from(post(app, logged_in, lat=str(lat), lon=str(lon)))
    with app.app_context():
        document = to_document(db.session.get(Shop, shop_id))
    assert (document.lat, document.lon) == pytest.approx(NEAR_ARLON)


def test_a_position_beyond_the_towns_reach_is_refused_and_the_input_kept(app, logged_in):
    before = snapshot(app)
    response = post(app, logged_in, lat=str(BASTOGNE[0]), lon=str(BASTOGNE[1]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    (error,) = field_errors(page, "lat")
    assert "36 km du centre de la localité choisie, Arlon" in error
    assert f"à moins de {round(TOWN_REACH_KM)} km" in error
    assert has_value(page, str(BASTOGNE[0])) and has_value(page, str(BASTOGNE[1]))
    assert has_value(page, "Fromagerie des Trois Rivières")
    assert 'aria-describedby="lat-hint lat-error"' in page
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [
        ({"lat": "49.685"}, "lon", "Indiquez aussi la longitude"),
        ({"lon": "5.82"}, "lat", "Indiquez aussi la latitude"),
        ({"lat": "abc", "lon": "5.82"}, "lat", "degrés décimaux"),
        ({"lat": "49.685", "lon": "5,8,2"}, "lon", "degrés décimaux"),
        ({"lat": "nan", "lon": "5.82"}, "lat", "degrés décimaux"),
        ({"lat": "inf", "lon": "5.82"}, "lat", "degrés décimaux"),
        ({"lat": "1e3", "lon": "5.82"}, "lat", "degrés décimaux"),
        ({"lat": "95", "lon": "5.82"}, "lat", "entre -90 et 90"),
        ({"lat": "49.685", "lon": "-181"}, "lon", "entre -180 et 180"),
    ],
    ids=["lat-only", "lon-only", "words", "two-commas", "nan", "inf", "exponent", "lat-95", "lon"],
)
def test_a_bad_position_names_its_field(app, logged_in, sent, field, words):
    before = snapshot(app)
    response = post(app, logged_in, **sent)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert any(words in error for error in field_errors(page, field)), field_errors(page, field)
    for value in sent.values():
        assert has_value(page, value)  # what was typed is shown again, to correct
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (49.7, None, "lon"),
        (None, 5.8, "lat"),
        (float("nan"), 5.8, "lat"),
        (49.7, float("inf"), "lon"),
    ],
)
def test_the_service_checks_a_position_itself(ctx, member, lat, lon, field):
    author = db.session.get(User, member.id)
    with pytest.raises(ValidationFailed) as refused:
        create_shop(author, shop_input(lat=lat, lon=lon))
    assert refused.value.field == field


def test_the_posting_form_offers_the_map_and_the_fields(app, logged_in):
    page = logged_in.get("/shops/new").get_data(as_text=True)
    assert "<legend>Position exacte</legend>" in page
    assert 'id="position-map"' in page and "data-tile-url=" in page
    assert re.search(r'<input[^>]*aria-describedby="lat-hint"[^>]*id="lat"', page)
    assert 'id="lat-hint"' in page and 'id="lon-hint"' in page
    assert "position-picker.js" in page and "vendor/leaflet/leaflet.js" in page


def test_the_map_starts_at_the_typed_towns_centre(app, logged_in):
    page = logged_in.get("/shops/new?town=Tintigny&postcode=6730&country=BE")
    assert 'data-lat="49.6833" data-lon="5.5135"' in page.get_data(as_text=True)


def edit_form(app, shop: Shop, **overrides) -> dict:
    """The edit form as the page fills it in, with the member's changes."""
    values = {
        "name": shop.name,
        "address": shop.address,
        "postcode": shop.postcode,
        "town": shop.town,
        "country": shop.country,
        "lat": f"{shop.lat:.6f}",
        "lon": f"{shop.lon:.6f}",
    }
    values.update(overrides)
    return shop_form(app, **values)


def test_an_edit_keeps_the_stored_position(app, logged_in, reload):
    lat, lon = 49.6851234567, 5.8224456789  # more decimals than the form shows
    shop_id = shop_id_from(post(app, logged_in, lat=str(lat), lon=str(lon)))
    page = logged_in.get(f"/shops/{shop_id}/edit").get_data(as_text=True)
    assert has_value(page, "49.685123") and has_value(page, "5.822446")
    shop = reload(Shop, shop_id)
    shop_id_from(logged_in.post(f"/shops/{shop_id}/edit", edit_form(app, shop, name="Nouveau")))
    assert reload(Shop, shop_id).name == "Nouveau"
    assert position(reload, shop_id) == (lat, lon)  # not even rounded


def test_an_edit_without_a_position_keeps_it_too(ctx, member, make_shop):
    shop = db.session.get(Shop, make_shop(lat=NEAR_ARLON[0], lon=NEAR_ARLON[1]).id)
    update_shop(db.session.get(User, member.id), shop, shop_input(phone="063 22 33 44"))
    assert (shop.lat, shop.lon) == pytest.approx(NEAR_ARLON)


def test_an_edit_moves_the_shop(app, logged_in, reload):
    shop_id = shop_id_from(post(app, logged_in))
    shop = reload(Shop, shop_id)
    moved = edit_form(app, shop, lat=str(NEAR_ARLON[0]), lon=str(NEAR_ARLON[1]))
    shop_id_from(logged_in.post(f"/shops/{shop_id}/edit", moved))
    assert position(reload, shop_id) == pytest.approx(NEAR_ARLON)


def test_an_edit_cannot_move_the_shop_beyond_reach(app, logged_in, reload):
    shop_id = shop_id_from(post(app, logged_in, lat=str(NEAR_ARLON[0]), lon=str(NEAR_ARLON[1])))
    shop = reload(Shop, shop_id)
    far = edit_form(app, shop, lat=str(BASTOGNE[0]), lon=str(BASTOGNE[1]))
    response = logged_in.post(f"/shops/{shop_id}/edit", far)
    assert response.status_code == 400
    assert (
        "km du centre de la localité choisie, Arlon"
        in field_errors(response.get_data(as_text=True), "lat")[0]
    )
    assert position(reload, shop_id) == pytest.approx(NEAR_ARLON)


def test_a_new_town_without_a_new_position_resets_it(app, logged_in, reload):
    shop_id = shop_id_from(post(app, logged_in, lat=str(NEAR_ARLON[0]), lon=str(NEAR_ARLON[1])))
    shop = reload(Shop, shop_id)
    # The page sends back the old position, which lies 22 km from Tintigny: not refused.
    moved = edit_form(app, shop, town="Tintigny", postcode="6730")
    shop_id_from(logged_in.post(f"/shops/{shop_id}/edit", moved))
    assert reload(Shop, shop_id).town == "Tintigny"
    assert position(reload, shop_id) == pytest.approx(TINTIGNY, abs=1e-4)


def test_a_new_town_with_emptied_fields_resets_it(ctx, member, make_shop):
    shop = db.session.get(Shop, make_shop(lat=NEAR_ARLON[0], lon=NEAR_ARLON[1]).id)
    update_shop(db.session.get(User, member.id), shop, shop_input(town="Tintigny", postcode="6730"))
    assert (shop.lat, shop.lon) == pytest.approx(TINTIGNY, abs=1e-4)


def test_a_new_town_with_a_new_position_takes_it(app, logged_in, reload):
    shop_id = shop_id_from(post(app, logged_in))
    shop = reload(Shop, shop_id)
    in_tintigny = (49.6870, 5.5200)
    moved = edit_form(
        app,
        shop,
        town="Tintigny",
        postcode="6730",
        lat=str(in_tintigny[0]),
        lon=str(in_tintigny[1]),
    )
    shop_id_from(logged_in.post(f"/shops/{shop_id}/edit", moved))
    assert position(reload, shop_id) == pytest.approx(in_tintigny)
