"""GET /feeds/shops.atom: the Atom 1.0 feed of a search's newest shops.

Every feed is checked against RFC 4287's own RELAX NG schema (tests/data/atom.rng) and the
Schematron rules embedded in it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import update

from directory.extensions import db
from directory.feeds.services import MAX_ENTRIES
from directory.moderation.actions import hide_shop
from directory.opendata.licences import SHOPS_LICENCE
from directory.search.bridge import drain, get_index, reindex
from directory.shops.models import Shop

ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM}
SCHEMA_DOCUMENT = etree.parse(str(Path(__file__).parent / "data" / "atom.rng"))
SCHEMA = etree.RelaxNG(SCHEMA_DOCUMENT)
# (context, [tests]) of the schema's Schematron rules, which RELAX NG itself leaves aside.
RULES = [
    (rule.get("context"), [check.get("test") for check in rule])
    for rule in SCHEMA_DOCUMENT.iter("{http://www.ascc.net/xml/schematron}rule")
]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
SHOP_ID = re.compile(r"/shops/(\d+)$")
FEED = "/feeds/shops.atom"


def valid_feed(response) -> etree._Element:
    """The feed's root, once it is checked to be a valid Atom 1.0 feed document."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    root = etree.fromstring(response.get_data())
    SCHEMA.assertValid(root)
    tree = root.getroottree()
    for context, tests in RULES:
        for node in tree.xpath(f"//{context}", namespaces=NS):
            for test in tests:
                assert node.xpath(f"boolean({test})", namespaces=NS), (context, test)
    for moment in root.iter(f"{{{ATOM}}}updated", f"{{{ATOM}}}published"):
        assert RFC3339.match(moment.text), moment.text  # xsd:dateTime allows no zone
    ids = [entry.findtext("atom:id", namespaces=NS) for entry in entries(root)]
    assert len(ids) == len(set(ids))
    return root


def entries(root) -> list:
    return root.findall("atom:entry", NS)


def shop_ids(root) -> list[int]:
    """The shops of the feed, in its order (entry ids are the shops' slug-less URLs)."""
    return [
        int(SHOP_ID.search(entry.findtext("atom:id", namespaces=NS)).group(1))
        for entry in entries(root)
    ]


def published(root) -> list[datetime]:
    return [
        datetime.fromisoformat(entry.findtext("atom:published", namespaces=NS))
        for entry in entries(root)
    ]


def link(root, rel: str) -> str:
    return root.find(f"atom:link[@rel='{rel}']", NS).get("href")


def api_ids(client, query: str) -> set[int]:
    """Every shop the search API finds for the same search, page after page."""
    found: set[int] = set()
    for page in range(1, 100):
        body = client.get(f"/api/v1/search?{query}&per_page=100&page={page}").get_json()
        found |= {result["id"] for result in body["results"]}
        if len(found) >= body["total"] or not body["results"]:
            return found
    raise AssertionError("too many pages")


@pytest.fixture(scope="module")
def demo(demo_module_app):
    return demo_module_app.test_client()


SEARCHES = [
    "q=boulangerie",
    "town=Arlon",
    "category=boulangerie&town=Arlon",
    "near=Arlon&radius_km=3",
    "delivers_to=Arlon",
    "near=Habay-la-Neuve&services=takeaway",
    "q=zzqxwvuty",  # nothing matches
]


@pytest.mark.parametrize("query", SEARCHES)
def test_feeds_of_searches_are_valid_atom_with_the_matching_shops_newest_first(demo, query):
    root = valid_feed(demo.get(f"{FEED}?{query}"))
    ids = shop_ids(root)
    expected = api_ids(demo, query)
    assert set(ids) <= expected
    assert len(ids) == min(len(expected), MAX_ENTRIES)
    moments = published(root)
    assert moments == sorted(moments, reverse=True)
    updated = root.findtext("atom:updated", namespaces=NS)
    if ids:
        assert all(m.tzinfo is not None for m in moments)
        newest = max(
            datetime.fromisoformat(e.findtext("atom:updated", namespaces=NS)) for e in entries(root)
        )
        assert datetime.fromisoformat(updated) == newest
    else:
        assert updated == "1970-01-01T00:00:00Z"


def test_the_demo_searches_are_not_all_empty(demo):
    # Otherwise the test above would prove little about entries.
    counts = [len(entries(valid_feed(demo.get(f"{FEED}?{query}")))) for query in SEARCHES]
    assert sum(1 for count in counts if count) >= 4
    assert counts[-1] == 0


