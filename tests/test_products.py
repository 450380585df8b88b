"""Shop windows: a claimed shop's merchant manages its products, members suggest products for
unclaimed shops and manage their own, moderators hide and restore any; prices, links and the
window's size are checked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from directory.accounts.models import User
from directory.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.moderation.models import ModerationEntry
from directory.products.links import clean_product_url
from directory.products.models import PRODUCTS_PER_SHOP, Product
from directory.products.prices import parse_price, price_text
from directory.products.services import (
    ProductInput,
    add_product,
    hide_product,
    restore_product,
)
from directory.shops.models import Shop
from directory.timeutil import utcnow
from search_index import SearchIndex
from tests.conftest import Browser, base_config
from tests.test_bad_input import field_errors
from tests.test_security_access import is_login_redirect, set_shop

BAKERY_SITE = "https://www.boulangerie-du-marche.be"


@pytest.fixture
def app(database_url, tmp_path) -> Iterator[Flask]:
    """The application, its uploads in this test's own folder."""
    app = create_app(base_config(database_url, tmp_path) | {"UPLOAD_DIR": str(tmp_path / "up")})
    SearchIndex.rebuild(app.config["SEARCH_INDEX_DIR"], []).close()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def merchant(make_user) -> User:
    return make_user("Marchande")


@pytest.fixture
def claimed_shop(app, make_shop, merchant) -> Shop:
    """A bakery whose website is known and whose claim by ``merchant`` was accepted."""
    shop = make_shop(name="Boulangerie Claire", website=BAKERY_SITE)
    set_shop(app, shop.id, merchant_id=merchant.id, verified_at=utcnow())
    return shop


@pytest.fixture
def unclaimed_shop(shop_in_arlon) -> Shop:
    return shop_in_arlon


@pytest.fixture
def make_product(app):
    """Factory: a committed product added through the service by ``author``; returns its id."""

    def factory(author: User, shop: Shop, name: str = "Pain au levain", **fields) -> int:
        with app.app_context():
            actor = db.session.get(User, author.id)
            product = add_product(actor, shop.id, ProductInput(name=name, **fields))
            db.session.commit()
            return product.id

    return factory


def product_row(app, product_id: int) -> Product | None:
    with app.app_context():
        product = db.session.get(Product, product_id)
        if product is not None:
            db.session.expunge(product)
        return product


def product_count(app, shop_id: int | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Product)
        if shop_id is not None:
            query = query.where(Product.shop_id == shop_id)
        return db.session.scalar(query)


def shop_page(browser: Browser, shop: Shop) -> str:
    return browser.get(f"/shops/{shop.id}-{shop.slug}").get_data(as_text=True)


def card(page: str, product_id: int) -> str:
    """The HTML of one product's card in the window."""
    found = re.search(
        rf'<li class="product-card[^"]*" id="product-{product_id}">(.*?)</li>', page, re.S
    )
    assert found, f"no card for product {product_id}"
    return found.group(1)


PRODUCT_FORM = {
    "name": "Cramique",
    "description": "Brioche aux raisins, le dimanche.",
    "price": "12,50 €",
    "url": "",
}


# --- The merchant's window ---------------------------------------------------------------------


