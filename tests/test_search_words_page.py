"""Issue 11 as a visitor sees it on the demo: words left out, a place read in the words, a
region chip; and a vocabulary file with a bad row failing loudly at seed time."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from directory.config import PROJECT_ROOT
from directory.seeding.categories import SeedFileError, read_vocabulary

SEED = PROJECT_ROOT / "seed_data"


def html(app, query: str) -> str:
    response = app.test_client().get(f"/search?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_says_which_words_were_left_out(demo_module_app):
    page = html(demo_module_app, "q=fleuriste+bastille")
    assert "sans « bastille »" in page
    assert "Fleuriste Michel" in page


def test_the_api_names_the_left_out_words_and_the_place(demo_module_app):
    client = demo_module_app.test_client()
    body = client.get("/api/v1/search?q=fleuriste+bastille").get_json()
    assert (body["ignored"], body["place"]) == (["bastille"], None)
    body = client.get("/api/v1/search?q=fleuriste+%C3%A0+Habay").get_json()
    assert (body["ignored"], body["place"]) == ([], "Habay")
    assert body["total"] and {r["postcode"][:3] for r in body["results"]} == {"672"}


def test_a_place_read_in_the_words_is_said_and_a_region_is_a_chip(demo_module_app):
    assert "Adresses à Habay." in html(demo_module_app, "q=fleuriste+%C3%A0+Habay")
    page = html(demo_module_app, "q=pharmacie&region=Luxembourg")
    assert 'class="filter-chip"' in page and "Luxembourg <span" in page


@pytest.mark.parametrize(
    ("query", "field"),
    [("region=nowhere", "region"), ("region=" + "x" * 81, "region"), ("region=6", "region")],
)
def test_a_bad_region_is_a_400_naming_the_field(demo_module_app, query, field):
    response = demo_module_app.test_client().get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "category_vocabulary.csv"
    path.write_text("\n".join(["slug,lang,terms", *rows]) + "\n", encoding="utf-8")
    return path


def full(slug: str = "fleuriste") -> list[str]:
    return [f"{slug},fr,bouquet;roses", f"{slug},nl,bloemen", f"{slug},en,flowers"]


def test_the_shipped_vocabulary_reads_in_file_order():
    with (SEED / "categories.csv").open(encoding="utf-8", newline="") as handle:
        slugs = {row["slug"] for row in csv.DictReader(handle)}
    vocabulary = read_vocabulary(SEED / "category_vocabulary.csv", slugs)
    assert set(vocabulary) == slugs
    assert "frituur" in vocabulary["restauration"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([*full(), "boulangerie,fr,pain"], "line 5: unknown category 'boulangerie'"),
        ([*full()[:2], "fleuriste,de,Blumen"], "line 4: language 'de'"),
        ([*full(), "fleuriste,fr,tulipes"], "line 5: fleuriste has a second fr row"),
        (full()[:2], "no row for fleuriste en"),
        (["fleuriste,fr,bouquet;;roses", *full()[1:]], "line 2: an empty term"),
        (["fleuriste,fr,roses;roses", *full()[1:]], "line 2: 'roses' is given twice"),
        (["fleuriste,fr," + "x" * 61, *full()[1:]], "line 2: 'xxxxxxxxxxxxxxxxxxxx'..."),
    ],
)
def test_a_bad_vocabulary_row_fails_with_its_line(tmp_path, rows, message):
    with pytest.raises(SeedFileError, match=message.replace("(", r"\(").replace(".", r"\.")):
        read_vocabulary(write(tmp_path, rows), {"fleuriste"})


def test_flask_seed_stops_on_a_bad_vocabulary_row(app, tmp_path, monkeypatch):
    seed = tmp_path / "seed"
    seed.mkdir()
    for source in SEED.iterdir():  # the gazetteer and the rest as shipped
        (seed / source.name).symlink_to(source)
    (seed / "category_vocabulary.csv").unlink()
    good = (SEED / "category_vocabulary.csv").read_text("utf-8")
    (seed / "category_vocabulary.csv").write_text(good.replace(";", ";;", 1), "utf-8")
    monkeypatch.setattr("directory.seeding.cli.SEED_DIR", seed)
    result = app.test_cli_runner().invoke(args=["seed", "--no-demo"])
    assert result.exit_code == 1
    assert "category_vocabulary.csv, line 2: an empty term" in result.output


def test_the_index_after_a_reindex_still_knows_the_gazetteer(app):
    from directory.search.bridge import get_index, reindex
    from directory.search.known_words import KnownWords

    with app.app_context():
        reindex(app)
        index = get_index(app)
        assert isinstance(index.known_words, KnownWords)
        assert "rulles" in index.known_words and "luxembourg" in index.known_words
