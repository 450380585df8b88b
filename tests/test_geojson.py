"""GET /api/v1/shops.geojson (the map's markers) and the bbox filter of every search."""

from urllib.parse import parse_qs, urlsplit

import pytest

from directory.search.bridge import drain, get_index


@pytest.fixture
def shops(app, make_shop):
    """A florist and a bakery in Arlon, a bakery in Habay (about 15 km west), one in Limoges."""
    made = {
        "florist": make_shop(
            name="Au jardin d'Anna",
            category="fleuriste",
            description="Bouquets de saison.",
            click_collect=True,
        ),
        "arlon_bakery": make_shop(
            name="Le Fournil d'Arlon", category="boulangerie", description="Pain au levain."
        ),
        "habay_bakery": make_shop(
            name="Boulangerie Jacob",
            category="boulangerie",
            postcode="6720",
            town="Habay-la-Neuve",
            description="Pralines maison.",
        ),
        "limoges": make_shop(
            name="Bijouterie Limousine",
            category="bijouterie",
            postcode="87000",
            town="Limoges",
            country="FR",
        ),
    }
    with app.app_context():
        drain(get_index(app))
    return made


def geojson(browser, query: str = ""):
    response = browser.get(f"/api/v1/shops.geojson?{query}")
    return response, response.get_json(force=True)


def ids(body) -> set[int]:
    return {feature["id"] for feature in body["features"]}


def box_around(*shops, margin: float = 0.01) -> str:
    """``minlon,minlat,maxlon,maxlat`` just enclosing the shops."""
    lons = [s.lon for s in shops]
    lats = [s.lat for s in shops]
    return f"{min(lons) - margin},{min(lats) - margin},{max(lons) + margin},{max(lats) + margin}"


# --- Shape ---------------------------------------------------------------------------------


def test_a_feature_collection_of_points_in_lon_lat_order(browser, shops):
    response, body = geojson(browser, "q=fleuriste")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert (body["total"], body["page"], body["per_page"], body["next"]) == (1, 1, 500, None)
    (feature,) = body["features"]
    florist = shops["florist"]
    assert feature["type"] == "Feature"
    assert feature["id"] == florist.id
    assert feature["geometry"] == {"type": "Point", "coordinates": [florist.lon, florist.lat]}
    # Arlon is at 49.68 N, 5.82 E: longitude first, as RFC 7946 wants.
    lon, lat = feature["geometry"]["coordinates"]
    assert 5.7 < lon < 5.9 and 49.6 < lat < 49.8
    properties = feature["properties"]
    assert properties == {
        "id": florist.id,
        "name": "Au jardin d'Anna",
        "category": {"slug": "fleuriste", "name": "Fleuriste"},
        "url": f"http://localhost/shops/{florist.id}-{florist.slug}",
        "town": "Arlon",
        "votes": 0,
        "distance_km": None,
        "delivery_radius_km": None,
    }
    (result,) = browser.get("/api/v1/search?q=fleuriste").get_json()["results"]
    assert properties["url"] == result["url"]


def test_distances_come_with_near(browser, shops):
    _, body = geojson(browser, "near=Arlon&radius_km=30")
    distances = {f["id"]: f["properties"]["distance_km"] for f in body["features"]}
    assert set(distances) == {s.id for k, s in shops.items() if k != "limoges"}
    assert distances[shops["florist"].id] < 1
    assert 10 < distances[shops["habay_bakery"].id] < 20


# --- The search's filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=boulangerie",
        "category=boulangerie",
        "services=click_collect",
        "near=Arlon",
        "near=Arlon&radius_km=30&sort=distance",
        "town=Limoges",
        "q=pain&category=boulangerie",
    ],
)
def test_the_same_shops_as_the_search_api(browser, shops, query):
    search = browser.get(f"/api/v1/search?{query}&per_page=100").get_json()
    _, body = geojson(browser, query)
    assert ids(body) == {r["id"] for r in search["results"]}
    assert body["total"] == search["total"]


def test_filters_narrow_the_markers(browser, shops):
    assert ids(geojson(browser, "q=boulangerie")[1]) == {
        shops["arlon_bakery"].id,
        shops["habay_bakery"].id,
    }
    assert ids(geojson(browser, "services=click_collect")[1]) == {shops["florist"].id}
    assert shops["limoges"].id not in ids(geojson(browser, "near=Arlon&radius_km=50")[1])


# --- bbox ----------------------------------------------------------------------------------


def test_bbox_keeps_the_shops_inside(browser, shops):
    around_arlon = box_around(shops["florist"], shops["arlon_bakery"])
    _, body = geojson(browser, f"bbox={around_arlon}")
    assert ids(body) == {shops["florist"].id, shops["arlon_bakery"].id}
    _, body = geojson(browser, f"q=boulangerie&bbox={box_around(shops['habay_bakery'])}")
    assert ids(body) == {shops["habay_bakery"].id}


def test_bbox_filters_the_search_api_and_the_search_page(browser, shops):
    around_limoges = box_around(shops["limoges"])
    found = browser.get(f"/api/v1/search?bbox={around_limoges}").get_json()
    assert [r["id"] for r in found["results"]] == [shops["limoges"].id]
    page = browser.get(f"/search?bbox={around_limoges}").get_data(as_text=True)
    assert "Bijouterie Limousine" in page and "Boulangerie Jacob" not in page


