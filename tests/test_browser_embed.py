"""The embed on a third-party site, in a real browser: a town's plain HTML page, served from
another origin (``localhost`` against the app's ``127.0.0.1``, so another site too), pastes
the snippet /embed/new gives; the frame loads its list and map under the policy, its links
open new tabs, and any other page of ours refuses to be framed there."""

from __future__ import annotations

import re
import struct
import threading
import zlib
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from directory.embed.services import EMBED_LIMIT
from directory.extensions import db
from directory.places.towns import resolve_town
from directory.shops.models import Category, Shop, ShopStatus
from tests.browser import _serve, axe_violations, playwright, screenshot

pytestmark = pytest.mark.browser

expect = playwright.expect
TILES = re.compile(r"^https?://([a-z0-9-]+\.)*tile\.openstreetmap\.org/")
DESKTOP = {"width": 1100, "height": 900}
TOWN_PAGE = """<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <link rel="icon" href="data:,">
  <title>Ville d'Arlon – Commerces</title>
  <style>
    body {{ font-family: Georgia, serif; margin: 0; background: #f4f1ea; color: #222; }}
    header {{ background: #7a1f2b; color: #fff; padding: 1rem 2rem; }}
    main {{ max-width: 52rem; margin: 1.5rem auto; background: #fff; padding: 1rem 2rem; }}
  </style>
</head>
<body>
  <header><strong>Ville d'Arlon</strong> · Commerce local</header>
  <main>
    <h1>Nos commerces</h1>
    <p>Les adresses recommandées par les habitants :</p>
    {snippet}
  </main>
</body>
</html>
"""


def _tile_png(size: int = 256) -> bytes:
    """A plain light tile: the map gets a background without the internet."""
    row = b"\x00" + b"\xe8\xec\xe6" * size
    chunks = [
        (b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)),
        (b"IDAT", zlib.compress(row * size)),
        (b"IEND", b""),
    ]
    body = b"".join(
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        for kind, data in chunks
    )
    return b"\x89PNG\r\n\x1a\n" + body


TILE = _tile_png()


@pytest.fixture(scope="module")
def app_url(demo_module_app):
    """The seeded demo served on a free loopback port, once for the module."""
    server, thread = _serve(demo_module_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="module")
def bakeries(demo_module_app) -> tuple[str, dict[str, int]]:
    """The category with most visible shops in the commune of Arlon: slug, {name: votes}."""
    with demo_module_app.app_context():
        keys = resolve_town("Arlon")
        rows = db.session.execute(
            select(Category.slug, Shop.name, Shop.vote_count)
            .join(Shop.category)
            .where(Shop.status == ShopStatus.VISIBLE.value)
            .where(Shop.town.in_(keys) | Shop.postcode.in_(keys))
        )
        by_category: dict[str, dict[str, int]] = {}
        for slug, name, votes in rows:
            by_category.setdefault(slug, {})[name] = votes
        db.session.remove()
    return max(by_category.items(), key=lambda item: len(item[1]))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test output stays readable
        pass


@pytest.fixture
def town_site(tmp_path):
    """Factory: a plain page holding ``snippet``, served by another server; returns its URL."""
    servers = []

    def serve(snippet: str, name: str = "index.html") -> str:
        (tmp_path / name).write_text(TOWN_PAGE.format(snippet=snippet), encoding="utf-8")
        if not servers:
            handler = partial(_Quiet, directory=str(tmp_path))
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            servers.append((server, thread))
        # localhost, not 127.0.0.1: another origin and another site than the app's.
        return f"http://localhost:{servers[0][0].server_port}/{name}"

    yield serve
    for server, thread in servers:
        server.shutdown()
        thread.join()
        server.server_close()