def test_feed_metadata_links_and_licence(demo):
    response = demo.get(f"{FEED}?town=Arlon&category=boulangerie")
    root = valid_feed(response)
    title = root.findtext("atom:title", namespaces=NS)
    assert title == "Nouvelles adresses — boulangerie & pâtisserie à Arlon"
    canonical = "http://localhost/feeds/shops.atom?category=boulangerie&town=Arlon"
    assert root.findtext("atom:id", namespaces=NS) == canonical
    assert link(root, "self") == canonical
    alternate = root.find("atom:link[@rel='alternate']", NS)
    assert alternate.get("type") == "text/html"
    assert alternate.get("href") == (
        "http://localhost/search?category=boulangerie&town=Arlon&sort=new"
    )
    assert demo.get(alternate.get("href").removeprefix("http://localhost")).status_code == 200
    assert link(root, "license") == SHOPS_LICENCE.url
    rights = root.findtext("atom:rights", namespaces=NS)
    assert "Données sous licence" in rights and "ODbL" in rights and SHOPS_LICENCE.url in rights
    assert "OpenStreetMap" in rights
    assert root.findtext("atom:author/atom:name", namespaces=NS)
    entry = entries(root)[0]
    shop_url = link(entry, "alternate")
    assert shop_url.startswith("http://localhost/shops/")
    assert demo.get(shop_url.removeprefix("http://localhost")).status_code == 200
    category = entry.find("atom:category", NS)
    assert (category.get("term"), category.get("label")) == (
        "boulangerie",
        "Boulangerie & pâtisserie",
    )
    assert "Arlon" in entry.findtext("atom:summary", namespaces=NS)


def test_same_search_written_differently_is_the_same_feed(demo):
    one = valid_feed(demo.get(f"{FEED}?services=takeaway&services=delivery&town=Arlon&x=1"))
    other = valid_feed(demo.get(f"{FEED}?town=+Arlon+&services=delivery,takeaway&sort=votes"))
    assert root_id(one) == root_id(other)
    assert root_id(one).endswith("?services=delivery%2Ctakeaway&town=Arlon")


def root_id(root) -> str:
    return root.findtext("atom:id", namespaces=NS)