def test_the_merchant_adds_a_product_that_the_window_shows(app, browser, merchant, claimed_shop):
    browser.login(merchant.email)
    form = browser.get(f"/shops/{claimed_shop.id}/products/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form
    assert 'name="csrf_token"' in form
    response = browser.post(
        f"/shops/{claimed_shop.id}/products/new",
        PRODUCT_FORM | {"url": "https://shop.boulangerie-du-marche.be/cramique"},
    )
    assert response.status_code == 302
    with app.app_context():
        product = db.session.scalars(select(Product)).one()
        assert (product.name, product.price_cents, product.author_id) == (
            "Cramique",
            1250,
            merchant.id,
        )
    assert response.headers["Location"].endswith(f"#product-{product.id}")
    shown = card(shop_page(Browser(app.test_client()), claimed_shop), product.id)
    assert "Cramique" in shown and "Brioche aux raisins" in shown
    assert "12,50\xa0€" in shown
    assert 'href="https://shop.boulangerie-du-marche.be/cramique" rel="noopener"' in shown
    assert "suggéré par un membre" not in shown


def test_the_price_follows_the_readers_language(app, make_product, merchant, claimed_shop):
    product_id = make_product(merchant, claimed_shop, price="12,50")
    visitor = Browser(app.test_client())
    visitor.get("/?lang=en")
    assert "€12.50" in card(shop_page(visitor, claimed_shop), product_id)


def test_the_merchant_manages_every_product_of_the_shop(
    app, browser, make_product, merchant, other_member, claimed_shop
):
    # Suggested by a member before the claim was accepted: the merchant's now.
    set_shop(app, claimed_shop.id, merchant_id=None)
    suggested = make_product(other_member, claimed_shop, name="Baguette")
    set_shop(app, claimed_shop.id, merchant_id=merchant.id)
    browser.login(merchant.email)
    edit = browser.get(f"/products/{suggested}/edit").get_data(as_text=True)
    assert 'value="Baguette"' in edit
    response = browser.post(
        f"/products/{suggested}/edit", {"name": "Baguette tradition", "price": "1.30"}
    )
    assert response.status_code == 302
    assert (product_row(app, suggested).name, product_row(app, suggested).price_cents) == (
        "Baguette tradition",
        130,
    )
    assert browser.post(f"/products/{suggested}/delete").status_code == 302
    assert product_row(app, suggested) is None


def test_the_edit_form_shows_the_price_as_typed_in_french(
    app, browser, make_product, merchant, claimed_shop
):
    product_id = make_product(merchant, claimed_shop, price="7")
    browser.login(merchant.email)
    page = browser.get(f"/products/{product_id}/edit").get_data(as_text=True)
    assert 'value="7,00"' in page


# --- Members' suggestions on an unclaimed shop -------------------------------------------------


def test_a_member_suggests_a_product_for_an_unclaimed_shop(
    app, browser, other_member, unclaimed_shop
):
    browser.login(other_member.email)
    page = shop_page(browser, unclaimed_shop)
    assert f'href="/shops/{unclaimed_shop.id}/products/new"' in page
    response = browser.post(
        f"/shops/{unclaimed_shop.id}/products/new",
        PRODUCT_FORM | {"url": "https://example.org/cramique"},
    )
    assert response.status_code == 302
    with app.app_context():
        product = db.session.scalars(select(Product)).one()
    assert product.author_id == other_member.id
    shown = card(shop_page(Browser(app.test_client()), unclaimed_shop), product.id)
    assert "suggéré par un membre" in shown
    assert 'rel="noopener ugc nofollow"' in shown


def test_the_member_edits_and_deletes_their_own_suggestion(
    app, browser, make_product, other_member, unclaimed_shop
):
    product_id = make_product(other_member, unclaimed_shop)
    browser.login(other_member.email)
    response = browser.post(f"/products/{product_id}/edit", {"name": "Pain de seigle"})
    assert response.status_code == 302
    assert product_row(app, product_id).name == "Pain de seigle"
    assert browser.post(f"/products/{product_id}/delete").status_code == 302
    assert product_row(app, product_id) is None


def test_the_window_offers_each_reader_only_what_they_may_do(
    app, browser, make_product, member, other_member, unclaimed_shop
):
    product_id = make_product(other_member, unclaimed_shop)
    browser.login(member.email)
    shown = card(shop_page(browser, unclaimed_shop), product_id)
    assert f"/products/{product_id}/edit" not in shown
    assert f"/products/{product_id}/delete" not in shown
    assert f"/products/{product_id}/hide" not in shown
    author = Browser(app.test_client())
    author.login(other_member.email)
    shown = card(shop_page(author, unclaimed_shop), product_id)
    assert f"/products/{product_id}/edit" in shown
    assert f"/products/{product_id}/delete" in shown


# --- Who may not -------------------------------------------------------------------------------


def test_a_member_cannot_add_to_a_claimed_shops_window(app, browser, member, claimed_shop):
    browser.login(member.email)
    assert "/products/new" not in shop_page(browser, claimed_shop)
    assert browser.get(f"/shops/{claimed_shop.id}/products/new").status_code == 403
    response = browser.post(f"/shops/{claimed_shop.id}/products/new", PRODUCT_FORM)
    assert response.status_code == 403
    assert product_count(app) == 0


def test_a_members_earlier_suggestion_is_the_merchants_once_the_shop_is_claimed(
    app, browser, make_product, other_member, merchant, claimed_shop
):
    set_shop(app, claimed_shop.id, merchant_id=None)
    product_id = make_product(other_member, claimed_shop)
    set_shop(app, claimed_shop.id, merchant_id=merchant.id)
    browser.login(other_member.email)
    assert browser.post(f"/products/{product_id}/edit", {"name": "Autre"}).status_code == 403
    assert browser.post(f"/products/{product_id}/delete").status_code == 403
    assert product_row(app, product_id).name == "Pain au levain"


def test_another_member_cannot_edit_or_delete_a_suggestion(
    app, browser, make_product, member, other_member, unclaimed_shop
):
    product_id = make_product(other_member, unclaimed_shop)
    browser.login(member.email)
    assert browser.get(f"/products/{product_id}/edit").status_code == 403
    assert browser.post(f"/products/{product_id}/edit", {"name": "Volé"}).status_code == 403
    assert browser.post(f"/products/{product_id}/delete").status_code == 403
    assert product_row(app, product_id).name == "Pain au levain"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/shops/{shop}/products/new"),
        ("post", "/shops/{shop}/products/new"),
        ("get", "/products/{product}/edit"),
        ("post", "/products/{product}/edit"),
        ("post", "/products/{product}/delete"),
    ],
)
def test_anonymous_visitors_are_sent_to_login_and_change_nothing(
    app, browser, make_product, other_member, unclaimed_shop, method, path
):
    product_id = make_product(other_member, unclaimed_shop)
    url = path.format(shop=unclaimed_shop.id, product=product_id)
    response = browser.get(url) if method == "get" else browser.post(url, PRODUCT_FORM)
    assert is_login_redirect(response)
    assert product_count(app) == 1
    assert product_row(app, product_id).name == "Pain au levain"


