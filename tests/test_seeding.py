"""Seed data: categories, gazetteer, the CSV importer and the ``seed`` command."""

import csv

from sqlalchemy import func, select

from directory.accounts.models import User
from directory.extensions import db
from directory.places.models import Place
from directory.seeding.categories import load_categories
from directory.seeding.cli import CATEGORY_MAP, DEMO_SHOPS, SEED_DIR, seed_command
from directory.seeding.importer import COLUMNS, import_shops, load_category_map
from directory.shops.models import Category, Shop
from directory.votes.models import Vote

HEADER = ",".join(COLUMNS)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def write_csv(path, *rows):
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_categories_cover_the_seed_articles_in_three_languages(ctx):
    slugs = set(db.session.scalars(select(Category.slug)))
    assert len(slugs) >= 25
    for slug in (
        "restauration",
        "vetements",
        "bijouterie",
        "jouets",
        "maroquinerie",
        "cosmetiques",
        "librairie",
        "fleuriste",
        "coiffeur",
        "boulangerie",
        "boucherie",
        "fromagerie",
        "caviste",
        "epicerie-fine",
        "cadeaux",
        "sport",
        "bricolage",
        "opticien",
    ):
        assert slug in slugs
    florist = db.session.scalar(select(Category).where(Category.slug == "fleuriste"))
    assert (florist.name_fr, florist.name_nl, florist.name_en) == (
        "Fleuriste",
        "Bloemist",
        "Florist",
    )


def test_gazetteer_holds_every_row_of_the_shipped_files(ctx):
    assert count(Place, Place.country == "BE", Place.is_alias.is_(False)) == 2781
    assert count(Place, Place.country == "FR") == 38069
    assert count(Place, Place.is_alias.is_(True)) == 36 + 59


def test_import_maps_tags_and_reports_skipped_rows(ctx, tmp_path):
    path = write_csv(
        tmp_path / "shops.csv",
        "Fleurs du Parc,florist,Rue du Parc 2,6700,Arlon,49.6833,5.8167,,shop=florist",
        "Banque X,bank,,6700,Arlon,49.68,5.81,,amenity=bank",
        "Nulle Part,bakery,,6700,Atlantis,10.0,10.0,,shop=bakery",
        "Sans Coordonnées,bakery,,6700,Arlon,abc,,,shop=bakery",
    )
    report = import_shops(path, load_category_map(CATEGORY_MAP))
    assert (report.created, len(report.skipped)) == (1, 3)
    reasons = dict(report.skipped)
    assert "amenity=bank" in reasons[3]
    assert "lat/lon" in reasons[5]
    shop = db.session.scalar(select(Shop).where(Shop.name == "Fleurs du Parc"))
    assert shop.category.slug == "fleuriste"
    assert (shop.town, shop.town_slug) == ("Arlon", "arlon-be")


def test_import_twice_creates_no_duplicates(ctx, tmp_path):
    path = write_csv(
        tmp_path / "shops.csv",
        "Aldi,supermarket,,6700,Arlon,49.680237,5.804016,,shop=supermarket",
        "Aldi,supermarket,,6700,Arlon,49.690000,5.820000,,shop=supermarket",
    )
    tags = load_category_map(CATEGORY_MAP)
    first = import_shops(path, tags)
    second = import_shops(path, tags)
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    assert count(Shop, Shop.name == "Aldi") == 2


def test_reimport_updates_a_changed_row(ctx, tmp_path):
    tags = load_category_map(CATEGORY_MAP)
    row = "Le Fournil,bakery,{},6700,Arlon,49.6833,5.8167,,shop=bakery"
    import_shops(write_csv(tmp_path / "a.csv", row.format("Grand-Rue 1")), tags)
    report = import_shops(write_csv(tmp_path / "b.csv", row.format("Grand-Rue 9")), tags)
    assert report.updated == 1
    assert db.session.scalar(select(Shop.address).where(Shop.name == "Le Fournil")) == "Grand-Rue 9"


def test_village_missing_from_gazetteer_is_accepted_near_its_postcode(ctx, tmp_path):
    path = write_csv(
        tmp_path / "shops.csv",
        "Boulangerie Jacob,bakery,Grand-Rue 46,6724,Marbehan,49.724218,5.535721,,shop=bakery",
    )
    report = import_shops(path, load_category_map(CATEGORY_MAP))
    assert report.created == 1
    assert (
        db.session.scalar(select(Shop.town).where(Shop.name == "Boulangerie Jacob")) == "Marbehan"
    )


