"""``/embed``, the frame a town's website pastes, and ``/embed/new``, the page giving its code:
framing allowed on the frame only, the search's shops best first, bad parameters shown in
the frame (400), and a snippet whose ``<iframe src>`` survives escaping."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from directory.embed.services import EMBED_LIMIT
from directory.extensions import db
from directory.places.towns import resolve_town
from directory.shops.models import Category, Shop, ShopStatus


class Page(HTMLParser):
    """The parts of an embed or snippet page the tests read."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[dict] = []  # the list's shops: name, votes (hidden text)
        self.links: list[dict[str, str | None]] = []
        self.iframes: list[dict[str, str | None]] = []
        self.textarea = ""
        self.html_lang = None
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "li" and "data-shop-id" in attrs:
            self.items.append({"id": int(attrs["data-shop-id"]), "name": "", "votes": None})
        elif tag == "a":
            self.links.append(attrs)
            if "embed-name" in (attrs.get("class") or ""):
                self._in = "name"
        elif tag == "span" and attrs.get("aria-hidden") == "true" and self.items:
            self._in = "votes"
        elif tag == "iframe":
            self.iframes.append(attrs)
        elif tag == "textarea":
            self._in = "textarea"

    def handle_endtag(self, tag):
        if tag in ("a", "span", "textarea"):
            self._in = None

    def handle_data(self, data):
        if self._in == "name":
            self.items[-1]["name"] += data
        elif self._in == "votes" and self.items[-1]["votes"] is None:
            self.items[-1]["votes"] = int(data.strip("▲ \n"))
        elif self._in == "textarea":
            self.textarea += data


@pytest.fixture
def client(demo_module_app):
    """A new visitor (no language cookie) of the seeded demo (251 shops of Arlon, Habay and
    Tintigny), its index built once for the module."""
    return demo_module_app.test_client()


@pytest.fixture(scope="module")
def arlon(demo_module_app):
    """The visible shops of the commune of Arlon by category slug: ``{slug: {id: votes}}``."""
    with demo_module_app.app_context():
        towns = resolve_town("Arlon")
        rows = db.session.execute(
            select(Category.slug, Shop.id, Shop.vote_count)
            .join(Shop.category)
            .where(Shop.status == ShopStatus.VISIBLE.value)
            # The town filter's keys are the commune's localities and its postcodes.
            .where(Shop.town.in_(towns) | Shop.postcode.in_(towns))
        )
        shops: dict[str, dict[int, int]] = {}
        for slug, shop_id, votes in rows:
            shops.setdefault(slug, {})[shop_id] = votes
        db.session.remove()
    return shops


