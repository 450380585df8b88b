"""While the indexer lags, totals and facets agree with the results shown."""

import pytest

from app import create_app
from directory.extensions import db
from directory.shops.models import Shop
from tests.conftest import base_config


@pytest.fixture
def worker_app(database_url, tmp_path):
    """The site as production runs it: the outbox waits for `flask search-indexer`."""
    app = create_app({**base_config(database_url, tmp_path), "SEARCH_SYNC": "worker"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def florists(worker_app, make_shop) -> list[Shop]:
    """Three florists in Arlon, indexed; then the first one is hidden, which is not drained."""
    shops = [
        make_shop(name=f"Fleurs {name}", category="fleuriste", takeaway=True)
        for name in ("Anna", "Berthe", "Chantal")
    ]
    assert worker_app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    with worker_app.app_context():
        db.session.get(Shop, shops[0].id).status = "hidden"
        db.session.commit()
    return shops


def pages(client, query: str, per_page: int = 1) -> list[dict]:
    bodies = []
    for page in range(1, 4):
        response = client.get(f"/api/v1/search?{query}&per_page={per_page}&page={page}")
        assert response.status_code == 200
        bodies.append(response.get_json())
    return bodies


def test_totals_agree_with_the_results_on_every_page(worker_app, florists):
    bodies = pages(worker_app.test_client(), "q=fleuriste")
    shown = [result["id"] for body in bodies for result in body["results"]]
    assert {body["total"] for body in bodies} == {len(shown)} == {2}
    assert florists[0].id not in shown


def test_facets_do_not_count_a_hidden_shop(worker_app, florists):
    (body, *_rest) = pages(worker_app.test_client(), "q=fleuriste")
    assert [(f["slug"], f["count"]) for f in body["facets"]["category"]] == [("fleuriste", 2)]
    assert [(f["name"], f["count"]) for f in body["facets"]["town"]] == [("Arlon", 2)]
    assert [(f["slug"], f["count"]) for f in body["facets"]["services"]] == [("takeaway", 2)]


def test_the_search_page_counts_only_what_it_can_show(worker_app, florists):
    client = worker_app.test_client()
    for page in (1, 2):
        html = client.get(f"/search?q=fleuriste&per_page=1&page={page}").get_data(as_text=True)
        assert "2 adresses trouvées" in html
        assert "Fleurs Anna" not in html
