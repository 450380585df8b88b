"""The search page when little or nothing is found, and what each result card shows."""

import re
from datetime import timedelta
from html import unescape

import pytest

from directory.extensions import db
from directory.i18n import relative_date
from directory.search.bridge import drain, get_index
from directory.search.services import RADIUS_STEPS_KM, ResultRow
from directory.timeutil import utcnow
from search_index import Hit
from search_index.geo import haversine_km


@pytest.fixture
def shops(app, make_shop):
    """Two bakeries in Arlon and a bookshop in Tintigny, about 13 km west of Arlon."""
    made = {
        "arlon": make_shop(
            name="Le Fournil d'Arlon",
            address="Grand-Rue 12",
            description="Pain au levain, croissants et pralines maison.",
        ),
        "grand_place": make_shop(name="Boulangerie de la Place", address="Place Léopold 3"),
        "tintigny": make_shop(
            name="Librairie du Gaumais",
            category="librairie",
            address="Rue de France 4",
            postcode="6730",
            town="Tintigny",
            description="Romans, bandes dessinées et livres pour enfants.",
        ),
    }
    with app.app_context():
        drain(get_index(app))
    return made


def page(browser, query: str) -> str:
    response = browser.get(f"/search?{query}")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_nothing_within_the_radius_offers_the_radius_that_finds_something(browser, shops):
    text = page(browser, "q=librairie&near=Arlon&radius_km=5")
    assert "Rien dans un rayon de 5 km." in text
    offered = int(re.search(r'href="[^"]*radius_km=(\d+)[^"]*"[^>]*>Élargir à (\d+) km', text)[1])
    # Checked against the distance itself: the first round step at or beyond the bookshop.
    tintigny = shops["tintigny"]
    distance = haversine_km(49.68333, 5.81667, tintigny.lat, tintigny.lon)
    expected = next(step for step in RADIUS_STEPS_KM if step > 5 and step >= distance)
    assert offered == expected
    assert "Librairie du Gaumais" in page(browser, f"q=librairie&near=Arlon&radius_km={offered}")


def test_no_wider_radius_is_offered_when_no_radius_would_find_anything(browser, shops):
    text = page(browser, "q=fromagerie&near=Arlon&radius_km=5")
    assert "Élargir" not in text
    assert "Aucune adresse ne correspond." in text


def test_a_place_with_no_shop_at_all_invites_the_first_recommendation(browser, shops, member):
    text = page(browser, "q=livres&town=Limoges")
    assert "Soyez le premier à la recommander." in text
    link = re.search(r'href="(/shops/new\?[^"]+)"[^>]*>Recommander un commerce à Limoges', text)
    assert (
        link and "town=Limoges" in link[1] and "postcode=87" in link[1] and "country=FR" in link[1]
    )
    browser.login(member.email)
    posting = unescape(browser.get(link[1]).get_data(as_text=True))
    assert re.search(r'id="town"[^>]*value="Limoges"', posting)
    assert re.search(r'<option selected value="FR">|<option value="FR" selected', posting)


@pytest.mark.parametrize("typed", ["87000 Limoges", "Limoges (87000, FR)", "87000"])
def test_the_invitation_knows_the_town_however_it_is_written(browser, shops, typed):
    text = page(browser, f"q=livres&town={typed}")
    assert "Recommander un commerce à Limoges" in text


def test_near_takes_the_autocomplete_label_back(browser, shops):
    assert "autour de 6700 Arlon" in page(browser, "q=boulangerie&near=Arlon (6700, BE)")


def test_a_place_with_shops_does_not_ask_for_the_first_one(browser, shops):
    text = page(browser, "q=fromagerie&town=Arlon")
    assert "Aucune adresse ne correspond." in text
    assert "Soyez le premier" not in text


def test_cards_show_the_street_and_an_excerpt_only_when_it_adds_something(browser, shops):
    text = page(browser, "q=boulangerie&near=Arlon")
    assert "Grand-Rue 12, 6700 Arlon" in text and "Place Léopold 3, 6700 Arlon" in text
    assert '<p class="highlight">' not in text  # "boulangerie" is in the category, not the text
    text = page(browser, "q=pralines")
    assert '<p class="highlight">… ' in text or '<p class="highlight">Pain' in text
    assert "<mark>pralines</mark>" in text
    names = re.findall(r'<h2 class="result-title"><a [^>]+>([^<]+)</a></h2>', text)
    excerpts = re.findall(r'<p class="highlight">([^\n]+)</p>', text)
    assert names and len(excerpts) == len(names)
    assert not any(excerpt.startswith(name) for excerpt in excerpts for name in names)


def test_excerpt_is_shown_only_when_it_marks_a_word():
    def row(excerpt: str) -> ResultRow:
        return ResultRow(
            shop=None, hit=Hit(id=1, score=1.0, distance_km=None, highlight="", excerpt=excerpt)
        )

    assert row("").excerpt == ""
    assert row("Pain et croissants").excerpt == ""
    assert row("Pain et <mark>croissants</mark>").excerpt == "Pain et <mark>croissants</mark>"


def test_a_name_with_a_dash_is_not_taken_for_an_excerpt(browser, make_shop, app):
    make_shop(name="Café — Bar du Marché", description="Bières belges et croque-monsieur.")
    with app.app_context():
        drain(get_index(app))
    text = page(browser, "q=bar")
    assert '<p class="highlight">' not in text  # "bar" is in the name only


@pytest.mark.parametrize(
    "language, recent, old",
    [
        ("fr", "il y a 3 jours", "2026"),
        ("nl", "3 dagen geleden", "2026"),
        ("en", "3 days ago", "2026"),
    ],
)
def test_recent_dates_read_as_an_age_and_old_ones_as_a_date(app, language, recent, old):
    with app.test_request_context(f"/?lang={language}"):
        three_days = str(relative_date(utcnow() - timedelta(days=3, hours=1)))
        assert f">{recent}</time>" in three_days and 'datetime="' in three_days
        long_ago = str(relative_date(utcnow().replace(year=2026, month=1, day=15) - timedelta(0)))
        assert "ago" not in long_ago and "il y a" not in long_ago and old in long_ago


def test_tips_show_how_long_ago_they_were_written(browser, shops, member, ctx):
    from directory.tips.services import add_tip

    shop = shops["arlon"]
    add_tip(db.session.merge(member), shop.id, "Le pain du samedi est le meilleur.")
    db.session.commit()
    detail = browser.get(f"/shops/{shop.id}", follow_redirects=True).get_data(as_text=True)
    assert re.search(r'<time datetime="[^"]+Z" title="[^"]+">il y a \d+ (seconde|minute)', detail)