def test_import_command_reports_a_file_with_wrong_columns(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("nom,ville\nX,Y\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-shops", str(path)])
    assert result.exit_code != 0
    assert "missing columns" in result.output


def test_import_command_prints_a_summary(app):
    result = app.test_cli_runner().invoke(args=["import-shops", str(DEMO_SHOPS)])
    assert result.exit_code == 0, result.output
    assert "291 rows:" in result.output
    assert "skipped, category not in the directory: 'amenity=bank'" in result.output


def test_seed_is_idempotent_and_loads_the_demo(app):
    runner = app.test_cli_runner()
    first = runner.invoke(seed_command)
    assert first.exit_code == 0, first.output
    with app.app_context():
        shops, votes = count(Shop), count(Vote)
        demo_members = count(User, User.is_demo.is_(True))
    second = runner.invoke(seed_command)
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert (count(Shop), count(Vote)) == (shops, votes)
        assert count(Shop, Shop.is_demo.is_(True)) > 200
        # Six demo members and two demo merchants (seed_data/demo_merchants.json).
        assert demo_members == 8 and votes > 0


def test_demo_csv_has_the_documented_layout():
    with DEMO_SHOPS.open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == COLUMNS


def test_short_rows_and_impossible_coordinates_are_skipped_not_fatal(ctx, tmp_path):
    path = write_csv(
        tmp_path / "shops.csv",
        "Trop Court,florist,Rue 1,6700,Arlon,49.68,5.81",
        "Pas Un Nombre,florist,,6700,Arlon,nan,5.81,,shop=florist",
        "Infini,florist,,6700,Arlon,inf,5.81,,shop=florist",
        "Hors Carte,florist,,6700,Arlon,123.0,5.81,,shop=florist",
        "Trop Long,florist,,6700,Arlon,49.6833,5.8167,,shop=florist,en trop",
        "Fleurs du Parc,florist,,6700,Arlon,49.6833,5.8167,,shop=florist",
    )
    report = import_shops(path, load_category_map(CATEGORY_MAP))
    # Missing trailing columns are empty (the tag falls back on the category), extra ones ignored.
    assert report.created == 3
    assert [line for line, _reason in report.skipped] == [3, 4, 5]
    assert "out of range" in dict(report.skipped)[3]


def test_import_command_survives_a_file_with_short_rows(app, tmp_path):
    path = write_csv(tmp_path / "shops.csv", "Trop Court,florist")
    result = app.test_cli_runner().invoke(args=["import-shops", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 skipped" in result.output


def test_renaming_a_category_queues_its_shops_for_the_index(app, make_shop, tmp_path):
    from directory.search.models import SearchOutbox

    shop = make_shop(category="fleuriste")
    seed = tmp_path / "seed"
    seed.mkdir()
    text = (SEED_DIR / "categories.csv").read_text(encoding="utf-8")
    (seed / "categories.csv").write_text(text.replace(",Bloemist,", ",Bloemenwinkel,"), "utf-8")
    with app.app_context():
        db.session.execute(db.delete(SearchOutbox))
        assert load_categories(seed) == 1
        db.session.commit()
        queued = list(db.session.scalars(select(SearchOutbox.shop_id)))
    assert queued == [shop.id]


def test_seed_if_empty_loads_an_empty_database_once(app):
    runner = app.test_cli_runner()
    with app.app_context():
        db.session.execute(db.delete(Category))
        db.session.commit()
    first = runner.invoke(args=["seed", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "Demo data" in first.output
    second = runner.invoke(args=["seed", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "already seeded" in second.output
    assert "Demo data" not in second.output


def test_seed_if_empty_brings_the_category_vocabulary_of_an_older_install(app):
    """An install seeded before the product vocabulary existed gets it on its next
    `make run` (``seed --if-empty``), and its shops follow in the index."""
    from directory.search.models import SearchOutbox

    runner = app.test_cli_runner()
    with app.app_context():
        db.session.execute(db.update(Category).values(vocabulary=""))
        db.session.execute(db.delete(SearchOutbox))
        db.session.commit()
    result = runner.invoke(args=["seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "already seeded" in result.output and "updated from the seed files" in result.output
    with app.app_context():
        florist = db.session.scalar(select(Category).where(Category.slug == "fleuriste"))
        assert "bloemen" in florist.vocabulary_terms
