"""Error pages are friendly, translated and in the site's layout; JSON under /api/; and they
can never fail themselves: when even the error page cannot be rendered, a static page answers
with the right status."""

from __future__ import annotations

import html
import re

import pytest
from flask import abort

import directory.web
from app import create_app
from directory.extensions import db
from tests.conftest import Browser, base_config

VERSION_WORDS = re.compile(r"werkzeug|python|gunicorn|flask|traceback|sqlalchemy", re.I)

MESSAGES = {
    403: {
        "fr": "Vous n'avez pas le droit de faire cela.",
        "nl": "U mag dit niet doen.",
        "en": "You are not allowed to do that.",
    },
    404: {
        "fr": "Cette page n'existe pas ou n'est plus visible.",
        "nl": "Deze pagina bestaat niet of is niet meer zichtbaar.",
        "en": "This page does not exist or is no longer visible.",
    },
    500: {
        "fr": "Une erreur s'est produite. Réessayez dans un instant.",
        "nl": "Er is een fout opgetreden. Probeer het zo meteen opnieuw.",
        "en": "Something went wrong. Please try again in a moment.",
    },
}
TITLES = {
    403: {"fr": "Accès refusé", "nl": "Toegang geweigerd", "en": "Access denied"},
    404: {"fr": "Page introuvable", "nl": "Pagina niet gevonden", "en": "Page not found"},
    500: {"fr": "Erreur du serveur", "nl": "Serverfout", "en": "Server error"},
}


@pytest.fixture
def failing_app(app):
    """The app with routes that fail on purpose, answering errors as in production."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING would re-raise instead of a 500 page

    def crash():
        raise RuntimeError("boom")

    app.add_url_rule("/test/forbidden", "test_forbidden", lambda: abort(403))
    app.add_url_rule("/test/crash", "test_crash", crash)
    app.add_url_rule("/api/v1/test-crash", "test_api_crash", crash)
    return app


def error_url(code: int) -> str:
    return {403: "/test/forbidden", 404: "/no/such/page", 500: "/test/crash"}[code]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize("code", [403, 404, 500])
def test_error_pages_are_translated_and_keep_the_layout(failing_app, code, language):
    response = failing_app.test_client().get(error_url(code), headers={"Accept-Language": language})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == code
    assert f'<html lang="{language}">' in page
    assert f"<h1>{TITLES[code][language]}</h1>" in page
    assert MESSAGES[code][language] in page
    assert 'href="/search"' in page  # the site's navigation is there
    assert not VERSION_WORDS.search(page)


def test_a_body_too_large_answers_413_with_a_friendly_page(app):
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = app.test_client().post("/login", data={"email": too_big})
    assert response.status_code == 413
    assert "Ce que vous avez envoyé est trop volumineux." in response.get_data(as_text=True)


@pytest.fixture
def limited_browser(database_url, tmp_path):
    """A visitor of an app that allows one write a minute."""
    config = base_config(database_url, tmp_path)
    config.update(RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="1 per minute")
    limited = create_app(config)
    yield Browser(limited.test_client())
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_too_many_requests_says_when_to_retry(limited_browser):
    limited_browser.login("nobody@example.org", "wrong password!")
    response = limited_browser.login("nobody@example.org", "wrong password!")
    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 60
    found = re.search(r"réessayez dans (\d+) secondes?\.", response.get_data(as_text=True))
    assert found, "the page does not say when to retry"
    assert abs(int(found.group(1)) - seconds) <= 1  # both round down, a tick apart


@pytest.mark.parametrize(("path", "code"), [("/api/v1/nothing", 404), ("/api/v1/test-crash", 500)])
def test_api_errors_stay_json(failing_app, path, code):
    response = failing_app.test_client().get(path)
    assert response.status_code == code
    assert response.is_json
    assert set(response.get_json()["error"]) == {"field", "message"}
    assert not VERSION_WORDS.search(response.get_data(as_text=True))


@pytest.mark.parametrize("code", [403, 404, 500])
def test_an_error_page_that_cannot_render_falls_back_to_static_html(failing_app, monkeypatch, code):
    def broken_template(*_args, **_kwargs):
        raise RuntimeError("the template is broken")

    monkeypatch.setattr(directory.web, "render_template", broken_template)
    response = failing_app.test_client().get(error_url(code))
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert f"<h1>{code}</h1>" in page and 'href="/"' in page
    assert "Content-Security-Policy" in response.headers


def test_a_request_no_url_can_be_built_for_gets_the_static_page(app):
    """A Host header that cannot be encoded leaves Flask without URL building: the friendly
    template cannot render, the static page answers 400."""
    response = app.test_client().get("/", headers={"Host": "a" * 1000})
    assert response.status_code == 400
    assert "<h1>400</h1>" in response.get_data(as_text=True)


def test_a_failing_rollback_does_not_break_the_500_page(failing_app, monkeypatch):
    def broken_rollback():
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(db.session, "rollback", broken_rollback)
    response = failing_app.test_client().get("/test/crash")
    assert response.status_code == 500
    assert "<h1>Erreur du serveur</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/search", "/search"])
def test_a_wrong_method_says_which_methods_the_route_allows(app, path):
    """RFC 9110 §15.5.6: a 405 carries ``Allow``; the error handlers used to drop it."""
    response = app.test_client().delete(path)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
