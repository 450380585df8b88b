"""Shared fixtures: an app per test on a migrated, seeded database (SQLite, and PostgreSQL
when ``TEST_DATABASE_URL`` is set), a browser-like client, and factories."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from directory.accounts.models import Role, User
from directory.accounts.services import register
from directory.config import PROJECT_ROOT
from directory.extensions import db
from directory.places.loader import load_gazetteer
from directory.seeding.categories import load_categories
from directory.shops.models import Category, Shop
from directory.shops.services import ShopInput, create_shop
from directory.timeutil import utcnow
from search_index import SearchIndex
from tests.ci import missing
from tests.smtp import Mailbox, mail_config, server

# The real-browser fixtures (live_url, page, axe, screenshots).
pytest_plugins = ["tests.browser"]

SEED_DIR = PROJECT_ROOT / "seed_data"
MIGRATIONS = str(PROJECT_ROOT / "migrations")
PASSWORD = "cornichon violet sur la lune"
DATA_TABLES = (
    "flags",
    "moderation_log",
    "tips",
    "votes",
    "products",
    "claims",
    "shop_revisions",
    "shops",
    "users",
    "search_outbox",
)
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def base_config(database_url: str, tmp_path: Path) -> dict:
    """The configuration every test app starts from."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "RATELIMIT_ENABLED": False,
        "LOGIN_THROTTLE_ENABLED": False,  # tests/test_login_throttle.py switches it on
        # Cheap hashes keep the suite fast; production keeps the Argon2id defaults.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        # Mail goes over SMTP to the loopback server of tests/smtp.py.
        **mail_config(),
    }


def _prepare(app: Flask) -> None:
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        load_categories(SEED_DIR)
        load_gazetteer(SEED_DIR)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file with categories and the gazetteer, copied by each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _prepare(create_app(base_config(f"sqlite:///{path}", path.parent)))
    return path


@pytest.fixture(scope="session")
def postgres_ready(tmp_path_factory) -> str:
    """Migrate the PostgreSQL test database from scratch once per run."""
    if not POSTGRES_URL:
        missing("TEST_DATABASE_URL is not set: PostgreSQL cases skipped")
    app = create_app(base_config(POSTGRES_URL, tmp_path_factory.mktemp("pg")))
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    _prepare(app)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """The database of one test: a fresh SQLite copy, or the emptied PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_ready")
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        tables = ", ".join(DATA_TABLES)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url, tmp_path) -> Iterator[Flask]:
    """The application on this test's database."""
    app = create_app(base_config(database_url, tmp_path))
    # The first setup `make run` does (`flask reindex`): an empty database, an empty index.
    SearchIndex.rebuild(app.config["SEARCH_INDEX_DIR"], []).close()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context for calling services directly."""
    with app.app_context():
        yield
        db.session.rollback()


class Browser:
    """A test client that fills in the CSRF token the way a real form would."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self) -> str:
        # The login form for visitors; members are sent home, where the logout form has one.
        page = self.client.get("/login", follow_redirects=True).get_data(as_text=True)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf_token())
        return self.client.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD, remember: bool = False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.post("/login", data)

    def logout(self):
        return self.post("/logout")


@pytest.fixture
def browser(app) -> Browser:
    """A logged-out visitor."""
    return Browser(app.test_client())


@pytest.fixture
def mailbox() -> Mailbox:
    """The test SMTP server's messages, emptied for this test."""
    _port, box = server()
    box.clear()
    return box


@pytest.fixture
def make_user(app):
    """Factory: a committed user with ``PASSWORD``, a confirmed email (``confirmed=False`` for
    one who has not followed the link yet) and one approved post, so their posts publish at
    once (``trusted=False`` for a new member whose first post waits in the review queue)."""
    counter = iter(range(1, 10_000))

    def factory(
        name: str | None = None,
        role: Role = Role.MEMBER,
        confirmed: bool = True,
        trusted: bool = True,
        **kwargs,
    ) -> User:
        n = next(counter)
        name = name or f"Membre {n}"
        with app.app_context():
            user = register(f"user{n}@example.org", name, PASSWORD, time_cost=1, memory_cost=1024)
            user.role = role.value
            user.email_confirmed_at = utcnow() if confirmed else None
            user.approved_posts = 1 if trusted else 0
            for key, value in kwargs.items():
                setattr(user, key, value)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return factory


@pytest.fixture
def member(make_user) -> User:
    return make_user("Alice")


@pytest.fixture
def other_member(make_user) -> User:
    return make_user("Bruno")


@pytest.fixture
def moderator(make_user) -> User:
    return make_user("Modo", role=Role.MODERATOR)


def shop_input(**overrides) -> ShopInput:
    """A valid ShopInput for a bakery in Arlon, with overrides."""
    category_slug = overrides.pop("category", "boulangerie")
    category_id = db.session.scalar(db.select(Category.id).where(Category.slug == category_slug))
    values = {
        "name": "Boulangerie du Marché",
        "category_id": category_id,
        "address": "Grand-Rue 12",
        "postcode": "6700",
        "town": "Arlon",
        "country": "BE",
        "description": "Pain au levain et pralines maison.",
    }
    values.update(overrides)
    return ShopInput(**values)


@pytest.fixture
def make_shop(app, member):
    """Factory: a committed visible shop, posted by ``member`` unless ``author`` is given."""

    def factory(author: User | None = None, **overrides) -> Shop:
        with app.app_context():
            author_row = db.session.get(User, (author or member).id)
            shop_id = create_shop(author_row, shop_input(**overrides)).id
            db.session.commit()
            shop = db.session.get(Shop, shop_id)
            _ = shop.category, shop.author  # load what tests read after the context ends
            db.session.expunge_all()
            return shop

    return factory


@pytest.fixture
def shop_in_arlon(make_shop) -> Shop:
    return make_shop()


@pytest.fixture
def reload(app):
    """Read a row again from the database, detached: ``reload(Shop, shop.id)``."""

    def read(model, row_id):
        with app.app_context():
            row = db.session.get(model, row_id)
            if row is not None:
                db.session.expunge(row)
            return row

    return read


def pytest_report_header(config):
    if POSTGRES_URL:
        return f"PostgreSQL: {POSTGRES_URL} (every database test also runs there)"
    return "PostgreSQL: TEST_DATABASE_URL is not set, its cases are skipped"


def database_snapshot(app) -> dict[str, list]:
    """Every column of every row of the member-data tables, in id order."""
    with app.app_context():
        rows = {
            table: [
                tuple(row) for row in db.session.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in DATA_TABLES
        }
        db.session.remove()
    return rows
