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
from directory.extensions import db
from directory.search.bridge import reindex
from tests.ci import missing
from tests.conftest import base_config

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


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    """The app on a copy of the seeded template database, with its (empty) search index."""
    path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        reindex(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_url(live_app, chromium):
    """``live_app`` served on a free loopback port."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A French-speaking visitor: chromium would otherwise ask for en-US, and get English.
        yield browser.new_page(viewport={"width": 390, "height": 844}, locale="fr-BE")
        browser.close()


AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core (vendored, never served by the app) on the page: WCAG 2.1 A/AA violations."""
    page.add_script_tag(path=str(AXE_JS))
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