def get(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    response.close()
    return response


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


# --- Framing: /embed only ----------------------------------------------------------------------


def test_the_embed_may_be_framed_by_any_site(client):
    response = get(client, "/embed?town=Arlon")
    assert response.status_code == 200
    policy = csp(response)
    assert policy["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in response.headers
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"


def test_the_embed_error_page_may_be_framed_too(client):
    response = get(client, "/embed?category=nope")
    assert response.status_code == 400
    assert csp(response)["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in response.headers


@pytest.mark.parametrize(
    "url", ["/embed/new?town=Arlon", "/embed/nothing", "/", "/search?town=Arlon", "/api/v1/search"]
)
def test_pages_around_the_embed_still_refuse_framing(client, url):
    response = get(client, url)
    assert csp(response)["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_other_view_is_marked_framable(demo_module_app):
    """The headers follow the view's mark (directory/security.py): one view has it."""
    marked = {
        endpoint
        for endpoint, view in demo_module_app.view_functions.items()
        if getattr(view, "allow_framing", False)
    }
    assert marked == {"embed.embed"}


# --- The list ----------------------------------------------------------------------------------


def test_the_embed_lists_a_towns_category_best_first(client, arlon):
    # The category with most shops in Arlon, whatever the demo data holds.
    slug, shops = max(arlon.items(), key=lambda item: len(item[1]))
    assert len(shops) > 1
    response = get(client, f"/embed?town=Arlon&category={slug}")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    listed = [item["id"] for item in page.items]
    assert len(listed) == min(len(shops), EMBED_LIMIT)
    assert set(listed) <= set(shops)
    votes = [item["votes"] for item in page.items]
    assert votes == [shops[shop_id] for shop_id in listed]
    assert votes == sorted(votes, reverse=True)
    # Nothing better-liked was left out.
    assert min(votes) >= max((v for i, v in shops.items() if i not in listed), default=0)
    assert all(item["name"] for item in page.items)


def test_the_embed_shows_a_bounded_list_and_links_to_the_whole_search(client, arlon):
    total = sum(len(shops) for shops in arlon.values())
    assert total > EMBED_LIMIT  # the demo's Arlon is long enough to be cut
    response = get(client, "/embed?town=Arlon&per_page=100&page=3&utm_source=x")
    page = Page(response.get_data(as_text=True))
    assert len(page.items) == EMBED_LIMIT
    more = [link for link in page.links if (link.get("href") or "").startswith("/search?")]
    assert len(more) == 1
    query = parse_qs(urlsplit(more[0]["href"]).query)
    assert query == {"town": ["Arlon"], "sort": ["votes"]}
    assert "Voir toutes les adresses sur Bonnes Adresses" in response.get_data(as_text=True)


def test_every_link_of_the_embed_opens_a_new_tab(client):
    page = Page(get(client, "/embed?town=Arlon").get_data(as_text=True))
    assert len(page.links) > EMBED_LIMIT  # the shops, the site, the search, the data licence
    for link in page.links:
        assert link.get("target") == "_blank", link
        assert "noopener" in (link.get("rel") or ""), link


def test_the_embed_is_a_page_of_its_own_with_a_map_and_the_data_licence(client):
    html = get(client, "/embed?town=Arlon").get_data(as_text=True)
    assert "<nav" not in html  # not the site's chrome
    assert 'id="embed-map"' in html and "data-tile-url=" in html
    assert "/static/embed.js" in html and "/static/vendor/leaflet/leaflet.js" in html
    assert "OpenStreetMap" in html and "ODbL" in html
    assert 'name="robots" content="noindex"' in html


def test_the_embed_speaks_the_visitors_language(client):
    english = get(client, "/embed?town=Arlon", headers={"Accept-Language": "en"})
    assert Page(english.get_data(as_text=True)).html_lang == "en"
    dutch = get(client, "/embed?town=Arlon&lang=nl")
    assert Page(dutch.get_data(as_text=True)).html_lang == "nl"


def test_an_embed_with_no_match_says_so(client):
    response = get(client, "/embed?town=Arlon&q=zzzqqxnothing")
    assert response.status_code == 200
    assert "Aucune adresse ne correspond" in response.get_data(as_text=True)
    assert "embed.js" not in response.get_data(as_text=True)


# --- Bad parameters: a message in the frame, never a 500 ---------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("category=nope", "Catégorie inconnue : nope."),
        ("town=Zzyzxqville", "Zzyzxqville"),
        ("radius_km=abc&near=Arlon", "Le rayon doit être un nombre de km."),
        ("sort=sideways", "Tri inconnu."),
        ("q=" + "x" * 400, "300 caractères au maximum."),
        ("category=%22%3E%3Cb%3Ebold", "Catégorie inconnue : &#34;&gt;&lt;b&gt;bold."),
    ],
)
def test_bad_parameters_give_a_message_in_the_frame(client, query, message):
    response = get(client, "/embed?" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and message in html
    assert "<b>" not in html
    assert Page(html).items == []


def test_the_error_message_is_translated(client):
    response = get(client, "/embed?category=nope&lang=en")
    assert response.status_code == 400
    assert "Unknown category: nope." in response.get_data(as_text=True)


# --- The snippet page --------------------------------------------------------------------------


def pasted_iframe(page: Page) -> dict[str, str | None]:
    """The ``<iframe>`` the webmaster would paste: the textarea's text, read as HTML."""
    assert "<iframe" in page.textarea
    frames = Page(page.textarea).iframes
    assert len(frames) == 1
    return frames[0]


def test_the_snippet_is_an_iframe_of_the_embed_with_the_chosen_parameters(client, arlon):
    slug = next(iter(arlon))
    response = get(client, f"/embed/new?town=Arlon&category={slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;iframe" in html  # shown as text, not as a frame
    frame = pasted_iframe(Page(html))
    src = urlsplit(frame["src"])
    assert (src.scheme, src.netloc, src.path) == ("http", "localhost", "/embed")
    assert parse_qs(src.query) == {"town": ["Arlon"], "category": [slug]}
    assert frame["title"] and "Arlon" in frame["title"]
    assert frame["loading"] == "lazy" and frame["height"] == "480"
    # The live preview frames the same embed, on this very site.
    previews = Page(html).iframes
    assert len(previews) == 1 and previews[0]["src"] == f"/embed?town=Arlon&category={slug}"


def test_the_snippet_uses_the_public_address(demo_module_app, client):
    demo_module_app.config["PUBLIC_URL"] = "https://bonnes-adresses.example"
    try:
        page = Page(get(client, "/embed/new?town=Arlon").get_data(as_text=True))
    finally:
        demo_module_app.config["PUBLIC_URL"] = None
    assert pasted_iframe(page)["src"] == "https://bonnes-adresses.example/embed?town=Arlon"


def test_a_town_with_an_apostrophe_survives_both_escapings(client):
    town = "Villers-l'Évêque"
    page = Page(get(client, "/embed/new", query_string={"town": town}).get_data(as_text=True))
    frame = pasted_iframe(page)
    assert parse_qs(urlsplit(frame["src"]).query) == {"town": [town]}
    assert town in frame["title"]


def test_the_snippet_page_without_a_choice_shows_the_form_only(client):
    response = get(client, "/embed/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="town"' in html and 'name="category"' in html
    assert "<textarea" not in html and "<iframe" not in html


def test_a_bad_choice_gives_no_snippet_and_says_why(client):
    response = get(client, "/embed/new?town=Arlon&category=%22%3E%3Cscript%3E")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Catégorie inconnue" in html
    assert "<textarea" not in html and "<script>" not in html


def test_every_category_is_offered(demo_module_app, client):
    with demo_module_app.app_context():
        count = db.session.scalar(select(func.count(Category.id)))
        db.session.remove()
    html = get(client, "/embed/new").get_data(as_text=True)
    assert html.count("<option value=") == count + 1  # and "Toutes"
