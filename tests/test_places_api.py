"""GET /api/v1/places: town and postcode autocomplete from the offline gazetteer."""

import pytest
from sqlalchemy import event

from directory.extensions import db
from directory.places.autocomplete import _successor


def places(browser, query: str, lang: str = "fr"):
    response = browser.get(f"/api/v1/places?{query}&lang={lang}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def labels(browser, query: str, lang: str = "fr") -> list[str]:
    return [place["label"] for place in places(browser, query, lang)]


def test_answer_has_the_documented_shape(browser):
    (first, *_rest) = places(browser, "q=arlon")
    assert first == {
        "name": "Arlon",
        "postcode": "6700",
        "country": "BE",
        "lat": pytest.approx(49.6833),
        "lon": pytest.approx(5.8167),
        "label": "Arlon (6700, BE)",
    }


@pytest.mark.parametrize("typed", ["liege", "LIÈGE", "Liège", "  liège "])
def test_accents_and_case_do_not_matter(browser, typed):
    assert labels(browser, f"q={typed}")[0] == "Liège (4000, BE)"


@pytest.mark.parametrize(
    ("typed", "lang", "expected"),
    [
        ("anvers", "fr", "Anvers (2000, BE)"),
        ("antwerpen", "fr", "Anvers (2000, BE)"),
        ("antwerpen", "nl", "Antwerpen (2000, BE)"),
        ("anvers", "nl", "Antwerpen (2000, BE)"),
        ("bruxelles", "fr", "Bruxelles (1000, BE)"),
        ("brussel", "fr", "Bruxelles (1000, BE)"),
        ("bruxelles", "nl", "Brussel (1000, BE)"),
        ("liege", "nl", "Luik (4000, BE)"),
        ("luik", "fr", "Liège (4000, BE)"),
        ("luik", "en", "Liège (4000, BE)"),
    ],
)
def test_french_and_dutch_names_shown_in_the_interface_language(browser, typed, lang, expected):
    assert labels(browser, f"q={typed}", lang)[0] == expected


def test_a_name_typed_in_both_languages_is_offered_once(browser):
    found = labels(browser, "q=an&limit=20")
    assert found.count("Anvers (2000, BE)") == 1
    assert not any(label.startswith("Antwerpen (2000") for label in found)


def test_postcode_prefixes(browser, make_shop):
    assert "Arlon (6700, BE)" in labels(browser, "q=67")
    assert labels(browser, "q=870")[0] == "Limoges (87000, FR)"  # before the villages of 8700
    assert all(p["postcode"].startswith("670") for p in places(browser, "q=670"))
    make_shop()  # in Arlon: a town with listed shops comes first
    assert labels(browser, "q=67")[0] == "Arlon (6700, BE)"


def test_exact_postcode_first_then_longer_ones(browser):
    found = places(browser, "q=6720")
    assert [p["postcode"] for p in found[:3]] == ["6720"] * 3
    assert {p["postcode"] for p in found[3:]} <= {f"6720{d}" for d in range(10)}


def test_name_prefixes_exact_name_first(browser):
    found = labels(browser, "q=hab")
    assert found[0] == "Habay (6720, BE)"
    assert {"Habay-La-Neuve (6720, BE)", "Habay-La-Vieille (6723, BE)"} <= set(found[:5])
    assert labels(browser, "q=habay")[0] == "Habay (6720, BE)"  # exact name first
    assert labels(browser, "q=arlon")[0] == "Arlon (6700, BE)"


def test_a_big_town_before_villages(browser):
    # Limoges spans three postcodes of its département: it outranks Limogne, Limogeanne...
    assert labels(browser, "q=limog")[0] == "Limoges (87000, FR)"
    # ... while each of the many French Saint-Martin is one village.
    assert labels(browser, "q=saint-martin")[0].startswith("Saint-Martin (")


def test_towns_with_listed_shops_come_first(browser, make_shop):
    assert labels(browser, "q=arl")[0] != "Arlon (6700, BE)"  # Arles is bigger
    make_shop()  # a bakery in Arlon
    assert labels(browser, "q=arl")[0] == "Arlon (6700, BE)"


def test_limit(browser):
    assert len(places(browser, "q=sa")) == 8
    assert len(places(browser, "q=sa&limit=20")) == 20
    assert len(places(browser, "q=sa&limit=3")) == 3


@pytest.mark.parametrize("typed", ["", "a", " a ", "-", "é"])
def test_too_short_answers_nothing(browser, typed):
    assert places(browser, f"q={typed}") == []


def test_unknown_answers_nothing(browser):
    assert places(browser, "q=zzqx") == []
    assert places(browser, "q=99999") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=" + "a" * 101, "q"),
        ("q=arl&limit=0", "limit"),
        ("q=arl&limit=21", "limit"),
        ("q=arl&limit=x", "limit"),
        ("q=arl&limit=-1", "limit"),
        ("q=arl&limit=%C2%B2", "limit"),  # a superscript two: a digit to isdigit, not to int
    ],
)
def test_bad_input_is_a_json_400_naming_the_field(browser, query, field):
    response = browser.get(f"/api/v1/places?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    assert response.get_json()["error"]["message"]


# SQLite's query plan: PostgreSQL's planner may rightly prefer a scan of a small test table.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_answers_from_indexed_queries(app, browser):
    """A few range queries on indexed columns, never a scan of the places table."""
    statements: list[tuple[str, tuple]] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, params, _context, _many):
        statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        places(browser, "q=hab")
        places(browser, "q=67")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    ranges = [
        (statement, params)
        for statement, params in statements
        if "places.name_key >=" in statement or "places.postcode >=" in statement
    ]
    assert ranges and len(statements) <= 12
    connection = engine.raw_connection()
    try:
        for statement, params in ranges:
            plan = " ".join(
                row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + statement, params)
            )
            assert "USING INDEX ix_places" in plan or "USING COVERING INDEX ix_places" in plan
            assert "SCAN places\n" not in plan + "\n", plan
    finally:
        connection.close()


def test_successor_bounds_every_key_with_the_prefix():
    assert _successor("hab") == "hac"
    assert _successor("haz") == "hb"
    assert _successor("paris 9") == "parit"
    assert _successor("zz") is None
    assert _successor("69") == "7"
