"""Fixtures for the real-browser tests: Debian's chromium through Playwright, the app on loopback.

A plugin of tests/conftest.py, so every test module can ask for ``live_url`` and ``page``;
modules using them are marked ``browser``. Never downloads a browser: without Debian's
chromium the tests skip, and fail in CI (tests/ci.py).
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright import sync_api as playwright
from werkzeug.serving import make_server

from app import create_app
from directory.accounts.services import register
from directory.extensions import db
from directory.search.bridge import reindex
from directory.seeding.cli import CATEGORY_MAP, DEMO_SHOPS
from directory.seeding.demo import load_demo
from directory.seeding.importer import import_shops, load_category_map
from directory.timeutil import utcnow
from tests.ci import missing
from tests.conftest import PASSWORD, base_config

CHROMIUM = shutil.which("chromium")
# `SCREENSHOTS=dir make test` keeps what the member saw at each step, to look at.
SCREENSHOTS = os.environ.get("SCREENSHOTS")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium():
    """Debian's chromium, which `.ci/run` installs: without it these tests skip, or fail in CI."""
    if CHROMIUM is None:
        missing("Debian's chromium is not installed")
    return CHROMIUM


def _app_on_copy(template: Path, tmp_path: Path):
    """The app on a copy of ``template``, its search index built; disposed afterwards."""
    path = tmp_path / "live.sqlite3"
    shutil.copy(template, path)
    app = create_app(base_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        reindex(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    """The app on a copy of the template database (categories, gazetteer, no shop yet)."""
    yield from _app_on_copy(sqlite_template, tmp_path)


@pytest.fixture(scope="session")
def demo_template(sqlite_template, tmp_path_factory) -> Path:
    """The template plus what `make run` seeds: 251 shops, demo members, votes and tips."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", path.parent))
    with app.app_context():
        import_shops(DEMO_SHOPS, load_category_map(CATEGORY_MAP), is_demo=True)
        load_demo(time_cost=1, memory_cost=1024)
        db.session.commit()
        db.engine.dispose()
    return path


@pytest.fixture(scope="module")
def demo_module_app(demo_template, tmp_path_factory):
    """The app on a copy of the seeded demo database, its index built once per module: for
    read-only checks over the demo data (the request clock may be set through ``CLOCK``)."""
    folder = tmp_path_factory.mktemp("demo_module")
    path = folder / "demo.sqlite3"
    shutil.copy(demo_template, path)
    app = create_app(base_config(f"sqlite:///{path}", folder))
    with app.app_context():
        reindex(app)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def demo_app(demo_template, tmp_path):
    """The app on a copy of the seeded demo database, its search index built."""
    yield from _app_on_copy(demo_template, tmp_path)


def _buffered(app):
    """``app`` with every answer read whole, and closed, before the server writes it.

    A browser that goes away in the middle of a file (a test ending while a script still
    loads) makes werkzeug's dev server drop the file unclosed: a ResourceWarning, which fails
    the test it lands in under ``-W error``. Test pages are small; reading them whole is free.
    """

    def middleware(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return middleware


def _serve(app):
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def demo_url(demo_app, chromium):
    """``demo_app`` served on a free loopback port."""
    server, thread = _serve(demo_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def live_url(live_app, chromium):
    """``live_app`` served on a free loopback port."""
    server, thread = _serve(live_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(chromium):
    """Factory: a new page in a context of its own (``new_context`` options: geolocation,
    permissions, locale, viewport...); a French-speaking phone unless told otherwise."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def factory(**options):
            # chromium would otherwise ask for en-US, and get English.
            options = {"viewport": PHONE, "locale": "fr-BE", **options}
            return browser.new_context(**options).new_page()

        yield factory
        browser.close()


@pytest.fixture
def page(open_page):
    """A page on a phone (390×844), for a French-speaking visitor."""
    return open_page()


AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core (vendored, never served by the app) on the page: WCAG 2.1 A/AA violations."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern: a
    # <script> tag would be refused, as it should be.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def screenshot(page, name: str) -> None:
    """Keep what the visitor saw when ``SCREENSHOTS`` names a directory (test artifacts)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def make_member(app, email: str, name: str, **values) -> int:
    """A confirmed account, committed, with ``values`` (role, approved_posts) set."""
    with app.app_context():
        user = register(email, name, PASSWORD, time_cost=1, memory_cost=1024)
        user.email_confirmed_at = utcnow()
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()
        return user.id


def log_in(page, live_url: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a member does."""
    page.goto(live_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    assert "Vous êtes connecté" in page.inner_text("main")
