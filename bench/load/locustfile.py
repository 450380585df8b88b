"""The load test's users, for Locust (run by ``bench/load/run.py``; ``make load``).

``Browser``: an anonymous visitor (home, text and category search, search around a point, the
map's GeoJSON, shop pages). ``Member``: a logged-in member who also votes, takes votes back,
leaves tips, posts shops and flags. ``Searcher``: text searches alone. ``Static``: one plain
static file, the yardstick measured in the same run. What to ask for (words, points, members)
comes from the JSON file named by ``LOAD_PARAMS``, written by the runner from the seeded
database: this file runs in Locust's own venv, without the app's libraries.

Production cookies are ``Secure`` and the stack runs on plain HTTP behind no proxy, so requests
say ``X-Forwarded-Proto: https`` (gunicorn trusts it from loopback) and the session cookie is
carried by hand: a cookie jar would not send a Secure cookie over HTTP.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, constant, events, task

with open(os.environ["LOAD_PARAMS"], encoding="utf-8") as _params:
    PARAMS = json.load(_params)
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "fr"}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SESSION = re.compile(r"session=([^;]+)")
MEMBERS = itertools.count(1)
FLAG_REASONS = ("wrong_info", "closed", "spam")
server_errors = 0


@events.request.add_listener
def _count_server_errors(response=None, **_kwargs) -> None:
    global server_errors
    if response is not None and getattr(response, "status_code", 0) >= 500:
        server_errors += 1


@events.quitting.add_listener
def _write_server_errors(**_kwargs) -> None:
    with open(os.environ["LOAD_ERRORS_FILE"], "w", encoding="utf-8") as handle:
        handle.write(str(server_errors))


def _shop_id() -> int:
    return random.randint(1, PARAMS["shops"])


def _search_params() -> dict:
    text = random.choice(PARAMS["words"])
    if random.random() < 0.3:
        text += " " + random.choice(PARAMS["modifiers"])
    params = {"q": text}
    if random.random() < 0.25:
        params["category"] = random.choice(PARAMS["categories"])
    return params


class Visitor(FastHttpUser):
    """What every user does: browse and search without an account."""

    abstract = True
    wait_time = constant(0)
    cookie = ""

    def get(self, path: str, name: str, **kwargs):
        return self.client.get(path, name=name, headers=self._headers(), **kwargs)

    def _headers(self) -> dict:
        return {**HEADERS, "Cookie": f"session={self.cookie}"} if self.cookie else HEADERS

    def _form_headers(self) -> dict:
        # Over HTTPS, Flask-WTF also wants a same-origin Referer, as a browser sends.
        referer = self.host.replace("http://", "https://", 1) + "/"
        return {**self._headers(), "Referer": referer}

    @task(6)
    def search(self) -> None:
        self.get("/search", "search", params=_search_params())

    @task(3)
    def search_radius(self) -> None:
        lat, lon = random.choice(PARAMS["points"])
        params = {"near": f"{lat},{lon}", "radius_km": random.choice((5, 10, 25))}
        if random.random() < 0.5:
            params["q"] = random.choice(PARAMS["words"])
        self.get("/search", "search_radius", params=params)

    @task(2)
    def map_geojson(self) -> None:
        lat, lon = random.choice(PARAMS["points"])
        bbox = f"{lon - 0.15:.4f},{lat - 0.1:.4f},{lon + 0.15:.4f},{lat + 0.1:.4f}"
        self.get("/api/v1/shops.geojson", "geojson", params={"bbox": bbox})

    @task(3)
    def shop(self) -> None:
        self.get(f"/shops/{_shop_id()}", "shop")

    @task(1)
    def home(self) -> None:
        self.get("/", "home")


class Browser(Visitor):
    """An anonymous visitor."""

    weight = 3


class Member(Visitor):
    """A logged-in member: browses like a visitor, and writes."""

    weight = 1

    def on_start(self) -> None:
        self.number = next(MEMBERS)
        page = self.client.get("/login", name="login", headers=HEADERS)
        self._keep_cookie(page)
        response = self.client.post(
            "/login",
            name="login",
            headers=self._form_headers(),
            data={
                "csrf_token": self._csrf(page.text),
                "email": PARAMS["member_email"].format(self.number),
                "password": PARAMS["password"],
            },
            max_redirects=0,  # allow_redirects=False is broken in Locust 2.32.4
        )
        self._keep_cookie(response)
        page = self.get("/settings", "settings")
        self._keep_cookie(page)
        self.csrf = self._csrf(page.text)

    def _keep_cookie(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or ():
            found = SESSION.match(header)
            if found:
                self.cookie = found.group(1)

    @staticmethod
    def _csrf(html: str) -> str:
        found = CSRF.search(html or "")
        return found.group(1) if found else ""

    def post(self, path: str, name: str, data: dict, ok: tuple[int, ...] = (302, 303)):
        with self.client.post(
            path,
            name=name,
            headers=self._form_headers(),
            data={"csrf_token": self.csrf, **data},
            max_redirects=0,  # allow_redirects=False is broken in Locust 2.32.4
            catch_response=True,
        ) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")

    @task(5)
    def vote(self) -> None:
        self.post(f"/shops/{_shop_id()}/vote", "vote", {})

    @task(2)
    def unvote(self) -> None:
        self.post(f"/shops/{_shop_id()}/unvote", "unvote", {})

    @task(1)
    def tip(self) -> None:
        body = f"Accueil {random.choice(PARAMS['modifiers'])}, je recommande."
        self.post(f"/shops/{_shop_id()}/tips", "tip", {"body": body})

    @task(1)
    def flag(self) -> None:
        # A second open flag on the same shop re-renders the form (200): it is refused, not lost.
        data = {"reason": random.choice(FLAG_REASONS), "note": "Vu sur place."}
        self.post(f"/shops/{_shop_id()}/flag", "flag", data, ok=(200, 302, 303))

    @task(1)
    def post_shop(self) -> None:
        town = random.choice(PARAMS["towns"])
        data = {
            "name": f"Atelier {random.choice(PARAMS['modifiers'])} {random.randrange(10**9)}",
            "category_id": str(random.choice(PARAMS["category_ids"])),
            "address": f"{random.randint(1, 200)} rue de la Station",
            "postcode": town["postcode"],
            "town": town["name"],
            "country": town["country"],
            "description": "Une adresse ajoutée pendant le test de charge.",
            "confirm_not_duplicate": "y",
        }
        self.post("/shops/new", "post_shop", data)


class Searcher(FastHttpUser):
    """Text searches only, as fast as they are answered: the search figure put beside the
    static one (in the mixed load, search is one share of a saturated mix)."""

    wait_time = constant(0)

    @task
    def search(self) -> None:
        self.client.get("/search", name="search", headers=HEADERS, params=_search_params())


class Static(FastHttpUser):
    """One plain static file: what the stack serves when the app does nothing."""

    wait_time = constant(0)

    @task
    def static(self) -> None:
        self.client.get(PARAMS["static_path"], name="static", headers=HEADERS)
