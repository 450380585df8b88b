"""A merchant's story in a real browser, on a phone: claim a demo shop, get it accepted by a
moderator, fill in its hours, delivery zone and window (with a photo), then a new visitor finds
it by one of its products."""

from __future__ import annotations

import pytest
from PIL import Image
from sqlalchemy import select

from directory.accounts.models import Role
from directory.extensions import db
from directory.products.models import Product
from directory.shops.models import Shop
from tests.browser import axe_violations, log_in, make_member, screenshot

pytestmark = pytest.mark.browser

SHOP_NAME = "Flor'Alex"  # a demo florist in Habay-la-Neuve, not claimed in the demo data


def _shop_path(app) -> str:
    with app.app_context():
        shop = db.session.scalar(select(Shop).where(Shop.name == SHOP_NAME))
        return f"/shops/{shop.id}-{shop.slug}"


def _no_tiles(page) -> None:
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())


def test_a_merchant_claims_fills_the_window_and_a_visitor_finds_a_product(
    demo_app, demo_url, open_page, tmp_path
):
    make_member(demo_app, "florence@example.org", "Florence")
    make_member(demo_app, "modo@example.org", "Modo", role=Role.MODERATOR)
    shop_path = _shop_path(demo_app)

    # The merchant asks for the listing, with a phone number and a note.
    merchant = open_page()
    _no_tiles(merchant)
    log_in(merchant, demo_url, "florence@example.org")
    merchant.goto(demo_url + shop_path)
    merchant.get_by_role("link", name="C'est votre commerce ? Revendiquez cette fiche").click()
    merchant.fill("#phone", "063 42 24 42")
    merchant.fill("#note", "Je tiens la boutique depuis 2012 ; appelez-moi le matin.")
    assert axe_violations(merchant) == []
    merchant.get_by_role("button", name="Envoyer ma demande").click()
    merchant.goto(demo_url + shop_path)
    assert "Votre demande est en cours d'examen" in merchant.inner_text("main")

    # A moderator finds it in the review queue and accepts it.
    moderator = open_page(viewport={"width": 1280, "height": 900})
    log_in(moderator, demo_url, "modo@example.org")
    moderator.goto(demo_url + "/moderation/queue")
    moderator.get_by_role("link", name=f"Revendication de {SHOP_NAME}").click()
    assert "063 42 24 42" in moderator.inner_text("main")
    screenshot(moderator, "merchant-claim-review")
    moderator.fill("#accept-reason", "Numéro vérifié par téléphone.")
    moderator.get_by_role("button", name="Accepter : vérifié par le commerçant").click()

    # The merchant's page is now verified; they set hours and a delivery zone.
    merchant.goto(demo_url + shop_path)
    assert "vérifié par le commerçant" in merchant.inner_text("main h1")
    merchant.get_by_role("link", name="Modifier les informations pratiques").click()
    merchant.fill("#opening_hours", "Tu-Sa 09:00-18:30; Su 09:00-12:30; PH off")
    merchant.check("#delivery")
    merchant.fill("#delivery_radius_km", "20")
    assert axe_violations(merchant) == []
    merchant.locator("main form button[type=submit]").click()
    assert "Informations pratiques mises à jour." in merchant.inner_text("main")

    # ... and put a product with a photo in the window.
    photo = tmp_path / "pivoines.jpg"
    Image.new("RGB", (1600, 1200), (220, 80, 120)).save(photo, "JPEG")
    merchant.goto(demo_url + shop_path)
    merchant.get_by_role("link", name="Ajouter un produit").click()
    merchant.fill("#name", "Bouquet de pivoines")
    merchant.fill("#description", "Pivoines de saison, emballage kraft.")
    merchant.fill("#price", "24,90")
    merchant.set_input_files("#photo", str(photo))
    merchant.locator("main form button[type=submit]").click()
    window = merchant.locator("#vitrine")
    assert "Bouquet de pivoines" in window.inner_text()
    assert "24,90" in window.inner_text()
    width = window.locator("img").evaluate("img => img.complete && img.naturalWidth")
    assert width == 1200  # re-encoded and downscaled, and served
    assert "09:00–18:30" in merchant.inner_text("main")  # the week table
    assert axe_violations(merchant) == []
    screenshot(merchant, "merchant-shop-page-window")
    with demo_app.app_context():
        assert db.session.scalar(select(Product.photo).where(Product.name.like("Bouquet%")))

    # A new visitor searches for the product's word and learns which product matched.
    visitor = open_page()
    _no_tiles(visitor)
    visitor.goto(demo_url + "/search?q=pivoines")
    results = visitor.locator("main").inner_text()
    assert SHOP_NAME in results and "Bouquet de pivoines" in results
    assert "vérifié par le commerçant" in results
    screenshot(visitor, "merchant-search-by-product")
    # Who delivers to Arlon (20 km from Habay-la-Neuve's florist is enough, 17 km away)?
    visitor.goto(demo_url + "/search?q=pivoines&delivers_to=Arlon")
    delivered = visitor.locator("main").inner_text()
    assert SHOP_NAME in delivered and "livre chez vous" in delivered
    assert axe_violations(visitor) == []
    screenshot(visitor, "merchant-delivers-to-arlon")
