"""Posting, editing and browsing shops."""

from sqlalchemy import func, select

from directory.extensions import db
from directory.shops.models import Category, Shop


def category_id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Category.id).where(Category.slug == slug))


def shop_form(app, **overrides):
    data = {
        "name": "Chocolaterie Léonidas",
        "category_id": str(category_id(app, "chocolatier")),
        "address": "Grand-Rue 3",
        "postcode": "6700",
        "town": "arlon",
        "country": "BE",
        "website": "www.chocolats-arlon.be",
        "phone": "+32 63 00 00 00",
        "description": "Pralines faites maison.",
        "takeaway": "y",
        "delivery": "y",
        "delivery_radius_km": "30",
    }
    data.update(overrides)
    return data


def count_shops(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Shop))


def test_member_posts_a_shop_geocoded_offline(app, browser, member, reload):
    browser.login(member.email)
    response = browser.post("/shops/new", shop_form(app))
    assert response.status_code == 302
    shop_id = int(response.headers["Location"].split("/shops/")[1].split("-")[0])
    shop = reload(Shop, shop_id)
    assert (shop.town, shop.postcode, shop.country) == ("Arlon", "6700", "BE")
    assert round(shop.lat, 2) == 49.68
    assert shop.website == "https://www.chocolats-arlon.be"
    assert shop.services == ["takeaway", "delivery"]
    assert shop.delivery_radius_km == 30
    assert shop.author_id == member.id


def test_shop_page_shows_services_and_links(app, browser, member):
    browser.login(member.email)
    location = browser.post("/shops/new", shop_form(app, eshop_url="https://shop.example")).headers[
        "Location"
    ]
    page = browser.get(location).get_data(as_text=True)
    assert "Livraison 30 km" in page
    assert "À emporter" in page
    assert 'href="https://shop.example"' in page


def test_unknown_town_is_a_field_error_and_input_is_kept(app, browser, member):
    browser.login(member.email)
    response = browser.post("/shops/new", shop_form(app, town="Arlom", postcode="6799"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vouliez-vous dire" in page
    assert "Arlon" in page
    assert 'value="Chocolaterie Léonidas"' in page
    assert "Pralines faites maison." in page
    assert count_shops(app) == 0


def test_mismatched_postcode_suggests_the_right_one(app, browser, member):
    browser.login(member.email)
    page = browser.post("/shops/new", shop_form(app, postcode="6720")).get_data(as_text=True)
    assert "6700 Arlon" in page


def test_delivery_needs_a_radius(app, browser, member):
    browser.login(member.email)
    response = browser.post("/shops/new", shop_form(app, delivery_radius_km=""))
    assert response.status_code == 400
    assert "rayon de livraison" in response.get_data(as_text=True)


def test_author_edits_their_shop(app, browser, member, shop_in_arlon, reload):
    browser.login(member.email)
    data = shop_form(app, name="Boulangerie du Marché (nouveau nom)", postcode="4000", town="Liège")
    response = browser.post(f"/shops/{shop_in_arlon.id}/edit", data)
    assert response.status_code == 302
    shop = reload(Shop, shop_in_arlon.id)
    assert shop.name == "Boulangerie du Marché (nouveau nom)"
    assert (shop.town, shop.town_slug) == ("Liège", "liege-be")


def test_edit_form_is_prefilled(browser, member, shop_in_arlon):
    browser.login(member.email)
    page = browser.get(f"/shops/{shop_in_arlon.id}/edit").get_data(as_text=True)
    assert 'value="Boulangerie du Marché"' in page


def test_category_page_lists_only_its_shops(browser, make_shop):
    make_shop(name="Fleurs d'Anna", category="fleuriste")
    make_shop(name="Le Fournil", category="boulangerie")
    page = browser.get("/categories/fleuriste").get_data(as_text=True)
    assert "Fleurs d&#39;Anna" in page
    assert "Le Fournil" not in page


def test_town_page_groups_a_towns_shops(browser, make_shop):
    make_shop(name="Chez Liégeois", postcode="4000", town="liege")
    make_shop(name="Chez Arlonais")
    page = browser.get("/towns/liege-be").get_data(as_text=True)
    assert "Chez Liégeois" in page
    assert "Chez Arlonais" not in page


def test_unknown_category_or_town_is_404(browser):
    assert browser.get("/categories/nope").status_code == 404
    assert browser.get("/towns/nowhere-be").status_code == 404


def test_hidden_shop_is_not_shown(app, browser, shop_in_arlon):
    with app.app_context():
        db.session.get(Shop, shop_in_arlon.id).status = "hidden"
        db.session.commit()
    assert browser.get(f"/shops/{shop_in_arlon.id}").status_code == 404
    assert "Boulangerie du Marché" not in browser.get("/").get_data(as_text=True)


def test_shop_url_with_a_stale_slug_redirects(browser, shop_in_arlon):
    response = browser.get(f"/shops/{shop_in_arlon.id}-old-name")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}")


def test_lists_are_paginated(app, browser, make_shop):
    app.config["PER_PAGE"] = 2
    for n in range(5):
        make_shop(name=f"Commerce {n}")
    first = browser.get("/?sort=new").get_data(as_text=True)
    third = browser.get("/?sort=new&page=3").get_data(as_text=True)
    assert "Commerce 4" in first and "Commerce 3" in first and "Commerce 2" not in first
    assert "Commerce 0" in third
    assert "Page 1 sur 3" in first


def test_sorts_top_new_and_hot(app, browser, make_shop, make_user):
    from directory.votes.services import upvote

    old_popular = make_shop(name="Ancien Populaire")
    make_shop(name="Tout Nouveau")
    voters = [make_user() for _ in range(3)]
    with app.app_context():
        for voter in voters:
            upvote(db.session.merge(voter), old_popular.id)
        db.session.commit()

    def order(sort):
        page = browser.get(f"/?sort={sort}").get_data(as_text=True)
        return page.index("Ancien Populaire") < page.index("Tout Nouveau")

    assert order("top") is True
    assert order("new") is False
    assert order("hot") is True  # same age: votes decide


def test_shop_services_are_the_search_librarys_services():
    from directory.shops.models import SERVICE_FIELDS
    from search_index import SERVICES

    assert SERVICE_FIELDS == SERVICES
