"""What search engines and link previews read (Open Graph, JSON-LD, canonical URLs, sitemap,
robots.txt), and the directions, phone and share links of a shop page."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from directory.extensions import db
from directory.seo.contact import directions_url, geo_uri, tel_href
from directory.seo.structured import json_ld
from directory.shops.models import Shop, ShopStatus

PUBLIC_URL = "https://bonnes-adresses.example"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def page_of(browser, shop, **kwargs) -> str:
    response = browser.get(f"/shops/{shop.id}-{shop.slug}", **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def head_of(page: str) -> str:
    return page.split("</head>", 1)[0]


def meta(page: str, name: str) -> str | None:
    """The content of ``<meta property=name>`` (or ``name=name``), entities decoded."""
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def link_href(page: str, rel: str) -> str | None:
    found = re.search(rf'<link rel="{rel}" href="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def json_ld_of(page: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def set_status(app, shop, status: ShopStatus) -> None:
    with app.app_context():
        db.session.get(Shop, shop.id).status = status.value
        db.session.commit()


@pytest.fixture
def full_shop(make_shop):
    """A visible shop with every contact detail filled in."""
    return make_shop(
        phone="063 22 33 44",
        website="https://boulangerie-arlon.example",
        eshop_url="https://commande.boulangerie-arlon.example",
    )


# --- Open Graph and JSON-LD ---------------------------------------------------------------------


def test_a_shop_page_carries_open_graph_tags(browser, full_shop):
    head = head_of(page_of(browser, full_shop))
    assert meta(head, "og:title") == "Boulangerie du Marché · Arlon"
    assert meta(head, "og:type") == "business.business"
    assert meta(head, "og:site_name") == "Bonnes Adresses"
    assert meta(head, "og:locale") == "fr_BE"
    assert meta(head, "og:url") == f"http://localhost/shops/{full_shop.id}-{full_shop.slug}"
    assert meta(head, "og:description") == "Pain au levain et pralines maison."
    assert meta(head, "description") == "Pain au levain et pralines maison."
    assert float(meta(head, "place:location:latitude")) == pytest.approx(full_shop.lat)
    assert float(meta(head, "place:location:longitude")) == pytest.approx(full_shop.lon)
    assert meta(head, "business:contact_data:locality") == "Arlon"
    assert meta(head, "business:contact_data:postal_code") == "6700"
    assert meta(head, "robots") is None


def test_a_shop_without_description_gets_one_for_previews(browser, make_shop):
    head = head_of(page_of(browser, make_shop(description="")))
    assert "Arlon" in meta(head, "og:description")
    assert meta(head, "description") == meta(head, "og:description")


def test_the_json_ld_describes_the_local_business(browser, full_shop):
    [data] = json_ld_of(head_of(page_of(browser, full_shop)))
    url = f"http://localhost/shops/{full_shop.id}-{full_shop.slug}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LocalBusiness"
    assert data["name"] == "Boulangerie du Marché"
    assert data["url"] == url
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Grand-Rue 12",
        "postalCode": "6700",
        "addressLocality": "Arlon",
        "addressCountry": "BE",
    }
    assert data["geo"]["@type"] == "GeoCoordinates"
    assert data["geo"]["latitude"] == pytest.approx(full_shop.lat)
    assert data["geo"]["longitude"] == pytest.approx(full_shop.lon)
    assert data["telephone"] == "+3263223344"
    assert data["sameAs"] == [full_shop.website, full_shop.eshop_url]
    # Votes are recommendations, not ratings: no stars in search results.
    assert "aggregateRating" not in data


def test_a_hostile_shop_name_cannot_leave_the_json_ld_block(app, browser, shop_in_arlon):
    hostile = '</script><script>alert("x")</script> & <!-- Cie'
    with app.app_context():
        # Imports write names straight to the table; the form refuses tags.
        db.session.get(Shop, shop_in_arlon.id).name = hostile
        db.session.commit()
    page = page_of(browser, shop_in_arlon)
    assert "<script>alert" not in page
    [data] = json_ld_of(page)
    assert data["name"] == hostile


def test_the_json_ld_filter_escapes_markup_characters(app):
    with app.app_context():
        block = str(json_ld({"name": "</script><b>&'"}))
    body = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert not set("<>&'") & set(body)
    assert json.loads(body) == {"name": "</script><b>&'"}


@pytest.mark.parametrize("status", [ShopStatus.PENDING, ShopStatus.HIDDEN, ShopStatus.CLOSED])
def test_a_shop_not_published_says_noindex_and_gives_no_preview(
    app, browser, moderator, shop_in_arlon, status
):
    set_status(app, shop_in_arlon, status)
    browser.login(moderator.email)  # the one who can still open hidden and pending shops
    head = head_of(page_of(browser, shop_in_arlon))
    assert meta(head, "robots") == "noindex"
    assert json_ld_of(head) == []
    assert meta(head, "og:title") is None
    assert link_href(head, "canonical") is None


def test_a_pending_post_shown_to_its_author_says_noindex(app, make_user, make_shop):
    from tests.conftest import Browser

    newcomer = make_user("Nouvelle", trusted=False)
    shop = make_shop(author=newcomer)
    assert shop.status == ShopStatus.PENDING.value
    author = Browser(app.test_client())
    author.login(newcomer.email)
    head = head_of(page_of(author, shop))
    assert meta(head, "robots") == "noindex"
    assert json_ld_of(head) == []


# --- Canonical URLs -----------------------------------------------------------------------------


def test_the_shop_canonical_is_on_the_request_host_without_a_public_url(browser, shop_in_arlon):
    head = head_of(page_of(browser, shop_in_arlon, query_string={"utm_source": "newsletter"}))
    canonical = f"http://localhost/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}"
    assert link_href(head, "canonical") == canonical
    assert head.count('rel="canonical"') == 1


def test_the_shop_canonical_is_on_the_public_url(app, browser, shop_in_arlon):
    app.config["PUBLIC_URL"] = PUBLIC_URL
    page = page_of(browser, shop_in_arlon, headers={"Host": "evil.example"})
    canonical = f"{PUBLIC_URL}/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}"
    assert link_href(head_of(page), "canonical") == canonical
    assert meta(page, "og:url") == canonical
    assert json_ld_of(page)[0]["url"] == canonical
    assert "evil.example" not in page


def test_an_old_slug_redirects_to_the_canonical_one(browser, shop_in_arlon):
    response = browser.get(f"/shops/{shop_in_arlon.id}-ancien-nom")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}")


def test_each_language_version_is_its_own_canonical_with_alternates(browser, shop_in_arlon):
    path = f"/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}"
    head = head_of(page_of(browser, shop_in_arlon, query_string={"lang": "nl"}))
    assert link_href(head, "canonical") == f"http://localhost{path}?lang=nl"
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', head))
    assert alternates == {
        "fr": f"http://localhost{path}",
        "nl": f"http://localhost{path}?lang=nl",
        "en": f"http://localhost{path}?lang=en",
        "x-default": f"http://localhost{path}",
    }
    assert meta(head, "og:locale") == "nl_BE"


def test_every_page_has_a_canonical_in_its_head(browser, shop_in_arlon):
    for path in ("/", "/categories", "/about", "/privacy", "/search"):
        head = head_of(browser.get(path).get_data(as_text=True))
        assert link_href(head, "canonical") == f"http://localhost{path}", path


def test_a_list_canonical_keeps_its_page_and_drops_the_sorting(browser, shop_in_arlon):
    page = browser.get("/categories/boulangerie?sort=new&page=2").get_data(as_text=True)
    assert link_href(head_of(page), "canonical") == "http://localhost/categories/boulangerie?page=2"
    page = browser.get("/towns/arlon-be?sort=top&page=1").get_data(as_text=True)
    assert link_href(head_of(page), "canonical") == "http://localhost/towns/arlon-be"


@pytest.mark.parametrize(
    "path", ["/login", "/register", "/forgot-password", "/reset-password/not-a-token"]
)
def test_account_pages_say_noindex_and_have_no_canonical(browser, path):
    head = head_of(browser.get(path).get_data(as_text=True))
    assert meta(head, "robots") == "noindex"
    assert link_href(head, "canonical") is None


def test_search_results_with_parameters_say_noindex(browser, shop_in_arlon):
    head = head_of(browser.get("/search?q=pain&sort=distance").get_data(as_text=True))
    assert meta(head, "robots") == "noindex"
    assert link_href(head, "canonical") is None


# --- Directions, phone, share ------------------------------------------------------------------


def contact_of(page: str) -> str:
    return re.search(r'<section class="shop-contact".*?</section>', page, re.S).group(0)


def hrefs(fragment: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', fragment)]


def test_the_contact_block_links_to_directions_navigation_and_phone(browser, full_shop):
    contact = contact_of(page_of(browser, full_shop))
    links = hrefs(contact)
    osm = next(link for link in links if link.startswith("https://www.openstreetmap.org/"))
    parts = urlsplit(osm)
    assert parts.path == "/directions"
    start, destination = parse_qs(parts.query)["route"][0].split(";")
    assert start == ""
    lat, lon = (float(value) for value in destination.split(","))
    assert (lat, lon) == (pytest.approx(full_shop.lat), pytest.approx(full_shop.lon))
    assert f"geo:{destination}?q={destination}(Boulangerie%20du%20March%C3%A9)" in links
    assert "tel:+3263223344" in links
    assert "063 22 33 44" in contact  # the number as the member wrote it
    assert "Ouvrir dans une app de navigation" in contact


def test_external_links_carry_nofollow_noopener_ugc(browser, full_shop):
    contact = contact_of(page_of(browser, full_shop))
    for url in (full_shop.website, full_shop.eshop_url):
        tag = re.search(rf'<a href="{re.escape(url)}"[^>]*>', contact).group(0)
        assert 'rel="nofollow noopener ugc"' in tag


def test_the_page_address_is_there_to_copy_without_javascript(browser, shop_in_arlon):
    contact = contact_of(page_of(browser, shop_in_arlon))
    url = f"http://localhost/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}"
    assert re.search(
        rf'<input id="share-url" type="url" value="{re.escape(url)}" readonly>', contact
    )
    assert 'data-copied="Lien copié"' in contact
    assert 'role="status"' in contact
    assert re.search(r'<button type="button" id="share-button"[^>]*hidden>', contact)


def test_a_shop_without_phone_has_no_tel_link(browser, make_shop):
    assert "tel:" not in contact_of(page_of(browser, make_shop(phone=None)))


def test_a_closed_shop_offers_no_directions_or_call(app, browser, full_shop):
    set_status(app, full_shop, ShopStatus.CLOSED)
    contact = contact_of(page_of(browser, full_shop))
    assert "openstreetmap.org/directions" not in contact
    assert "tel:" not in contact and "geo:" not in contact


@pytest.mark.parametrize(
    ("written", "country", "dialled"),
    [
        ("063 22 33 44", "BE", "+3263223344"),
        ("+32 63 22 33 44", "BE", "+3263223344"),
        ("+32 (0)63 22.33.44", "BE", "+3263223344"),
        ("0032 63 22 33 44", "BE", "+3263223344"),
        ("03 83 12 34 56", "FR", "+33383123456"),
        ("+33 (0)3 83 12 34 56", "FR", "+33383123456"),
        ("1733", "BE", "1733"),
        ("", "BE", None),
        (None, "FR", None),
        ("--", "FR", None),
    ],
)
def test_phone_numbers_are_dialled_in_international_form(written, country, dialled):
    assert tel_href(written, country) == dialled


def test_directions_and_geo_links_round_coordinates():
    assert directions_url(49.683330001, 5.8) == (
        "https://www.openstreetmap.org/directions?route=%3B49.68333%2C5.8"
    )
    assert geo_uri(49.5, 5.25, "Chez (Léa)") == "geo:49.5,5.25?q=49.5,5.25(Chez%20%28L%C3%A9a%29)"


# --- sitemap.xml and robots.txt ----------------------------------------------------------------


def sitemap_locs(browser) -> list[str]:
    response = browser.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314 - our own sitemap
    return [loc.text for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]


def test_the_sitemap_lists_visible_shops_and_their_lists(app, browser, make_shop):
    visible = make_shop(name="Fromagerie Lambert", category="fromagerie")
    pending = make_shop(name="Épicerie Pending")
    hidden = make_shop(name="Boucherie Cachée")
    set_status(app, pending, ShopStatus.PENDING)
    set_status(app, hidden, ShopStatus.HIDDEN)
    locs = sitemap_locs(browser)
    assert f"http://localhost/shops/{visible.id}-{visible.slug}" in locs
    assert not any(f"/shops/{pending.id}-" in loc or f"/shops/{hidden.id}-" in loc for loc in locs)
    assert "http://localhost/" in locs
    assert "http://localhost/categories/fromagerie" in locs
    assert "http://localhost/towns/arlon-be" in locs
    # A category whose only shops are hidden or pending is no page to send crawlers to.
    assert "http://localhost/categories/boulangerie" not in locs


def test_the_sitemap_dates_each_page_and_uses_the_public_url(app, browser, shop_in_arlon):
    app.config["PUBLIC_URL"] = PUBLIC_URL
    response = browser.get("/sitemap.xml")
    root = ElementTree.fromstring(response.data)  # noqa: S314 - our own sitemap
    entries = {
        url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("sm:url", SITEMAP_NS)
    }
    shop_url = f"{PUBLIC_URL}/shops/{shop_in_arlon.id}-{shop_in_arlon.slug}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entries[shop_url])
    assert all(loc.startswith(PUBLIC_URL + "/") for loc in entries)


def test_robots_txt_keeps_crawlers_on_the_public_directory(app, browser):
    app.config["PUBLIC_URL"] = PUBLIC_URL
    response = browser.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    for path in ("/moderation/", "/api/", "/settings", "/login", "/search?"):
        assert f"Disallow: {path}" in lines
    assert not any(line in ("Disallow: /", "Disallow: /shops/") for line in lines)
    assert f"Sitemap: {PUBLIC_URL}/sitemap.xml" in lines