def test_a_member_who_has_not_confirmed_their_email_cannot_suggest(
    app, browser, make_user, unclaimed_shop
):
    newcomer = make_user("Nouveau", confirmed=False)
    browser.login(newcomer.email)
    response = browser.post(f"/shops/{unclaimed_shop.id}/products/new", PRODUCT_FORM)
    assert response.status_code == 403
    assert product_count(app) == 0


@pytest.mark.parametrize("status", ["pending", "hidden", "closed"])
def test_only_a_visible_shop_has_a_window_to_add_to(
    app, browser, other_member, unclaimed_shop, status
):
    set_shop(app, unclaimed_shop.id, status=status)
    browser.login(other_member.email)
    response = browser.post(f"/shops/{unclaimed_shop.id}/products/new", PRODUCT_FORM)
    assert response.status_code == 404
    assert product_count(app) == 0


def test_a_banned_merchant_no_longer_manages_the_window(app, make_product, merchant, claimed_shop):
    product_id = make_product(merchant, claimed_shop)
    with app.app_context():
        db.session.get(User, merchant.id).is_banned = True
        db.session.commit()
        actor = db.session.get(User, merchant.id)
        with pytest.raises(PermissionDenied):
            add_product(actor, claimed_shop.id, ProductInput(name="Encore un"))
    assert product_count(app) == 1
    assert product_row(app, product_id) is not None


# --- Moderators --------------------------------------------------------------------------------


def test_a_moderator_hides_a_product_with_a_logged_reason(
    app, browser, make_product, other_member, moderator, unclaimed_shop
):
    product_id = make_product(other_member, unclaimed_shop, name="Pain magique")
    browser.login(moderator.email)
    assert f"/products/{product_id}/hide" in card(shop_page(browser, unclaimed_shop), product_id)
    assert browser.get(f"/products/{product_id}/hide").status_code == 200
    response = browser.post(f"/products/{product_id}/hide", {"reason": "Publicité trompeuse."})
    assert response.status_code == 302
    assert product_row(app, product_id).status == "hidden"
    with app.app_context():
        entry = db.session.scalars(select(ModerationEntry)).one()
        assert (entry.action, entry.target_type, entry.target_id, entry.moderator_id) == (
            "hide_product",
            "product",
            product_id,
            moderator.id,
        )
        assert entry.reason == "Publicité trompeuse."
        assert "Pain magique" in entry.target_name
    assert "Pain magique" not in shop_page(Browser(app.test_client()), unclaimed_shop)
    log = browser.get("/moderation/log").get_data(as_text=True)
    assert "Publicité trompeuse." in log
    # Moderators still see it, marked, to restore it.
    shown = card(shop_page(browser, unclaimed_shop), product_id)
    assert "masqué par la modération" in shown
    assert f"/products/{product_id}/restore" in shown


