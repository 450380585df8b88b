"""Defect 7 of issue 6: wrong passwords for one account from many addresses all got through.
Failures are now counted per account, whatever the address, with a short back-off after which
the right password works again."""

from __future__ import annotations

import os
import time

import pytest
import redis

from app import create_app
from directory.extensions import db
from tests.ci import missing
from tests.conftest import PASSWORD, Browser, base_config
from tests.test_bad_input import field_errors

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
WRONG = "pas le bon mot de passe du tout"


@pytest.fixture
def throttled_app(database_url, tmp_path):
    """Factory: the app with the per-account throttle on, over ``storage`` and ``limits``."""
    made = []

    def factory(limits: str = "3 per minute", storage: str = "memory://"):
        config = {
            **base_config(database_url, tmp_path),
            "LOGIN_THROTTLE_ENABLED": True,
            "LOGIN_FAILURE_LIMITS": limits,
            "RATELIMIT_STORAGE_URI": storage,
        }
        made.append(create_app(config))
        return made[-1]

    yield factory
    for app in made:
        with app.app_context():
            db.engine.dispose()


def attempt(app, email: str, password: str, address: str):
    """One login from its own client address, as a distributed guesser would do."""
    browser = Browser(app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = address
    return browser.post("/login", {"email": email, "password": password})


def test_failures_from_many_addresses_are_counted_for_the_account(throttled_app, make_user):
    app = throttled_app()
    victim = make_user("Victime")
    statuses = [attempt(app, victim.email, WRONG, f"198.51.100.{n}").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 429, 429]


def test_a_throttled_account_refuses_even_the_right_password_and_says_when(
    throttled_app, make_user
):
    app = throttled_app()
    victim = make_user("Victime")
    for n in range(3):
        attempt(app, victim.email, WRONG, f"198.51.100.{n}")
    response = attempt(app, victim.email, PASSWORD, "203.0.113.7")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert any("Trop de tentatives pour ce compte" in e for e in field_errors(page, "password"))
    assert f'value="{victim.email}"' in page  # the email typed is kept


def test_unknown_emails_are_throttled_like_real_ones(throttled_app):
    app = throttled_app()
    statuses = [
        attempt(app, "nobody@example.org", WRONG, f"192.0.2.{n}").status_code for n in range(4)
    ]
    assert statuses == [400, 400, 400, 429]


def test_other_accounts_are_not_affected(throttled_app, make_user):
    app = throttled_app()
    victim, bystander = make_user("Victime"), make_user("Passant")
    for n in range(4):
        attempt(app, victim.email, WRONG, f"198.51.100.{n}")
    assert attempt(app, bystander.email, PASSWORD, "198.51.100.1").status_code == 302


def test_a_success_forgets_earlier_failures(throttled_app, make_user):
    app = throttled_app()
    member = make_user("Alice")
    for _ in range(2):
        attempt(app, member.email, WRONG, "198.51.100.1")
    assert attempt(app, member.email, PASSWORD, "198.51.100.1").status_code == 302
    assert [attempt(app, member.email, WRONG, "198.51.100.1").status_code for _ in range(3)] == [
        400,
        400,
        400,
    ]


def test_the_right_password_works_again_after_the_back_off(throttled_app, make_user):
    app = throttled_app(limits="2 per 1 second")
    victim = make_user("Victime")
    for n in range(2):
        attempt(app, victim.email, WRONG, f"198.51.100.{n}")
    assert attempt(app, victim.email, PASSWORD, "203.0.113.7").status_code == 429
    deadline = time.monotonic() + 5  # a bounded poll: the window is one second long
    while (status := attempt(app, victim.email, PASSWORD, "203.0.113.7").status_code) == 429:
        assert time.monotonic() < deadline, "still throttled long after the back-off"
        time.sleep(0.1)
    assert status == 302


def test_the_count_is_shared_by_workers_through_redis(throttled_app, make_user):
    if not REDIS_URL:
        missing("TEST_REDIS_URL is not set: Redis storage not tested")
    redis.Redis.from_url(REDIS_URL).flushdb()  # database 15 is reserved for the tests
    worker_a, worker_b = throttled_app(storage=REDIS_URL), throttled_app(storage=REDIS_URL)
    victim = make_user("Victime")
    for n in range(3):
        attempt(worker_a, victim.email, WRONG, f"198.51.100.{n}")
    assert attempt(worker_b, victim.email, PASSWORD, "203.0.113.7").status_code == 429