def test_with_bbox_near_measures_distances_without_the_default_radius(browser, shops):
    # Habay is beyond the 10 km a bare near allows, but inside the map's area.
    area = box_around(shops["florist"], shops["habay_bakery"])
    _, body = geojson(browser, f"near=Arlon&bbox={area}")
    assert shops["habay_bakery"].id in ids(body)
    assert all(f["properties"]["distance_km"] is not None for f in body["features"])
    # An explicit radius still applies.
    _, body = geojson(browser, f"near=Arlon&radius_km=5&bbox={area}")
    assert shops["habay_bakery"].id not in ids(body)


def test_the_search_page_shows_the_map_area_as_a_removable_chip(browser, shops):
    area = box_around(shops["limoges"])
    page = browser.get(f"/search?q=bijoux&bbox={area}&page=1").get_data(as_text=True)
    assert "Zone de la carte" in page
    assert 'class="filter-chip" href="/search?q=bijoux&amp;page=1"' in page
    # Pages and facets keep the area.
    assert "bbox=" + area.replace(",", "%2C") in page
    assert "Zone de la carte" not in browser.get("/search?q=bijoux").get_data(as_text=True)


def test_the_search_page_map_asks_for_the_whole_search(browser, shops):
    page = browser.get("/search?q=boulangerie&near=Arlon&page=2&per_page=1").get_data(as_text=True)
    assert 'data-geojson="/api/v1/shops.geojson?q=boulangerie&amp;near=Arlon"' in page


# --- Pages and the cap ---------------------------------------------------------------------


def test_pages_follow_next_links_until_every_shop_is_seen(browser, shops):
    _, body = geojson(browser, "per_page=1")
    seen = []
    while True:
        assert body["per_page"] == 1 and len(body["features"]) == 1
        seen.extend(ids(body))
        if body["next"] is None:
            break
        link = urlsplit(body["next"])
        # Relative: a Host header cannot send the map's next request elsewhere.
        assert not link.scheme and not link.netloc and link.path == "/api/v1/shops.geojson"
        assert parse_qs(link.query)["per_page"] == ["1"]
        _, body = geojson(browser, link.query)
    assert sorted(seen) == sorted(s.id for s in shops.values())
    assert body["page"] == body["total"] == 4


def test_next_keeps_the_filters(browser, shops):
    _, body = geojson(browser, "q=boulangerie&per_page=1")
    assert parse_qs(urlsplit(body["next"]).query) == {
        "q": ["boulangerie"],
        "per_page": ["1"],
        "page": ["2"],
    }


def test_the_map_page_goes_beyond_the_list_limit_up_to_its_cap(browser, shops):
    response, body = geojson(browser, "per_page=1000")
    assert response.status_code == 200 and body["per_page"] == 1000
    assert browser.get("/api/v1/search?per_page=1000").status_code == 400
    response, body = geojson(browser, "per_page=1001")
    assert response.status_code == 400 and body["error"]["field"] == "per_page"


def test_a_page_past_the_end_is_empty(browser, shops):
    _, body = geojson(browser, "page=5")
    assert body["features"] == [] and body["total"] == 4 and body["next"] is None


# --- Bad input: always a 4xx JSON error naming the field ----------------------------------


BAD_BBOXES = [
    "1,2,3",
    "1,2,3,4,5",
    "a,b,c,d",
    "5.9,49.6,5.8,49.7",  # min_lon > max_lon
    "5.8,49.7,5.9,49.6",  # min_lat > max_lat
    "5.8,49.6,5.8,49.7",  # no width
    "-181,49.6,5.9,49.7",
    "5.8,49.6,181,49.7",
    "5.8,-91,5.9,49.7",
    "5.8,49.6,5.9,91",
    "nan,49.6,5.9,49.7",
    "5.8,49.6,inf,49.7",
    "1e999,0,2,1",
    ",,,",
    "5.8;49.6;5.9;49.7",
    "1" * 300,
]


@pytest.mark.parametrize("bbox", BAD_BBOXES)
@pytest.mark.parametrize("route", ["/api/v1/shops.geojson", "/api/v1/search"])
def test_a_bad_bbox_is_a_400_naming_bbox(browser, shops, route, bbox):
    response = browser.get(route, query_string={"bbox": bbox})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["field"] == "bbox"


def test_a_bad_bbox_on_the_search_page_is_shown_in_the_form(browser, shops):
    response = browser.get("/search?q=pain&bbox=1,2,3")
    assert response.status_code == 400
    assert "La zone (bbox) doit être quatre nombres" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=abc", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("sort=price", "sort"),
        ("sort=distance", "sort"),
        ("radius_km=5", "radius_km"),
        ("near=Arlon&radius_km=-1", "radius_km"),
        ("services=parking", "services"),
        ("category=nope", "category"),
        ("q=" + "x" * 301, "q"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(browser, shops, query, field):
    response, body = geojson(browser, query)
    assert response.status_code == 400
    assert body["error"]["field"] == field
    assert body["error"]["message"]