def test_a_moderator_restores_a_hidden_product_with_a_logged_reason(
    app, browser, make_product, other_member, moderator, unclaimed_shop
):
    product_id = make_product(other_member, unclaimed_shop)
    with app.app_context():
        hide_product(db.session.get(User, moderator.id), product_id, "Doute.")
        db.session.commit()
    browser.login(moderator.email)
    response = browser.post(f"/products/{product_id}/restore", {"reason": "Vérifié."})
    assert response.status_code == 302
    assert product_row(app, product_id).status == "visible"
    with app.app_context():
        actions = db.session.scalars(select(ModerationEntry.action).order_by(ModerationEntry.id))
        assert list(actions) == ["hide_product", "restore"]


def test_hiding_needs_a_reason_and_keeps_the_form(
    app, browser, make_product, other_member, moderator, unclaimed_shop
):
    product_id = make_product(other_member, unclaimed_shop)
    browser.login(moderator.email)
    response = browser.post(f"/products/{product_id}/hide", {"reason": ""})
    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), "reason")
    assert product_row(app, product_id).status == "visible"


@pytest.mark.parametrize("who", ["anonymous", "member", "author", "merchant"])
@pytest.mark.parametrize("action", ["hide", "restore"])
def test_only_moderators_hide_or_restore(
    app, browser, make_product, member, other_member, merchant, claimed_shop, who, action
):
    set_shop(app, claimed_shop.id, merchant_id=None)
    product_id = make_product(other_member, claimed_shop)
    set_shop(app, claimed_shop.id, merchant_id=merchant.id)
    if action == "restore":
        with app.app_context():
            db.session.get(Product, product_id).status = "hidden"
            db.session.commit()
    before = product_row(app, product_id).status
    accounts = {"member": member, "author": other_member, "merchant": merchant}
    if who in accounts:
        browser.login(accounts[who].email)
    response = browser.post(f"/products/{product_id}/{action}", {"reason": "Parce que."})
    assert response.status_code == 403
    assert product_row(app, product_id).status == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModerationEntry)) == 0


# --- The window's size -------------------------------------------------------------------------


def fill_window(app, author: User, shop: Shop, count: int) -> list[int]:
    with app.app_context():
        actor = db.session.get(User, author.id)
        ids = [
            add_product(actor, shop.id, ProductInput(name=f"Produit {n}")).id for n in range(count)
        ]
        db.session.commit()
        return ids


def test_a_window_holds_at_most_its_number_of_products(app, browser, merchant, claimed_shop):
    fill_window(app, merchant, claimed_shop, PRODUCTS_PER_SHOP)
    browser.login(merchant.email)
    page = shop_page(browser, claimed_shop)
    assert "La vitrine est complète" in page
    response = browser.post(f"/shops/{claimed_shop.id}/products/new", PRODUCT_FORM)
    assert response.status_code == 400
    assert "La vitrine est complète" in response.get_data(as_text=True)
    assert 'value="Cramique"' in response.get_data(as_text=True)
    assert product_count(app) == PRODUCTS_PER_SHOP


def test_hidden_products_leave_room_and_restoring_needs_room(
    app, merchant, moderator, claimed_shop
):
    ids = fill_window(app, merchant, claimed_shop, PRODUCTS_PER_SHOP)
    with app.app_context():
        modo = db.session.get(User, moderator.id)
        hide_product(modo, ids[0], "Doublon.")
        db.session.commit()
        add_product(db.session.get(User, merchant.id), claimed_shop.id, ProductInput(name="Neuf"))
        db.session.commit()
        with pytest.raises(Conflict):
            restore_product(db.session.get(User, moderator.id), ids[0], "Finalement.")
        db.session.rollback()
    assert product_row(app, ids[0]).status == "hidden"


