"""The OpenAPI document of /api/v1, and every endpoint fuzzed against it by schemathesis.

The fuzzing runs in-process (WSGI) over the seeded, indexed demo: 251 real shops, so searches,
maps and details answer with real rows. Bounded and derandomised so CI stays short and
reproducible.
"""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SPEC_URL = "/api/v1/openapi.json"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _served_document() -> schemathesis.BaseSchema:
    """The document as an app serves it, read at collection time: schemathesis makes one test
    per operation from it. That app has no database (the route needs none); the requests go
    to ``demo_module_app``. (``schemathesis.pytest.from_fixture`` would read it from a fixture,
    but its lazy loader sets ``Node._nodeid``, which pytest 9 no longer has.)"""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", **NO_DATABASE})
    return schemathesis.openapi.from_wsgi(SPEC_URL, app)


NO_DATABASE = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
fuzzed = _served_document()


@pytest.fixture(scope="module")
def api_schema(demo_module_app):
    """The document served by the demo app, calling that same app in-process."""
    return schemathesis.openapi.from_wsgi(SPEC_URL, demo_module_app)


@pytest.fixture(scope="module")
def document(demo_module_app) -> dict:
    response = demo_module_app.test_client().get(SPEC_URL)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


@fuzzed.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written under .hypothesis/: every run is the same run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms(case, demo_module_app):
    """No input gives a 500; status, media type and body are the documented ones."""
    case.call_and_validate(app=demo_module_app, checks=CHECKS)


def test_document_is_valid_openapi_31(api_schema, document):
    assert document["openapi"] == "3.1.0"
    api_schema.validate()  # the OpenAPI 3.1 meta-schema
    for name, schema in document["components"]["schemas"].items():
        # Each body schema is itself a valid JSON Schema 2020-12 (the 3.1 dialect).
        assert jsonschema_rs.meta.is_valid({"$schema": DRAFT_2020_12, **schema}), name


def test_document_names_the_data_licence_and_a_relative_server(document):
    assert document["info"]["license"] == {
        "name": "ODbL-1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
    }
    assert document["servers"] == [{"url": "/"}]


def test_every_api_route_is_documented(demo_module_app, document):
    """A new /api/v1 endpoint cannot be forgotten in the document."""
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in demo_module_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert routes == set(document["paths"])
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path
        assert "200" in item["get"]["responses"], path


def test_document_follows_the_rules_it_describes(document):
    """Bounds come from the constants the endpoints check with, not from copies."""
    from directory.api import catalogue, geojson
    from directory.places import autocomplete
    from directory.search import params
    from directory.search.views import SEARCH_PARAMETERS
    from search_index import SERVICES, SORTS

    def parameter(path: str, name: str) -> dict:
        found = [p for p in document["paths"][path]["get"]["parameters"] if p.get("name") == name]
        return found[0]["schema"]

    assert parameter("/api/v1/search", "per_page")["maximum"] == params.MAX_PER_PAGE
    assert parameter("/api/v1/search", "sort")["enum"] == list(SORTS)
    assert parameter("/api/v1/search", "services")["items"]["enum"] == list(SERVICES)
    assert parameter("/api/v1/search", "q")["maxLength"] == params.MAX_QUERY_LENGTH
    assert parameter("/api/v1/shops.geojson", "per_page")["maximum"] == geojson.MAX_PER_PAGE
    assert parameter("/api/v1/shops.geojson", "per_page")["default"] == geojson.DEFAULT_PER_PAGE
    assert parameter("/api/v1/shops", "per_page")["default"] == catalogue.DEFAULT_PER_PAGE
    assert parameter("/api/v1/places", "limit")["maximum"] == autocomplete.MAX_LIMIT
    geo = document["paths"]["/api/v1/shops.geojson"]["get"]["responses"]["200"]["content"]
    assert set(geo) == {"application/geo+json"}
    for path in ("/api/v1/search", "/api/v1/shops.geojson"):
        names = {p["name"] for p in document["paths"][path]["get"]["parameters"] if "name" in p}
        assert names == {*SEARCH_PARAMETERS, "page"}, path


def test_bodies_match_the_documented_schemas(demo_module_app, api_schema):
    """A request of each kind that finds rows: the schemas are checked on real results too."""
    client = demo_module_app.test_client()
    shop_id = client.get("/api/v1/shops?per_page=1").get_json()["results"][0]["id"]
    for url in (
        "/api/v1/search?q=pain&near=Arlon",
        "/api/v1/shops.geojson?near=Arlon&per_page=5",
        f"/api/v1/shops/{shop_id}",
        "/api/v1/shops?per_page=3&page=2",
        "/api/v1/categories?lang=nl",
        "/api/v1/places?q=arl",
        "/api/v1/moderation/log",
        "/api/v1/search?near=Arlonnn",
    ):
        response = client.get(url)
        path = url.split("?")[0].replace(f"/{shop_id}", "/{shop_id}")
        operation = api_schema[path]["GET"]
        operation.validate_response(response)
