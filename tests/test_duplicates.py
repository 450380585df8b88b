"""The duplicate check: posting, editing and importing a shop that is already listed."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select, update

from directory.accounts.models import User
from directory.extensions import db
from directory.seeding.cli import CATEGORY_MAP
from directory.seeding.importer import COLUMNS, import_shops, load_category_map, summarise
from directory.shops.duplicates import (
    PossibleDuplicate,
    likely_duplicates,
    names_alike,
    phone_key,
    website_key,
)
from directory.shops.models import Category, Shop, ShopStatus
from directory.shops.services import create_shop, update_shop
from tests.conftest import shop_input

GOETHE = "Les Péchés Mignons du Goethe"
GOETHE_AGAIN = "Les péchés mignons du Goethe"
# The row of seed_data/be_gaume_arlon_osm.csv, at its mapped position.
GOETHE_ROW = (
    "Les Péchés Mignons du Goethe,bakery,Rue des Capucins 10,6700,Arlon,"
    "49.684390,5.814067,,shop=bakery"
)


def shop_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Shop))


def goethe_form(app, **overrides) -> dict:
    """The posting form of the issue's example."""
    with app.app_context():
        bakery = db.session.scalar(select(Category.id).where(Category.slug == "boulangerie"))
    form = {
        "name": GOETHE_AGAIN,
        "category_id": str(bakery),
        "address": "Rue des Capucins 10",
        "postcode": "6700",
        "town": "Arlon",
        "country": "BE",
        "description": "Les meilleurs macarons du Luxembourg.",
    }
    form.update(overrides)
    return form