def test_hiding_twice_is_a_conflict(app, make_product, merchant, moderator, claimed_shop):
    product_id = make_product(merchant, claimed_shop)
    with app.app_context():
        hide_product(db.session.get(User, moderator.id), product_id, "Une fois.")
        db.session.commit()
        with pytest.raises(Conflict):
            hide_product(db.session.get(User, moderator.id), product_id, "Deux fois.")


def test_a_hidden_product_cannot_be_edited_by_its_merchant(
    app, browser, make_product, merchant, moderator, claimed_shop
):
    product_id = make_product(merchant, claimed_shop)
    with app.app_context():
        hide_product(db.session.get(User, moderator.id), product_id, "Contrefaçon.")
        db.session.commit()
    browser.login(merchant.email)
    assert browser.post(f"/products/{product_id}/edit", {"name": "Revoilà"}).status_code == 404
    assert product_row(app, product_id).name == "Pain au levain"


# --- Prices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, cents",
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("12,50 €", 1250),
        ("12,50€", 1250),
        ("€ 12.50", 1250),
        ("12", 1200),
        ("12,5", 1250),
        ("0", 0),
        ("12 EUR", 1200),
        ("1 250,00 €", 125_000),
        ("1\u202f250,00\u00a0€", 125_000),
        ("100000", 10_000_000),
        ("", None),
        ("   ", None),
    ],
)
def test_prices_are_read_as_people_type_them(typed, cents):
    assert parse_price(typed) == cents


@pytest.mark.parametrize(
    "typed, message",
    [
        ("-3", "négatif"),
        ("-12,50 €", "négatif"),
        ("\u221212", "négatif"),
        ("100000,01", "100"),
        ("99999999999", "100"),
        ("douze", "12,50"),
        ("12,345", "12,50"),
        ("1.250,00", "12,50"),
        ("1e3", "12,50"),
        ("12 50", "12,50"),
        ("١٢", "12,50"),  # Arabic-Indic digits: isdigit() says yes, int() would take them
        ("12" * 20, "12,50"),
    ],
)
def test_absurd_or_garbled_prices_are_refused_naming_the_field(app, typed, message):
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        parse_price(typed)
    assert refused.value.field == "price"
    assert message in refused.value.message


