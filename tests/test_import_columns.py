"""The importer's optional practical columns and directory category slugs (the layout of
``/export/shops.csv``), checked as the shop form checks them."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.seeding.cli import CATEGORY_MAP
from directory.seeding.importer import COLUMNS, PRACTICAL_COLUMNS, import_shops, load_category_map
from directory.shops.models import Shop

HEADER = (*COLUMNS, *PRACTICAL_COLUMNS, "id", "url")
BASE = {
    "name": "Fournil de la Gare",
    "category": "boulangerie",
    "address": "Rue de la Gare 3",
    "postcode": "6700",
    "town": "Arlon",
    "lat": "49.68312345678901",
    "lon": "5.81234567890123",
    "website": "",
    "source_tag": "",
    "services": "takeaway delivery",
    "delivery_radius_km": "12",
    "eshop_url": "",
    "phone": "063 21 00 00",
    "opening_hours": "Tu-Sa 07:00-18:30; PH off",
    "description": "Pain au levain.",
    "id": "17",
    "url": "https://elsewhere.example/shops/17",
}


def write(path, *rows: dict, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**BASE, **row})
    return path


def run(path):
    return import_shops(path, load_category_map(CATEGORY_MAP))


def test_practical_columns_and_a_category_slug_are_read(ctx, tmp_path):
    report = run(write(tmp_path / "shops.csv", {"eshop_url": "fournil.example/boutique"}))
    assert (report.created, report.skipped) == (1, [])
    shop = db.session.scalar(select(Shop).where(Shop.name == "Fournil de la Gare"))
    assert shop.category.slug == "boulangerie"
    assert (shop.lat, shop.lon) == (49.68312345678901, 5.81234567890123)
    assert shop.services == ["takeaway", "delivery", "eshop"]
    assert shop.delivery_radius_km == 12
    assert shop.eshop_url == "https://fournil.example/boutique"
    assert (shop.phone, shop.description) == ("063 21 00 00", "Pain au levain.")
    assert shop.opening_hours == "Tu-Sa 07:00-18:30; PH off"


def test_a_known_tag_still_decides_the_category(ctx, tmp_path):
    run(write(tmp_path / "shops.csv", {"source_tag": "shop=florist"}))
    shop = db.session.scalar(select(Shop).where(Shop.name == "Fournil de la Gare"))
    assert shop.category.slug == "fleuriste"


def test_without_delivery_the_radius_is_dropped_as_on_the_form(ctx, tmp_path):
    run(write(tmp_path / "shops.csv", {"services": "click_collect", "delivery_radius_km": "12"}))
    shop = db.session.scalar(select(Shop).where(Shop.name == "Fournil de la Gare"))
    assert (shop.services, shop.delivery_radius_km) == (["click_collect"], None)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"category": "pas-une-categorie"}, "category not in the directory"),
        ({"services": "takeaway teleportation"}, "(services)"),
        ({"delivery_radius_km": ""}, "(delivery_radius_km)"),
        ({"delivery_radius_km": "999"}, "(delivery_radius_km)"),
        ({"delivery_radius_km": "douze"}, "(delivery_radius_km)"),
        ({"opening_hours": "tous les jours sauf lundi"}, "(opening_hours)"),
        ({"phone": "appelez-nous"}, "(phone)"),
        ({"eshop_url": "javascript:alert(1)"}, "(eshop_url)"),
        ({"description": "x" * 1001}, "(description)"),
    ],
)
def test_a_bad_optional_value_skips_its_row_with_the_reason(ctx, tmp_path, values, field):
    good = {"name": "Fleurs du Parc", "category": "fleuriste", "services": ""}
    report = run(write(tmp_path / "shops.csv", {**values}, good))
    assert report.created == 1
    [(line, reason)] = report.skipped
    assert line == 2 and field in reason
    assert db.session.scalar(select(Shop.name)) == "Fleurs du Parc"


def test_a_file_without_the_practical_columns_leaves_them_alone(ctx, tmp_path):
    run(write(tmp_path / "full.csv", {}))
    # The OSM layout: the same shop again, its practical information not in the file.
    report = run(write(tmp_path / "osm.csv", {"source_tag": ""}, header=COLUMNS))
    shop = db.session.scalar(select(Shop).where(Shop.name == "Fournil de la Gare"))
    assert report.unchanged + report.updated == 1
    assert shop.delivery_radius_km == 12 and shop.opening_hours == "Tu-Sa 07:00-18:30; PH off"
    # As before the practical columns: in the OSM layout, takeaway follows the tag.
    assert shop.takeaway is False
