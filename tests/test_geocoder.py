"""The optional online geocoder, against a loopback server that answers like the real services.

Nominatim answers ``/search`` with a JSON list whose coordinates are strings; the Base Adresse
Nationale answers ``/search/`` with a GeoJSON FeatureCollection, ``[lon, lat]``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from directory.accounts.models import User
from directory.extensions import db
from directory.places.gazetteer import geocode
from directory.places.geocoder import geocode_address, locate_shop
from directory.shops.services import create_shop
from tests.conftest import shop_input

ARLON = (49.6833, 5.8167)
GRAND_RUE = (49.68412, 5.81496)  # a street of Arlon
BASTOGNE = (50.0036, 5.7197)  # a street of the same name 36 km away


@dataclass
class FakeService:
    """What the loopback server answers, and what it was asked."""

    answer: tuple[float, float] | None = GRAND_RUE
    status: int = 200
    hang: bool = False  # wait (until the test ends) instead of answering
    requests: list[tuple[str, dict]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    flavour: str = "nominatim"  # or "ban"

    def body(self, path: str) -> bytes:
        if path.rstrip("/") == "/search" and "ban" in self.flavour:
            features = []
            if self.answer:
                lat, lon = self.answer
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [lon, lat]},
                        "properties": {"label": "8 Boulevard du Port 80000 Amiens", "score": 0.9},
                    }
                )
            return json.dumps({"type": "FeatureCollection", "features": features}).encode()
        places = []
        if self.answer:
            lat, lon = self.answer
            places.append({"lat": f"{lat}", "lon": f"{lon}", "display_name": "Grand-Rue, Arlon"})
        return json.dumps(places).encode()


def _handler(service: FakeService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            parts = urlsplit(self.path)
            service.requests.append((parts.path, parse_qs(parts.query)))
            if service.hang:
                service.released.wait(timeout=10)
                return
            if service.status != 200:
                self.send_error(service.status)
                return
            body = service.body(parts.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass  # keep the test output quiet

    return Handler


@pytest.fixture
def service(app) -> Iterator[FakeService]:
    """A loopback geocoding service, and the app configured to use it (Nominatim first)."""
    fake = FakeService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(
        GEOCODER="nominatim",
        GEOCODER_URL=f"http://127.0.0.1:{server.server_port}",
        GEOCODER_TIMEOUT=0.5,
    )
    yield fake
    fake.released.set()
    server.shutdown()
    server.server_close()
    thread.join()


def use_ban(app, service: FakeService) -> None:
    app.config["GEOCODER"] = "ban"
    service.flavour = "ban"


def test_nominatim_answers_a_structured_query(app, ctx, service):
    assert geocode_address("Grand-Rue 12", "6700", "Arlon", "BE") == GRAND_RUE
    ((path, query),) = service.requests
    assert path == "/search"
    assert query["street"] == ["Grand-Rue 12"]
    assert query["postalcode"] == ["6700"] and query["city"] == ["Arlon"]
    assert query["countrycodes"] == ["be"] and query["format"] == ["json"]


def test_ban_answers_a_french_address(app, ctx, service):
    use_ban(app, service)
    service.answer = (49.8941, 2.3056)
    assert geocode_address("8 Boulevard du Port", "80000", "Amiens", "FR") == (49.8941, 2.3056)
    ((path, query),) = service.requests
    assert path.rstrip("/") == "/search"
    assert query["q"] == ["8 Boulevard du Port, 80000 Amiens"]


def test_ban_is_never_asked_about_belgium(app, ctx, service):
    use_ban(app, service)
    assert geocode_address("Grand-Rue 12", "6700", "Arlon", "BE") is None
    assert service.requests == []


def test_none_never_leaves_the_machine(app, ctx, service):
    app.config["GEOCODER"] = "none"
    assert geocode_address("Grand-Rue 12", "6700", "Arlon", "BE") is None
    assert service.requests == []


def test_an_address_without_a_street_is_not_looked_up(app, ctx, service):
    assert geocode_address("  ", "6700", "Arlon", "BE") is None
    assert service.requests == []


def test_an_unknown_address_is_none(app, ctx, service):
    service.answer = None
    assert geocode_address("Rue Imaginaire 1", "6700", "Arlon", "BE") is None


@pytest.mark.parametrize("flavour", ["nominatim", "ban"])
def test_a_failing_service_is_none_and_logged(app, ctx, service, caplog, flavour):
    if flavour == "ban":
        use_ban(app, service)
    service.status = 500
    assert geocode_address("Grand-Rue 12", "6700", "Arlon", "FR") is None
    assert "geocoder" in caplog.text and "failed" in caplog.text


def test_a_service_that_times_out_is_none(app, ctx, service, caplog):
    service.hang = True
    assert geocode_address("Grand-Rue 12", "6700", "Arlon", "BE") is None
    assert "failed" in caplog.text


def test_a_service_that_is_down_is_none(app, ctx, service):
    app.config["GEOCODER_URL"] = "http://127.0.0.1:9"  # discard: nothing listens there
    assert geocode_address("Grand-Rue 12", "6700", "Arlon", "BE") is None


@pytest.mark.parametrize("answer", [(123.0, 5.8), (float("nan"), 5.8), ("quarante-neuf", 5.8)])
def test_an_impossible_answer_is_none(app, ctx, service, answer):
    service.answer = answer
    assert geocode_address("Grand-Rue 12", "6700", "Arlon", "BE") is None


def test_a_geocoded_point_in_reach_places_the_shop(app, ctx, service):
    arlon = geocode("BE", "6700", "Arlon")
    assert locate_shop("Grand-Rue 12", arlon) == GRAND_RUE


def test_a_geocoded_point_too_far_falls_back_to_the_town_centre(app, ctx, service):
    service.answer = BASTOGNE
    arlon = geocode("BE", "6700", "Arlon")
    assert locate_shop("Grand-Rue 12", arlon) == pytest.approx(ARLON)
    assert len(service.requests) == 1


def test_a_posted_shop_without_a_position_stands_at_its_geocoded_address(ctx, service, member):
    shop = create_shop(db.session.get(User, member.id), shop_input(address="Grand-Rue 12"))
    assert (shop.lat, shop.lon) == GRAND_RUE


def test_a_position_given_is_not_geocoded(ctx, service, member):
    author = db.session.get(User, member.id)
    shop = create_shop(author, shop_input(lat=49.685, lon=5.822))
    assert (shop.lat, shop.lon) == (49.685, 5.822)
    assert service.requests == []


def test_a_posted_shop_falls_back_to_its_town_when_the_service_fails(ctx, service, member):
    service.status = 500
    shop = create_shop(db.session.get(User, member.id), shop_input(address="Grand-Rue 12"))
    assert (shop.lat, shop.lon) == pytest.approx(ARLON)