def test_a_refused_price_shows_the_form_again_with_what_was_typed(
    app, browser, merchant, claimed_shop
):
    browser.login(merchant.email)
    response = browser.post(
        f"/shops/{claimed_shop.id}/products/new", PRODUCT_FORM | {"price": "-4"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_errors(page, "price") == ["Le prix ne peut pas être négatif."]
    assert 'value="-4"' in page and 'value="Cramique"' in page
    assert "Brioche aux raisins, le dimanche." in page
    assert product_count(app) == 0


def test_a_price_goes_back_to_the_form_as_it_was_stored(app):
    with app.test_request_context():
        assert price_text(1250) == "12,50"
        assert price_text(None) == ""


# --- Links -------------------------------------------------------------------------------------


def shop_with(website=None, eshop_url=None) -> Shop:
    return Shop(name="Boulangerie", website=website, eshop_url=eshop_url)


@pytest.mark.parametrize(
    "link, kept",
    [
        ("https://www.boulangerie-du-marche.be/pain", "https://www.boulangerie-du-marche.be/pain"),
        ("https://boulangerie-du-marche.be/pain", "https://boulangerie-du-marche.be/pain"),
        ("http://shop.boulangerie-du-marche.be/p/1", "http://shop.boulangerie-du-marche.be/p/1"),
        ("https://BOULANGERIE-DU-MARCHE.BE./x", "https://BOULANGERIE-DU-MARCHE.BE./x"),
        ("boulangerie-du-marche.be/pain", "https://boulangerie-du-marche.be/pain"),
        ("", None),
    ],
)
def test_a_product_link_on_the_shops_domain_is_kept(app, link, kept):
    with app.test_request_context():
        assert clean_product_url(link, shop_with(website=BAKERY_SITE)) == kept


@pytest.mark.parametrize(
    "link",
    [
        "https://elsewhere.example/pain",
        "https://boulangerie-du-marche.be.elsewhere.example/pain",
        "https://notboulangerie-du-marche.be/pain",
        "https://www.boulangerie-du-marche.be@elsewhere.example/pain",
        "javascript:alert(1)",
        "ftp://boulangerie-du-marche.be/pain",
        "data:text/html,<b>x</b>",
    ],
)
def test_a_product_link_elsewhere_is_refused_naming_the_field(app, link):
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        clean_product_url(link, shop_with(website=BAKERY_SITE))
    assert refused.value.field == "url"


def test_the_eshops_domain_counts_as_well_as_the_website(app):
    shop = shop_with(website=BAKERY_SITE, eshop_url="https://boutique.example.com/claire")
    with app.test_request_context():
        assert clean_product_url("https://boutique.example.com/p/2", shop)
        assert clean_product_url("https://boulangerie-du-marche.be/p/2", shop)
        with pytest.raises(ValidationFailed):
            clean_product_url("https://example.com/p/2", shop)


def test_a_shop_without_a_site_takes_any_web_link_but_no_script(app):
    with app.test_request_context():
        assert clean_product_url("https://marketplace.example/p/9", shop_with())
        with pytest.raises(ValidationFailed):
            clean_product_url("javascript:alert(1)", shop_with())


def test_a_link_off_the_shops_domain_names_it_in_the_form(app, browser, merchant, claimed_shop):
    browser.login(merchant.email)
    response = browser.post(
        f"/shops/{claimed_shop.id}/products/new",
        PRODUCT_FORM | {"url": "https://elsewhere.example/cramique"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_errors(page, "url") == [
        "Le lien doit mener au site de la boutique (boulangerie-du-marche.be)."
    ]
    assert 'value="https://elsewhere.example/cramique"' in page
    assert product_count(app) == 0


# --- Text checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "<b>Promo</b>"}, "name"),
        ({"description": "x" * 301}, "description"),
        ({"name": "Pain\x00"}, "name"),
    ],
)
def test_bad_text_is_refused_with_one_message_under_its_field(
    app, browser, merchant, claimed_shop, fields, field
):
    browser.login(merchant.email)
    response = browser.post(f"/shops/{claimed_shop.id}/products/new", PRODUCT_FORM | fields)
    assert response.status_code == 400
    assert len(field_errors(response.get_data(as_text=True), field)) == 1
    assert product_count(app) == 0


def test_a_product_name_is_escaped_on_the_page(app, make_product, merchant, claimed_shop):
    product_id = make_product(merchant, claimed_shop, name="Pain & « levain » 5 < 6")
    shown = card(shop_page(Browser(app.test_client()), claimed_shop), product_id)
    assert "Pain &amp; « levain » 5 &lt; 6" in shown


def test_a_product_of_another_shop_id_is_not_found(app, browser, merchant):
    browser.login(merchant.email)
    assert browser.get("/products/999999/edit").status_code == 404
    assert browser.post("/products/999999/delete").status_code == 404
    with app.app_context(), pytest.raises(NotFound):
        add_product(db.session.get(User, merchant.id), 999999, ProductInput(name="X"))


# --- Rate limits -------------------------------------------------------------------------------


def test_suggestions_are_rate_limited(database_url, tmp_path, make_user, unclaimed_shop):
    limited = create_app(
        base_config(database_url, tmp_path)
        | {
            "RATELIMIT_ENABLED": True,
            "WRITE_RATE_LIMIT": "2 per minute",
            "UPLOAD_DIR": str(tmp_path / "up"),
        }
    )
    try:
        browser = Browser(limited.test_client())
        browser.login(make_user("Pressée").email)
        url = f"/shops/{unclaimed_shop.id}/products/new"
        statuses = [
            browser.post(url, PRODUCT_FORM | {"name": f"P{n}"}).status_code for n in range(3)
        ]
        assert statuses == [302, 302, 429]
        assert product_count(limited, unclaimed_shop.id) == 2
    finally:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()
