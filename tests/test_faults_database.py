"""Faults (issue 12): a database that cannot be reached answers 503 pages, never 500s."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import base_config

UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/bonnes_adresses",  # refused
    "sqlite": "sqlite:////nonexistent-directory/bonnes_adresses.sqlite3",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def client_without_database(request, tmp_path):
    app = create_app(base_config(UNREACHABLE[request.param], tmp_path))
    return app.test_client()


@pytest.mark.parametrize("path", ["/", "/search?q=pain", "/shops/1"])
def test_pages_answer_a_translated_503_that_says_to_retry(client_without_database, path):
    response = client_without_database.get(path, headers={"Accept-Language": "nl"})
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "<html" in response.text and 'lang="nl"' in response.text


def test_the_api_answers_a_json_503(client_without_database):
    response = client_without_database.get("/api/v1/shops")
    assert response.status_code == 503
    assert response.json["error"]["message"]


def test_a_page_that_needs_no_database_still_answers(client_without_database):
    assert client_without_database.get("/login").status_code == 200
