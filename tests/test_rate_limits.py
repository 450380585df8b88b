"""Writes are rate limited (memory storage by default, Redis in production)."""

import os

import pytest
import redis

from app import create_app
from directory.extensions import db
from tests.ci import missing
from tests.conftest import Browser, base_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture
def limited_browser(database_url, tmp_path):
    """Factory: a client of an app that allows 3 writes a minute, on the given storage."""
    apps = []

    def build(storage_uri):
        config = base_config(database_url, tmp_path)
        config.update(
            RATELIMIT_ENABLED=True,
            WRITE_RATE_LIMIT="3 per minute",
            RATELIMIT_STORAGE_URI=storage_uri,
        )
        apps.append(create_app(config))
        return Browser(apps[-1].test_client())

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def failed_logins(browser, times):
    return [
        browser.login("nobody@example.org", "wrong password!").status_code for _ in range(times)
    ]


def test_login_attempts_are_limited_in_memory(limited_browser):
    browser = limited_browser("memory://")
    assert failed_logins(browser, 4) == [400, 400, 400, 429]


def test_reading_pages_is_not_limited(limited_browser):
    browser = limited_browser("memory://")
    assert {browser.get("/login").status_code for _ in range(6)} == {200}


def test_limits_are_shared_through_redis(limited_browser):
    if not REDIS_URL:
        missing("TEST_REDIS_URL is not set: Redis storage not tested")
    redis.Redis.from_url(REDIS_URL).flushdb()  # database 15 is reserved for the tests
    browser = limited_browser(REDIS_URL)
    assert failed_logins(browser, 4) == [400, 400, 400, 429]


# Redis down (issue 12): each worker falls back to limits in its own memory, and the site
# keeps serving; the per-account login throttle lets logins through (and logs it).
DEAD_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing listens, refused at once


def test_with_redis_down_writes_are_still_limited_and_pages_served(limited_browser):
    browser = limited_browser(DEAD_REDIS)
    assert browser.get("/").status_code == 200
    assert failed_logins(browser, 4) == [400, 400, 400, 429]


def test_with_redis_down_the_login_throttle_lets_logins_through(
    database_url, tmp_path, member, caplog
):
    config = base_config(database_url, tmp_path)
    config.update(LOGIN_THROTTLE_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD_REDIS)
    app = create_app(config)
    try:
        browser = Browser(app.test_client())
        assert browser.login(member.email, "wrong password!").status_code == 400
        assert browser.login(member.email).status_code == 302
        assert "login throttle" in caplog.text
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