def write_csv(path, *rows):
    path.write_text(",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def set_status(app, shop_id: int, status: ShopStatus) -> None:
    with app.app_context():
        db.session.execute(update(Shop).where(Shop.id == shop_id).values(status=status.value))
        db.session.commit()


@pytest.fixture
def goethe(make_shop) -> Shop:
    """The bakery of the issue, already listed in Arlon."""
    return make_shop(name=GOETHE, address="Rue des Capucins 10")


# --- Posting -----------------------------------------------------------------------------------


def test_reposting_a_listed_shop_shows_it_instead_of_saving(app, browser, other_member, goethe):
    browser.login(other_member.email)
    before = shop_count(app)
    response = browser.post("/shops/new", goethe_form(app))
    assert response.status_code == 200  # the form again, not a redirect
    page = html.unescape(response.get_data(as_text=True))
    assert f'href="/shops/{goethe.id}-{goethe.slug}"' in page
    assert f'href="/shops/{goethe.id}-{goethe.slug}#vote-count"' in page
    assert "Recommander celle-ci plutôt" in page
    assert 'name="confirm_not_duplicate"' in page
    assert "C'est bien un autre commerce" in page
    assert f'value="{GOETHE_AGAIN}"' in page  # what was typed is kept
    assert shop_count(app) == before


def test_the_form_shows_no_duplicate_box_before_posting(browser, member):
    browser.login(member.email)
    page = browser.get("/shops/new").get_data(as_text=True)
    assert 'name="confirm_not_duplicate"' not in page


def test_confirming_it_is_another_shop_saves_it(app, browser, other_member, goethe):
    browser.login(other_member.email)
    before = shop_count(app)
    response = browser.post("/shops/new", goethe_form(app, confirm_not_duplicate="y"))
    assert response.status_code == 302
    assert shop_count(app) == before + 1


def test_a_post_at_the_town_centre_matches_an_imported_shop_of_that_town(
    app, browser, member, tmp_path
):
    with app.app_context():
        import_shops(write_csv(tmp_path / "osm.csv", GOETHE_ROW), load_category_map(CATEGORY_MAP))
        db.session.commit()
        imported = db.session.scalar(select(Shop).where(Shop.name == GOETHE))
        imported_url = f"/shops/{imported.id}-{imported.slug}"
    browser.login(member.email)
    response = browser.post("/shops/new", goethe_form(app))
    assert response.status_code == 200
    assert imported_url in response.get_data(as_text=True)
    assert shop_count(app) == 1


def test_the_same_website_in_another_town_is_caught(app, browser, other_member, make_shop):
    listed = make_shop(name="Fromagerie Lambert", website="https://fromagerie.example.be/caves")
    browser.login(other_member.email)
    form = goethe_form(
        app,
        name="La Cave à Fromages",
        postcode="6760",
        town="Virton",
        website="http://www.Fromagerie.example.be/caves/",
    )
    response = browser.post("/shops/new", form)
    assert response.status_code == 200
    assert f"/shops/{listed.id}-" in response.get_data(as_text=True)


def test_the_same_phone_in_another_town_is_caught(app, browser, other_member, make_shop):
    listed = make_shop(name="Fromagerie Lambert", phone="+32 63 21 00 00")
    browser.login(other_member.email)
    form = goethe_form(
        app, name="La Cave à Fromages", postcode="6760", town="Virton", phone="063/21.00.00"
    )
    response = browser.post("/shops/new", form)
    assert response.status_code == 200
    assert f"/shops/{listed.id}-" in response.get_data(as_text=True)


def test_a_different_shop_in_the_same_street_is_saved(app, browser, other_member, goethe):
    browser.login(other_member.email)
    form = goethe_form(app, name="Librairie des Capucins", address="Rue des Capucins 12")
    assert browser.post("/shops/new", form).status_code == 302
    assert shop_count(app) == 2


def test_create_shop_raises_possible_duplicate_with_the_matches(ctx, other_member, goethe):
    with pytest.raises(PossibleDuplicate) as refused:
        create_shop(db.session.get(User, other_member.id), shop_input(name=GOETHE_AGAIN))
    assert refused.value.field == "confirm_not_duplicate"
    assert refused.value.status_code == 409
    assert [shop.id for shop in refused.value.matches] == [goethe.id]


# --- Editing -----------------------------------------------------------------------------------


def test_editing_a_shop_into_the_name_of_another_is_caught(
    app, browser, member, make_shop, goethe, reload
):
    mine = make_shop(name="Boulangerie du Marché")
    browser.login(member.email)
    response = browser.post(f"/shops/{mine.id}/edit", goethe_form(app))
    assert response.status_code == 200
    assert f"/shops/{goethe.id}-" in response.get_data(as_text=True)
    assert reload(Shop, mine.id).name == "Boulangerie du Marché"


def test_an_edit_is_not_its_own_duplicate(app, browser, member, goethe, reload):
    browser.login(member.email)
    form = goethe_form(app, name=GOETHE, description="Macarons et pralines.")
    assert browser.post(f"/shops/{goethe.id}/edit", form).status_code == 302
    assert reload(Shop, goethe.id).description == "Macarons et pralines."


def test_a_confirmed_duplicate_is_not_questioned_again_on_a_small_edit(ctx, other_member, goethe):
    author = db.session.get(User, other_member.id)
    twin = create_shop(author, shop_input(name=GOETHE_AGAIN, confirm_not_duplicate=True))
    update_shop(author, twin, shop_input(name=GOETHE_AGAIN, description="Fermé le lundi."))
    assert twin.description == "Fermé le lundi."


# --- Importing ---------------------------------------------------------------------------------


def test_import_skips_a_duplicate_of_a_listed_shop_and_reports_it(app, goethe, tmp_path):
    path = write_csv(
        tmp_path / "osm.csv",
        GOETHE_ROW,
        "Fleurs du Parc,florist,Rue du Parc 2,6700,Arlon,49.6833,5.8167,,shop=florist",
    )
    with app.app_context():
        report = import_shops(path, load_category_map(CATEGORY_MAP))
        db.session.commit()
        assert (report.created, report.duplicates) == (1, 1)
        assert report.skipped == [(2, f"likely duplicate of shop {goethe.id} {GOETHE!r} in Arlon")]
        summary = list(summarise(report))
    assert "1 skipped (1 likely duplicates)" in summary[0]
    assert shop_count(app) == 2


def test_import_keeps_duplicates_when_asked(app, goethe, tmp_path):
    path = write_csv(tmp_path / "osm.csv", GOETHE_ROW)
    with app.app_context():
        report = import_shops(path, load_category_map(CATEGORY_MAP), allow_duplicates=True)
        db.session.commit()
    assert (report.created, report.duplicates) == (1, 0)


def test_import_command_has_an_allow_duplicates_flag(app, goethe, tmp_path):
    path = write_csv(tmp_path / "osm.csv", GOETHE_ROW)
    runner = app.test_cli_runner()
    skipped = runner.invoke(args=["import-shops", str(path)])
    assert skipped.exit_code == 0, skipped.output
    assert "likely duplicate of shop" in skipped.output
    kept = runner.invoke(args=["import-shops", "--allow-duplicates", str(path)])
    assert kept.exit_code == 0, kept.output
    assert "1 created" in kept.output


def test_a_chains_imported_shops_in_one_town_stay_apart(ctx, tmp_path):
    path = write_csv(
        tmp_path / "osm.csv",
        "Aldi,supermarket,,6700,Arlon,49.680237,5.804016,,shop=supermarket",
        "Aldi,supermarket,,6700,Arlon,49.690000,5.820000,,shop=supermarket",
        "Aldi,supermarket,,6700,Arlon,49.690500,5.820300,,shop=supermarket",
    )
    report = import_shops(path, load_category_map(CATEGORY_MAP))
    # Two exact positions 1.6 km apart are two shops; 60 m apart, the same one mapped twice.
    assert (report.created, report.duplicates) == (2, 1)


# --- Which shops are candidates ----------------------------------------------------------------


def goethe_matches(exclude_id: int | None = None) -> list[int]:
    """The ids likely_duplicates gives for the issue's example, posted at Arlon's centre."""
    listed = db.session.scalar(select(Shop).where(Shop.name == GOETHE))
    return [
        shop.id
        for shop in likely_duplicates(
            name=GOETHE_AGAIN,
            town_slug="arlon-be",
            lat=listed.lat,
            lon=listed.lon,
            exclude_id=exclude_id,
        )
    ]


@pytest.mark.parametrize(
    ("status", "is_candidate"),
    [
        (ShopStatus.VISIBLE, True),
        (ShopStatus.PENDING, True),
        (ShopStatus.HIDDEN, False),
        (ShopStatus.MERGED, False),
    ],
)
def test_visible_and_pending_shops_are_candidates_hidden_and_merged_are_not(
    app, goethe, status, is_candidate
):
    set_status(app, goethe.id, status)
    with app.app_context():
        assert goethe_matches() == ([goethe.id] if is_candidate else [])


def test_another_members_pending_post_is_counted_but_not_named(app, browser, other_member, goethe):
    set_status(app, goethe.id, ShopStatus.PENDING)
    browser.login(other_member.email)
    before = shop_count(app)
    response = browser.post("/shops/new", goethe_form(app))
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "Une adresse semblable attend déjà la relecture d'un modérateur." in page
    assert f"/shops/{goethe.id}-" not in page  # it answers 404 to this member
    assert 'name="confirm_not_duplicate"' in page
    assert shop_count(app) == before


def test_a_moderator_sees_the_pending_match_with_its_state(app, browser, moderator, goethe):
    set_status(app, goethe.id, ShopStatus.PENDING)
    browser.login(moderator.email)
    page = html.unescape(browser.post("/shops/new", goethe_form(app)).get_data(as_text=True))
    assert f"/shops/{goethe.id}-" in page
    assert "(en attente de modération)" in page


def test_the_shop_itself_can_be_left_out(app, goethe):
    with app.app_context():
        assert goethe_matches(exclude_id=goethe.id) == []


# --- The matching rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "alike"),
    [
        (GOETHE, GOETHE_AGAIN, True),
        ("Les Péchés Mignons du Goethe", "Peches mignons du Goethe", True),
        ("Boulangerie Dupont", "Boulangerie Dupond", True),
        ("Le Fournil", "Le Fournil d'Arlon", True),
        ("Mignons du Goethe (Les)", "Les Mignons du Goethe", True),
        ("Le Coco", "Le Cocoon", False),
        ("Commerce 1", "Commerce 2", False),
        ("Boulangerie", "Boulangerie Dupont", False),
        ("Boulangerie du Marché", "Librairie des Capucins", False),
    ],
)
def test_names_alike(first, second, alike):
    assert names_alike(first, second) is alike


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.Shop.be/fr/", "shop.be/fr"),
        ("http://shop.be/fr", "shop.be/fr"),
        ("https://shop.be", "shop.be"),
        ("https://shop.be/?utm=x", "shop.be"),
        (None, None),
    ],
)
def test_website_key_ignores_scheme_www_and_final_slash(url, key):
    assert website_key(url) == key


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("+32 63 21 00 00", "63210000"),
        ("0032 63 21 00 00", "63210000"),
        ("063/21.00.00", "63210000"),
        ("+32 (0)63 21 00 00", "63210000"),
        ("+33 3 82 00 00 00", "382000000"),
        ("03 82 00 00 00", "382000000"),
        ("112", None),
        (None, None),
    ],
)
def test_phone_key_keeps_the_national_digits(phone, key):
    assert phone_key(phone) == key
