"""Getting around: where links, redirects and re-rendered forms send people."""

import re

from directory.search.bridge import drain, get_index


def test_a_rejected_tip_keeps_the_vote_button_pointing_at_the_shop_page(
    browser, other_member, shop_in_arlon
):
    browser.login(other_member.email)  # the author has no vote button on their own shop
    response = browser.post(f"/shops/{shop_in_arlon.id}/tips", {"body": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    shop_path = f"/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}"
    assert f'name="next" value="{shop_path}"' in page
    assert f"/shops/{shop_in_arlon.id}/tips" not in re.sub(r'action="[^"]*"', "", page)


def test_a_logged_in_member_is_not_shown_the_login_form(browser, member):
    browser.login(member.email)
    response = browser.get("/login?next=/categories")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/categories")


def test_login_and_register_pages_do_not_nest_next_in_their_own_links(browser):
    page = browser.get("/login?next=/categories").get_data(as_text=True)
    assert 'href="/login?next=' not in page  # the nav's own login link
    assert 'href="/register?next=/categories"' in page  # the form's link keeps where to go


def test_a_session_lost_before_posting_a_shop_comes_back_to_the_form(browser):
    response = browser.post("/shops/new", {"name": "X"})
    assert response.headers["Location"].endswith("/login?next=/shops/new")


def test_a_session_lost_before_a_tip_comes_back_to_the_shop(browser, shop_in_arlon):
    shop_path = f"/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}"
    response = browser.post(
        f"/shops/{shop_in_arlon.id}/tips",
        {"body": "Super", "next": shop_path + "#tips"},
    )
    assert "next=" + shop_path in response.headers["Location"].replace("%23", "#")


def test_a_list_page_past_the_end_offers_the_last_page(app, browser, make_shop):
    app.config["PER_PAGE"] = 1
    make_shop(name="Un")
    make_shop(name="Deux")
    page = browser.get("/towns/arlon-be?page=99").get_data(as_text=True)
    assert "Aller à la dernière page" in page
    assert "page=2" in page


def test_search_form_shows_and_keeps_the_town_filter(app, browser, make_shop):
    make_shop(name="Le Fournil", postcode="6720", town="Habay-la-Neuve")
    with app.app_context():
        drain(get_index(app))
    page = browser.get("/search?q=fournil&town=Habay-La-Neuve&per_page=5").get_data(as_text=True)
    assert 'name="town" value="Habay-La-Neuve"' in page
    assert 'name="per_page" value="5"' in page
    assert "Le Fournil" in page


def test_widen_radius_link_grows_and_stops_at_the_limit(app, browser, make_shop):
    make_shop(name="Le Fournil", postcode="6720", town="Habay-la-Neuve")  # ~15 km from Arlon
    with app.app_context():
        drain(get_index(app))
    tiny = browser.get("/search?q=fournil&near=Arlon&radius_km=0.3").get_data(as_text=True)
    assert "radius_km=25&" in tiny and "Élargir à 25 km" in tiny
    widest = browser.get("/search?q=zzz&near=Arlon&radius_km=200").get_data(as_text=True)
    assert "Élargir" not in widest


def test_a_search_page_past_the_end_links_back_to_the_first(app, browser, make_shop):
    make_shop(name="Le Fournil")
    with app.app_context():
        drain(get_index(app))
    page = browser.get("/search?q=fournil&page=50").get_data(as_text=True)
    assert "Revenir à la première page" in page


def test_two_errors_on_one_field_share_one_described_element(browser):
    page = browser.post("/register", {"email": "x" * 300}).get_data(as_text=True)
    assert page.count('id="email-error"') == 1
