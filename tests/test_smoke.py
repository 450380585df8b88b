from directory.shops.models import Shop


def test_home_lists_a_posted_shop(browser, shop_in_arlon):
    page = browser.get("/").get_data(as_text=True)
    assert "Boulangerie du Marché" in page


def test_shop_page(browser, shop_in_arlon, reload):
    response = browser.get(f"/shops/{shop_in_arlon.id}", follow_redirects=True)
    assert response.status_code == 200
    assert reload(Shop, shop_in_arlon.id).town == "Arlon"