def watched(page):
    """Collect the console's errors and the page's uncaught exceptions; serve blank tiles."""
    page.context.route(
        TILES, lambda route: route.fulfill(status=200, content_type="image/png", body=TILE)
    )
    page.problems = []
    page.on(
        "console",
        lambda message: (
            page.problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


def test_a_town_site_pastes_the_snippet_and_shows_its_shops(
    app_url, town_site, open_page, bakeries
):
    slug, shops = bakeries
    page = watched(open_page(viewport=DESKTOP))
    # The webmaster gets the code from /embed/new, as the page offers it.
    page.goto(f"{app_url}/embed/new?town=Arlon&category={slug}")
    snippet = page.input_value("#embed-code")
    assert snippet.startswith(f'<iframe src="{app_url}/embed?town=Arlon&amp;category={slug}"')
    expect(
        page.frame_locator("iframe.embed-preview").locator(".embed-list li").first
    ).to_be_visible()

    page.goto(town_site(snippet))
    page.locator("iframe").scroll_into_view_if_needed()
    frame_element = page.locator("iframe")
    inside = page.frame_locator("iframe")
    expect(inside.locator("#embed-map")).to_have_attribute("data-loaded", "true")
    expected = min(len(shops), EMBED_LIMIT)
    items = inside.locator(".embed-list li")
    expect(items).to_have_count(expected)
    names = inside.locator(".embed-name").all_inner_texts()
    assert set(names) <= set(shops)
    assert names[0] in {n for n, v in shops.items() if v == max(shops.values())}
    # A marker per listed shop, and the map's attributions.
    expect(inside.locator("#embed-map .map-pin")).to_have_count(expected)
    attribution = inside.locator(".leaflet-control-attribution")
    expect(attribution).to_contain_text("OpenStreetMap")
    expect(inside.locator(".embed-footer")).to_contain_text("ODbL")
    expect(inside.locator(".map-notice")).to_be_hidden()  # the (blank) tiles loaded
    # The frame fits the height the snippet gives it.
    assert frame_element.bounding_box()["height"] == 480
    frame = frame_element.element_handle().content_frame()
    assert frame.url.startswith(app_url + "/embed?")
    assert axe_violations(frame) == []
    screenshot(page, "embed-town-site")

    # A shop opens in a new tab, out of the town's page.
    with page.expect_popup() as popup:
        inside.locator(".embed-name").first.click()
    assert re.match(rf"{re.escape(app_url)}/shops/\d+", popup.value.url)
    assert page.url.startswith("http://localhost:")
    # A map popup's link too.
    # Markers may overlap: whichever is on top opens its popup.
    inside.locator("#embed-map .map-pin").first.click(force=True)
    popup_link = inside.locator(".leaflet-popup-content a")
    expect(popup_link).to_have_attribute("target", "_blank")
    assert page.problems == []


def test_a_phone_sees_the_map_above_a_compact_list(app_url, town_site, open_page, bakeries):
    slug, _shops = bakeries
    page = watched(open_page())
    snippet = (
        f'<iframe src="{app_url}/embed?town=Arlon&amp;category={slug}" title="Commerces"'
        ' width="100%" height="480" loading="lazy" style="border:0"></iframe>'
    )
    page.goto(town_site(snippet))
    inside = page.frame_locator("iframe")
    expect(inside.locator("#embed-map")).to_have_attribute("data-loaded", "true")
    map_box = inside.locator("#embed-map").bounding_box()
    first_item = inside.locator(".embed-list li").first.bounding_box()
    assert map_box["y"] + map_box["height"] <= first_item["y"]
    assert page.problems == []
    screenshot(page, "embed-town-site-phone")


def test_a_bad_parameter_shows_its_message_in_the_frame(app_url, town_site, open_page):
    page = open_page()
    page.goto(town_site(f'<iframe src="{app_url}/embed?category=nope" title="x"></iframe>'))
    alert = page.frame_locator("iframe").locator("[role=alert]")
    expect(alert).to_contain_text("Catégorie inconnue : nope.")


def test_other_pages_refuse_the_frame(app_url, town_site, open_page):
    """Control: the same third-party page cannot frame the snippet page itself."""
    page = open_page()
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "frame" in message.text else None,
    )
    page.goto(town_site(f'<iframe src="{app_url}/embed/new" title="x"></iframe>', "bad.html"))
    page.wait_for_function("() => true")
    frame = page.locator("iframe").element_handle().content_frame()
    expect(page.frame_locator("iframe").locator("form")).to_have_count(0)
    assert not frame.url.startswith(app_url)
    assert any("frame-ancestors" in text or "X-Frame-Options" in text for text in refused)