def test_caching_headers_and_conditional_get(demo):
    response = demo.get(f"{FEED}?town=Arlon")
    assert response.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    again = demo.get(f"{FEED}?town=Arlon", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=Arlon&radius_km=abc", "radius_km"),
        ("near=Arlon&radius_km=0", "radius_km"),
        ("near=Arlon&radius_km=9999", "radius_km"),
        ("radius_km=5", "radius_km"),
        ("near=Zzyzxville-sur-Mer", "near"),
        ("near=91,500", "near"),
        ("delivers_to=Zzyzxville-sur-Mer", "delivers_to"),
        ("category=pas-une-categorie", "category"),
        ("services=teleportation", "services"),
        ("q=" + "x" * 400, "q"),
    ],
)
def test_bad_parameters_answer_400_naming_the_field(demo, query, field):
    response = demo.get(f"{FEED}?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field
    assert error["message"]


def test_hostile_search_text_gives_a_valid_feed(demo):
    root = valid_feed(demo.get(FEED + "?q=%3Cb%3E%26%22%00%0B%EF%BF%BE"))
    assert '<b>&"' in root.findtext("atom:title", namespaces=NS)


def test_search_page_links_to_its_feed(demo):
    page = demo.get("/search?town=Arlon&category=boulangerie").get_data(as_text=True)
    feed = "/feeds/shops.atom?category=boulangerie&amp;town=Arlon"
    head = page.split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml"' in head and feed in head
    body = page.split("</head>")[1]
    assert "Suivre cette recherche (Atom)" in body and feed in body
    # A search that cannot run has no feed to follow.
    broken = demo.get("/search?category=pas-une-categorie").get_data(as_text=True)
    assert "application/atom+xml" not in broken


# Changes on a small directory of its own (function-scoped: these tests write).


@pytest.fixture
def arlon_shops(app, make_shop):
    """Three shops in Arlon published a day apart (oldest first), and one in Habay."""
    shops = [
        make_shop(name=name, category=category)
        for name, category in (
            ("Le Fournil", "boulangerie"),
            ("Au jardin d'Anna", "fleuriste"),
            ("Bijoux Lumière", "bijouterie"),
        )
    ]
    elsewhere = make_shop(name="Fournil de Habay", postcode="6720", town="Habay-la-Neuve")
    with app.app_context():
        start = datetime(2026, 1, 1, 8, 0)
        for age, shop in enumerate(reversed(shops)):
            moment = start - timedelta(days=age)
            db.session.execute(
                update(Shop)
                .where(Shop.id == shop.id)
                .values(created_at=moment, published_at=moment, updated_at=moment)
            )
        db.session.commit()
        reindex(app)
    return [shop.id for shop in shops], elsewhere.id


def test_a_new_shop_posted_comes_first(app, browser, arlon_shops, make_shop):
    ids, elsewhere = arlon_shops
    root = valid_feed(browser.get(f"{FEED}?town=Arlon"))
    assert shop_ids(root) == ids[::-1]
    assert elsewhere not in shop_ids(root)
    newest = make_shop(name="Fromagerie du Marché", category="fromagerie")
    with app.app_context():
        drain(get_index(app))
    root = valid_feed(browser.get(f"{FEED}?town=Arlon"))
    assert shop_ids(root) == [newest.id, *ids[::-1]]
    assert entries(root)[0].findtext("atom:title", namespaces=NS) == "Fromagerie du Marché"
    assert root.findtext("atom:updated", namespaces=NS) == entries(root)[0].findtext(
        "atom:updated", namespaces=NS
    )


def test_hidden_and_pending_shops_are_not_in_the_feed(
    app, browser, arlon_shops, make_shop, make_user, moderator
):
    ids, _elsewhere = arlon_shops
    pending = make_shop(
        author=make_user(trusted=False), name="Caviste en attente", category="caviste"
    )
    with app.app_context():
        hide_shop(db.session.get(type(moderator), moderator.id), ids[0], "doublon")
        db.session.commit()
        drain(get_index(app))
    found = shop_ids(valid_feed(browser.get(f"{FEED}?town=Arlon")))
    assert ids[0] not in found and pending.id not in found
    assert found == ids[:0:-1]


def test_a_shop_hidden_but_still_in_the_index_is_left_out(app, browser, arlon_shops):
    ids, _elsewhere = arlon_shops
    with app.app_context():  # the index is not told: the database has the last word
        db.session.execute(update(Shop).where(Shop.id == ids[1]).values(status="hidden"))
        db.session.commit()
    assert ids[1] not in shop_ids(valid_feed(browser.get(f"{FEED}?town=Arlon")))


def test_hostile_shop_names_and_descriptions_stay_well_formed(app, browser, make_shop):
    shop = make_shop(name='Chez "Lulu" & fils <3', description="Tout à 5 € & <3 ]]> fin")
    with app.app_context():
        drain(get_index(app))
    before = valid_feed(browser.get(f"{FEED}?town=Arlon"))
    assert entries(before)[0].findtext("atom:title", namespaces=NS) == 'Chez "Lulu" & fils <3'
    # U+0001 rather than NUL, which PostgreSQL refuses to store (and the forms refuse).
    with app.app_context():  # markup and characters XML cannot carry, as an import might hold
        db.session.execute(
            update(Shop)
            .where(Shop.id == shop.id)
            .values(name="<b>&\"'</b>", description="un\x0bdeux\x01 ]]> fin")
        )
        db.session.commit()
        reindex(app)
    root = valid_feed(browser.get(f"{FEED}?town=Arlon"))
    (entry,) = entries(root)
    assert entry.findtext("atom:title", namespaces=NS) == "<b>&\"'</b>"
    summary = entry.findtext("atom:summary", namespaces=NS)
    assert summary.endswith("— un deux ]]> fin")  # the vertical tab is a space, U+0001 is dropped


def test_empty_directory_gives_a_valid_empty_feed(browser):
    root = valid_feed(browser.get(FEED))
    assert entries(root) == []
    assert root.findtext("atom:title", namespaces=NS) == "Nouvelles adresses — Bonnes Adresses"


def test_the_feed_starts_no_session(browser):
    # Public caches keep the answer: it must carry no cookie (Flask-Login's after_request
    # still reads the session on every answer, hence "Vary: Cookie").
    response = browser.get(f"{FEED}?town=Arlon")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_a_place_read_in_the_words_or_a_region_names_the_feed(demo):
    """ "boulangerie arlon" is bakeries in Arlon: the title says where, not « boulangerie
    arlon »; a region filter is named too."""
    words = valid_feed(demo.get(f"{FEED}?q=boulangerie+arlon"))
    assert words.findtext("atom:title", namespaces=NS) == (
        "Nouvelles adresses — « boulangerie » à arlon"
    )
    region = valid_feed(demo.get(f"{FEED}?category=boulangerie&region=Luxembourg"))
    assert region.findtext("atom:title", namespaces=NS) == (
        "Nouvelles adresses — boulangerie & pâtisserie à Luxembourg"
    )
