"""Review of issue 6: the routes that send mail are limited per recipient, so nobody can flood
someone's inbox from many addresses or accounts."""

from __future__ import annotations

import pytest

from app import create_app
from directory.extensions import db
from tests.conftest import PASSWORD, Browser, base_config


@pytest.fixture
def limited_app(database_url, tmp_path):
    config = base_config(database_url, tmp_path)
    config.update(RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="100 per minute")
    app = create_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def registration(name: str) -> dict:
    return {
        "email": "cible@example.org",
        "display_name": name,
        "password": PASSWORD,
        "confirm": PASSWORD,
    }


@pytest.mark.parametrize("route", ["/register", "/forgot-password"])
def test_one_recipient_gets_a_few_mails_an_hour_from_any_visitor(limited_app, mailbox, route):
    answers = []
    for n in range(7):
        visitor = Browser(limited_app.test_client())
        visitor.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"  # another address each
        data = (
            registration(f"Visiteur {n}")
            if route == "/register"
            else {"email": "cible@example.org"}
        )
        answers.append(visitor.post(route, data).status_code)
    assert answers == [302] * 5 + [429] * 2
    assert len(mailbox.messages("cible@example.org")) == 5
    other = Browser(limited_app.test_client())
    other.client.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    assert other.post("/forgot-password", {"email": "autre@example.org"}).status_code == 302
