"""Hostile and clumsy input never gives a 500: each bad field gets its own error message, the
rest of what was typed is kept, nothing is written, and markup always comes out escaped."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from directory.accounts.models import User
from directory.accounts.services import register
from directory.errors import ValidationFailed
from directory.extensions import db
from directory.shops.models import Category, Shop
from directory.shops.services import create_shop, update_shop
from directory.tips.services import add_tip
from tests.conftest import PASSWORD, shop_input
from tests.conftest import database_snapshot as snapshot

LONG = "x" * 10_000
MARKUP = "<script>alert(1)</script>"
ESCAPED_MARKUP = "&lt;script&gt;alert(1)&lt;/script&gt;"
HUGE_NUMBER = "99999999999999999999"

# French messages, as the interface speaks French by default.
TOO_LONG = "ne peut pas contenir plus de"
INVALID_CHARS = "caractères invalides"
REQUIRED = "requis"
NOT_A_CHOICE = "pas un choix valide"
BAD_URL = "Adresse web invalide"
HTML_TAGS = "ne peut pas contenir de balises HTML"


def field_errors(page: str, name: str) -> list[str]:
    """The error messages shown under one form field."""
    found = re.findall(rf'<small class="field-error" id="{name}-error">(.*?)</small>', page, re.S)
    return [html.unescape(message) for message in found]


def has_value(page: str, value: str) -> bool:
    """True when an input of the re-rendered form holds ``value``."""
    return f'value="{escape(value)}"' in page


def bakery_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Category.id).where(Category.slug == "boulangerie"))


@dataclass
class Case:
    """One bad value: what is sent, which field must complain, and with what words."""

    overrides: dict
    error_field: str
    message: str | tuple[str, ...] = ()
    kept: dict = field(default_factory=dict)

    def messages(self) -> tuple[str, ...]:
        return (self.message,) if isinstance(self.message, str) else self.message


def check_refused(response, case: Case, sent: dict) -> str:
    """Status < 500 (400 here), the field's own message, and the other input kept."""
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors = field_errors(page, case.error_field)
    assert errors, f"no error under {case.error_field}"
    for fragment in case.messages():
        assert any(fragment in error for error in errors), errors
    for name, value in case.kept.items():
        assert sent[name] == value and has_value(page, value), f"{name} not kept"
    return page


# --- Posting and editing a shop ----------------------------------------------------------------


def shop_form(app, **overrides) -> dict:
    form = {
        "name": "Fromagerie des Trois Rivières",
        "category_id": str(bakery_id(app)),
        "address": "Rue des Martyrs 3",
        "postcode": "6700",
        "town": "Arlon",
        "country": "BE",
        "website": "https://fromagerie.example.be",
        "phone": "+32 63 21 00 00",
        "description": "Un orval affiné sur place.",
    }
    form.update(overrides)
    return form


def keep_name() -> dict:
    return {"name": "Fromagerie des Trois Rivières"}


def keep_town() -> dict:
    return {"town": "Arlon"}


SHOP_CASES = {
    # name
    "name-10000-chars": Case({"name": LONG}, "name", TOO_LONG, keep_town()),
    "name-nul-byte": Case({"name": "a\x00b"}, "name", INVALID_CHARS, keep_town()),
    "name-control-char": Case({"name": "a\x07b"}, "name", INVALID_CHARS, keep_town()),
    "name-escape-sequence": Case({"name": "\x1b[31mRouge"}, "name", INVALID_CHARS, keep_town()),
    "name-blank": Case({"name": "   "}, "name", REQUIRED, keep_town()),
    "name-markup": Case({"name": MARKUP}, "name", HTML_TAGS, keep_town()),
    "name-bold-tag": Case({"name": "<b>Chez Paul</b>"}, "name", HTML_TAGS, keep_town()),
    # category
    "category-unknown-id": Case({"category_id": "99999"}, "category_id", NOT_A_CHOICE, keep_name()),
    "category-not-an-integer": Case(
        {"category_id": "abc"}, "category_id", "ne peut pas être converti", keep_name()
    ),
    "category-negative": Case({"category_id": "-1"}, "category_id", NOT_A_CHOICE, keep_name()),
    "category-placeholder": Case(
        {"category_id": "0"}, "category_id", "Choisissez une catégorie", keep_name()
    ),
    "category-huge": Case({"category_id": HUGE_NUMBER}, "category_id", NOT_A_CHOICE, keep_name()),
    "category-nul-byte": Case({"category_id": "1\x00"}, "category_id", (), keep_name()),
    # address
    "address-10000-chars": Case({"address": LONG}, "address", TOO_LONG, keep_name()),
    "address-nul-byte": Case({"address": "Rue\x00 3"}, "address", INVALID_CHARS, keep_name()),
    "address-markup": Case({"address": MARKUP}, "address", HTML_TAGS, keep_name()),
    # postcode and town
    "postcode-10000-chars": Case({"postcode": LONG}, "postcode", TOO_LONG, keep_name()),
    "postcode-nul-byte": Case({"postcode": "67\x0000"}, "postcode", INVALID_CHARS, keep_name()),
    "postcode-letters": Case({"postcode": "67OO"}, "postcode", "4 chiffres", keep_name()),
    "postcode-markup": Case({"postcode": "<b>6700"}, "postcode", "4 chiffres", keep_name()),
    "postcode-unknown": Case({"postcode": "9999"}, "postcode", ("9999", "6700 Arlon"), keep_name()),
    "postcode-of-another-town": Case(
        {"postcode": "6600"},
        "postcode",
        ("Arlon n'a pas le code postal 6600", "6700 Arlon"),
        keep_name(),
    ),
    "town-10000-chars": Case({"town": LONG}, "town", TOO_LONG, keep_name()),
    "town-nul-byte": Case({"town": "Ar\x00lon"}, "town", INVALID_CHARS, keep_name()),
    "town-control-char": Case({"town": "Ar\x08lon"}, "town", INVALID_CHARS, keep_name()),
    "town-unknown": Case({"town": "Zzyzxville"}, "town", "Localité inconnue", keep_name()),
    "town-markup": Case({"town": MARKUP}, "town", HTML_TAGS, keep_name()),
    "town-blank": Case({"town": " "}, "town", REQUIRED, keep_name()),
    "town-and-postcode-unknown": Case(
        {"town": "Zzyzxville", "postcode": "6799"}, "town", "inconnus en Belgique", keep_name()
    ),
    # country
    "country-unknown-code": Case({"country": "XX"}, "country", NOT_A_CHOICE, keep_name()),
    "country-empty": Case({"country": ""}, "country", NOT_A_CHOICE, keep_name()),
    "country-nul-byte": Case({"country": "BE\x00"}, "country", NOT_A_CHOICE, keep_name()),
    "country-france-with-a-belgian-postcode": Case(
        {"country": "FR"}, "postcode", "5 chiffres", keep_name()
    ),
    # web links
    "website-javascript": Case({"website": "javascript:alert(1)"}, "website", BAD_URL, keep_name()),
    "website-data-url": Case(
        {"website": "data:text/html,<script>alert(1)</script>"}, "website", BAD_URL, keep_name()
    ),
    "website-with-spaces": Case(
        {"website": "http://fromagerie .example.be"}, "website", BAD_URL, keep_name()
    ),
    "website-protocol-relative": Case(
        {"website": "//evil.example"}, "website", BAD_URL, keep_name()
    ),
    "website-backslashes": Case(
        {"website": "https:\\\\evil.example"}, "website", BAD_URL, keep_name()
    ),
    "website-no-host": Case({"website": "http://"}, "website", BAD_URL, keep_name()),
    "website-broken-ipv6": Case({"website": "http://[::1"}, "website", BAD_URL, keep_name()),
    "website-10000-chars": Case({"website": "https://" + LONG}, "website", TOO_LONG, keep_name()),
    "website-nul-byte": Case(
        {"website": "https://a\x00b.example"}, "website", INVALID_CHARS, keep_name()
    ),
    "eshop-javascript": Case(
        {"eshop_url": "javascript:alert(1)"}, "eshop_url", BAD_URL, keep_name()
    ),
    "eshop-data-url": Case(
        {"eshop_url": "data:text/html;base64,PHNjcmlwdD4="}, "eshop_url", BAD_URL, keep_name()
    ),
    "eshop-with-spaces": Case(
        {"eshop_url": "http://shop.example.be/ma boutique"}, "eshop_url", BAD_URL, keep_name()
    ),
    # phone
    "phone-markup": Case({"phone": MARKUP}, "phone", "téléphone invalide", keep_name()),
    "phone-10000-chars": Case({"phone": LONG}, "phone", TOO_LONG, keep_name()),
    "phone-nul-byte": Case({"phone": "063\x00210000"}, "phone", INVALID_CHARS, keep_name()),
    # description
    "description-10000-chars": Case({"description": LONG}, "description", TOO_LONG, keep_name()),
    "description-nul-byte": Case(
        {"description": "Bon\x00 pain"}, "description", INVALID_CHARS, keep_name()
    ),
    # delivery radius
    "radius-not-a-number": Case(
        {"delivery": "y", "delivery_radius_km": "abc"},
        "delivery_radius_km",
        "entier",
        keep_name(),
    ),
    "radius-negative": Case(
        {"delivery": "y", "delivery_radius_km": "-5"},
        "delivery_radius_km",
        "entre 1 et 200",
        keep_name(),
    ),
    "radius-zero": Case(
        {"delivery": "y", "delivery_radius_km": "0"},
        "delivery_radius_km",
        "entre 1 et 200",
        keep_name(),
    ),
    "radius-huge": Case(
        {"delivery": "y", "delivery_radius_km": HUGE_NUMBER},
        "delivery_radius_km",
        "entre 1 et 200",
        keep_name(),
    ),
    "radius-float": Case(
        {"delivery": "y", "delivery_radius_km": "1e3"},
        "delivery_radius_km",
        "entier",
        keep_name(),
    ),
    "radius-missing-with-delivery": Case(
        {"delivery": "y", "delivery_radius_km": ""},
        "delivery_radius_km",
        "rayon de livraison",
        keep_name(),
    ),
}


@pytest.mark.parametrize("case_id", sorted(SHOP_CASES))
def test_posting_a_shop_with_a_bad_field_is_a_field_error(app, browser, member, case_id):
    case = SHOP_CASES[case_id]
    browser.login(member.email)
    form = shop_form(app, **case.overrides)
    before = snapshot(app)
    check_refused(browser.post("/shops/new", form), case, form)
    assert snapshot(app) == before


@pytest.mark.parametrize("case_id", sorted(SHOP_CASES))
def test_editing_a_shop_with_a_bad_field_is_a_field_error(
    app, browser, member, shop_in_arlon, case_id
):
    case = SHOP_CASES[case_id]
    browser.login(member.email)
    form = shop_form(app, **case.overrides)
    before = snapshot(app)
    check_refused(browser.post(f"/shops/{shop_in_arlon.id}/edit", form), case, form)
    assert snapshot(app) == before


def test_the_valid_shop_form_used_above_is_accepted(app, browser, member):
    """Control: each case above differs from an accepted form by its bad value only."""
    browser.login(member.email)
    assert browser.post("/shops/new", shop_form(app)).status_code == 302
    # Same website and phone as the first: the member confirms it is another shop.
    other = shop_form(
        app, name="Autre", delivery="y", delivery_radius_km="15", confirm_not_duplicate="y"
    )
    assert browser.post("/shops/new", other).status_code == 302


def test_an_unknown_town_with_a_known_postcode_suggests_its_towns(app, browser, member):
    browser.login(member.email)
    page = browser.post("/shops/new", shop_form(app, town="Arlom")).get_data(as_text=True)
    assert any("Arlon" in error for error in field_errors(page, "town"))


def test_an_unknown_town_and_postcode_suggest_close_names(app, browser, member):
    browser.login(member.email)
    response = browser.post("/shops/new", shop_form(app, town="Arlom", postcode="6799"))
    errors = field_errors(response.get_data(as_text=True), "town")
    assert any("Vouliez-vous dire" in error and "6700 Arlon" in error for error in errors)


def test_markup_in_a_shop_name_is_refused_and_shown_back_escaped(app, browser, member):
    browser.login(member.email)
    before = snapshot(app)
    response = browser.post("/shops/new", shop_form(app, name=MARKUP, description=MARKUP))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_errors(page, "name") == ["Le nom ne peut pas contenir de balises HTML."]
    assert has_value(page, MARKUP) and MARKUP not in page
    assert snapshot(app) == before


def test_a_less_than_sign_that_opens_no_tag_is_a_name_like_any_other(app, browser, member):
    browser.login(member.email)
    response = browser.post("/shops/new", shop_form(app, name="Prix < 5 € <3", description=MARKUP))
    assert response.status_code == 302
    with app.app_context():
        shop = db.session.scalar(select(Shop).where(Shop.name == "Prix < 5 € <3"))
        assert shop.description == MARKUP  # descriptions may quote markup; pages escape it


def test_a_re_rendered_shop_form_escapes_what_was_typed(app, browser, member):
    browser.login(member.email)
    page = browser.post("/shops/new", shop_form(app, name=MARKUP, town="Zzyzxville")).get_data(
        as_text=True
    )
    assert MARKUP not in page
    assert ESCAPED_MARKUP in page


# --- The service layer refuses what the form would have caught --------------------------------

SERVICE_CASES = {
    "unknown-category": ({"category_id": 99999}, "category_id"),
    "no-category": ({"category_id": None}, "category_id"),
    "unknown-country": ({"country": "XX"}, "country"),
    "nul-in-name": ({"name": "a\x00b"}, "name"),
    "markup-in-name": ({"name": "<b>Chez Paul</b>"}, "name"),
    "markup-in-address": ({"address": "<img src=x onerror=alert(1)>"}, "address"),
    "markup-in-town": ({"town": "<i>Arlon"}, "town"),
    "nul-in-town": ({"town": "Ar\x00lon"}, "town"),
    "nul-in-postcode": ({"postcode": "67\x0000"}, "postcode"),
    "javascript-website": ({"website": "javascript:alert(1)"}, "website"),
    "data-eshop": ({"eshop_url": "data:text/html,x"}, "eshop_url"),
    "negative-radius": ({"delivery": True, "delivery_radius_km": -5}, "delivery_radius_km"),
    "huge-radius": ({"delivery": True, "delivery_radius_km": 10**20}, "delivery_radius_km"),
    "long-description": ({"description": LONG}, "description"),
}


@pytest.mark.parametrize("case_id", sorted(SERVICE_CASES))
def test_create_shop_service_names_the_bad_field(ctx, member, case_id):
    overrides, bad_field = SERVICE_CASES[case_id]
    with pytest.raises(ValidationFailed) as refused:
        create_shop(db.session.get(User, member.id), shop_input(**overrides))
    assert refused.value.field == bad_field


@pytest.mark.parametrize("case_id", sorted(SERVICE_CASES))
def test_update_shop_service_names_the_bad_field(ctx, member, shop_in_arlon, case_id):
    overrides, bad_field = SERVICE_CASES[case_id]
    shop = db.session.get(Shop, shop_in_arlon.id)
    with pytest.raises(ValidationFailed) as refused:
        update_shop(db.session.get(User, member.id), shop, shop_input(**overrides))
    assert refused.value.field == bad_field


@pytest.mark.parametrize("body", ["a\x00b", LONG, "   ", "\x1b[2J"])
def test_add_tip_service_refuses_bad_text(ctx, other_member, shop_in_arlon, body):
    with pytest.raises(ValidationFailed) as refused:
        add_tip(db.session.get(User, other_member.id), shop_in_arlon.id, body)
    assert refused.value.field == "body"


@pytest.mark.parametrize(
    ("email", "display_name", "bad_field"),
    [
        ("a\x00b@example.org", "Zoé", "email"),
        ("zoe@example.org", "Zo\x00é", "display_name"),
        ("zoe@example.org", LONG, "display_name"),
        (LONG + "@example.org", "Zoé", "email"),
    ],
    ids=["nul-in-email", "nul-in-name", "long-name", "long-email"],
)
def test_register_service_refuses_bad_text(ctx, email, display_name, bad_field):
    with pytest.raises(ValidationFailed) as refused:
        register(email, display_name, PASSWORD, time_cost=1, memory_cost=1024)
    assert refused.value.field == bad_field


# --- Registering -------------------------------------------------------------------------------


def register_form(**overrides) -> dict:
    form = {
        "email": "zoe@example.org",
        "display_name": "Zoé Lambert",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    form.update(overrides)
    return form


KEEP_EMAIL = {"email": "zoe@example.org"}
KEEP_NAME = {"display_name": "Zoé Lambert"}
KEEP_BOTH = {**KEEP_EMAIL, **KEEP_NAME}

REGISTER_CASES = {
    "email-10000-chars": Case({"email": LONG + "@example.org"}, "email", (), KEEP_NAME),
    "email-nul-byte": Case({"email": "zo\x00e@example.org"}, "email", (), KEEP_NAME),
    "email-control-char": Case({"email": "zo\x07e@example.org"}, "email", (), KEEP_NAME),
    "email-markup": Case({"email": MARKUP}, "email", (), KEEP_NAME),
    "email-not-an-address": Case({"email": "zoe-at-example"}, "email", (), KEEP_NAME),
    "name-10000-chars": Case({"display_name": LONG}, "display_name", (), KEEP_EMAIL),
    "name-nul-byte": Case({"display_name": "Zo\x00é"}, "display_name", INVALID_CHARS, KEEP_EMAIL),
    "name-control-char": Case(
        {"display_name": "Zo\x1bé"}, "display_name", INVALID_CHARS, KEEP_EMAIL
    ),
    "name-one-letter": Case({"display_name": "Z"}, "display_name", (), KEEP_EMAIL),
    "name-blank": Case({"display_name": "   "}, "display_name", REQUIRED, KEEP_EMAIL),
    "password-10000-chars": Case({"password": LONG, "confirm": LONG}, "password", (), KEEP_BOTH),
    "password-nul-byte-short": Case(
        {"password": "ab\x00c", "confirm": "ab\x00c"}, "password", "au moins 10", KEEP_BOTH
    ),
    "confirm-differs": Case({"confirm": PASSWORD + "!"}, "confirm", "diffèrent", KEEP_BOTH),
}


@pytest.mark.parametrize("case_id", sorted(REGISTER_CASES))
def test_registering_with_a_bad_field_is_a_field_error(app, browser, case_id):
    case = REGISTER_CASES[case_id]
    form = register_form(**case.overrides)
    before = snapshot(app)
    check_refused(browser.post("/register", form), case, form)
    assert snapshot(app) == before


def test_the_valid_register_form_used_above_is_accepted(browser):
    assert browser.post("/register", register_form()).status_code == 302


def test_markup_in_a_display_name_is_shown_escaped_on_the_profile(app, browser):
    assert browser.post("/register", register_form(display_name=MARKUP)).status_code == 302
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.display_name == MARKUP))
    page = browser.get(f"/users/{user_id}").get_data(as_text=True)
    assert MARKUP not in page
    assert ESCAPED_MARKUP in page


# --- Logging in --------------------------------------------------------------------------------

LOGIN_CASES = {
    "email-10000-chars": ({"email": LONG}, "email"),
    "email-nul-byte": ({"email": "user\x00@example.org"}, "password"),
    "email-control-char": ({"email": "user\x07@example.org"}, "password"),
    "email-markup": ({"email": MARKUP}, "password"),
    "password-10000-chars": ({"password": LONG}, "password"),
    "password-nul-byte": ({"password": "cornichon\x00violet"}, "password"),
    "email-blank": ({"email": " "}, "email"),
}


@pytest.mark.parametrize("case_id", sorted(LOGIN_CASES))
def test_logging_in_with_a_bad_field_is_a_field_error(app, browser, member, case_id):
    overrides, error_field = LOGIN_CASES[case_id]
    form = {"email": member.email, "password": PASSWORD, **overrides}
    response = browser.post("/login", form)
    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), error_field)
    assert browser.get("/shops/new").status_code == 302  # still anonymous


def test_a_failed_login_with_markup_escapes_it(browser, member):
    page = browser.post("/login", {"email": MARKUP, "password": "x"}).get_data(as_text=True)
    assert MARKUP not in page
    assert ESCAPED_MARKUP in page


# --- Tips --------------------------------------------------------------------------------------

TIP_START = "Demandez les pralines"
TIP_CASES = {
    "10000-chars": (TIP_START + " " + LONG, TOO_LONG),
    "nul-byte": (TIP_START + "\x00 maison", INVALID_CHARS),
    "control-char": (TIP_START + "\x07 maison", INVALID_CHARS),
    "escape-sequence": (TIP_START + "\x1b[2J maison", INVALID_CHARS),
    "blank": ("   ", REQUIRED),
    "empty": ("", REQUIRED),
}


@pytest.mark.parametrize("case_id", sorted(TIP_CASES))
def test_a_bad_tip_is_a_field_error_on_the_shop_page(
    app, browser, other_member, shop_in_arlon, case_id
):
    body, message = TIP_CASES[case_id]
    browser.login(other_member.email)
    before = snapshot(app)
    response = browser.post(f"/shops/{shop_in_arlon.id}/tips", {"body": body})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert any(message in error for error in field_errors(page, "body"))
    if body.strip():
        assert re.search(rf'<textarea[^>]*name="body"[^>]*>\s*{TIP_START}', page)
    assert snapshot(app) == before


def test_markup_in_a_tip_is_shown_escaped(app, browser, other_member, shop_in_arlon):
    browser.login(other_member.email)
    response = browser.post(f"/shops/{shop_in_arlon.id}/tips", {"body": MARKUP})
    assert response.status_code == 302
    page = browser.get(f"/shops/{shop_in_arlon.id}", follow_redirects=True).get_data(as_text=True)
    assert MARKUP not in page
    assert ESCAPED_MARKUP in page


# --- Output escaping ---------------------------------------------------------------------------


@pytest.fixture
def markup_shop(app, make_user, make_shop):
    """A shop whose name, address, description and author's name are all markup.

    Names and addresses with tags are refused now; rows stored before still must come out
    escaped, so the fixture writes them directly.
    """
    author = make_user(MARKUP)
    shop = make_shop(author=author, description=MARKUP)
    with app.app_context():
        db.session.execute(
            update(Shop).where(Shop.id == shop.id).values(name=MARKUP, address=MARKUP)
        )
        add_tip(db.session.get(User, author.id), shop.id, MARKUP)
        db.session.commit()
    return shop


@pytest.mark.parametrize(
    "page_url",
    [
        "/",
        "/?sort=new",
        "/categories/boulangerie",
        "/towns/arlon-be",
        "/shops/{shop}",
        "/users/{author}",
    ],
)
def test_markup_stored_in_a_shop_is_escaped_on_every_page(browser, markup_shop, page_url):
    url = page_url.format(shop=markup_shop.id, author=markup_shop.author_id)
    response = browser.get(url, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert MARKUP not in page
    assert ESCAPED_MARKUP in page


def test_markup_stored_in_a_shop_is_escaped_in_its_edit_form(app, browser, markup_shop):
    with app.app_context():
        author = db.session.get(User, markup_shop.author_id)
        email = author.email
    browser.login(email)
    page = browser.get(f"/shops/{markup_shop.id}/edit").get_data(as_text=True)
    assert MARKUP not in page
    assert ESCAPED_MARKUP in page


# --- Query strings and URLs --------------------------------------------------------------------

LIST_PAGES = [
    "/",
    "/categories",
    "/categories/boulangerie",
    "/towns/arlon-be",
    "/users/{member}",
]
NASTY_QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    f"page={HUGE_NUMBER}",
    "page=" + "9" * 5000,
    "page=1e3",
    "page=%00",
    "sort=%3Cscript%3Ealert(1)%3C/script%3E",
    "sort=%00",
    "sort=top&sort=%3Cscript%3E",
    "lang=%3Cscript%3E",
    "page=2&sort=new&unknown=%FF%FE",
]


@pytest.mark.parametrize("query", NASTY_QUERIES)
@pytest.mark.parametrize("page_url", LIST_PAGES)
def test_list_pages_shrug_off_nasty_query_strings(browser, member, shop_in_arlon, page_url, query):
    response = browser.get(page_url.format(member=member.id) + "?" + query)
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", NASTY_QUERIES)
@pytest.mark.parametrize("search_url", ["/search?q=pain&", "/api/v1/search?q=pain&"])
def test_search_refuses_nasty_query_strings_without_a_server_error(
    browser, shop_in_arlon, search_url, query
):
    """Search validates its parameters (a 400 naming them is fine), but never fails."""
    response = browser.get(search_url + query)
    assert response.status_code in (200, 400)
    assert "<script>" not in response.get_data(as_text=True)


def test_a_page_number_too_far_shows_an_empty_list(browser, shop_in_arlon):
    page = browser.get(f"/?page={HUGE_NUMBER}").get_data(as_text=True)
    assert "Aucune adresse pour l'instant." in html.unescape(page)


BAD_PATHS = [
    f"/shops/{HUGE_NUMBER}",
    f"/shops/{HUGE_NUMBER}-slug",
    "/shops/-1",
    f"/users/{HUGE_NUMBER}",
    "/towns/arlon%00-be",
    "/categories/boulan%00gerie",
    "/towns/" + "x" * 5000,
    "/categories/%3Cscript%3E",
    "/static/site%00.css",
    "/lang/%00?next=/%00",
]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_paths_are_not_found_never_a_server_error(browser, path):
    response = browser.get(path)
    assert response.status_code in (302, 404)


@pytest.mark.parametrize(
    "path",
    [
        f"/shops/{HUGE_NUMBER}/edit",
        f"/shops/{HUGE_NUMBER}/vote",
        f"/shops/{HUGE_NUMBER}/unvote",
        f"/shops/{HUGE_NUMBER}/tips",
    ],
)
def test_member_actions_on_an_impossible_shop_id_are_404(app, browser, member, path):
    browser.login(member.email)
    before = snapshot(app)
    response = browser.post(path, {"body": "Un conseil.", "name": "X"})
    assert response.status_code == 404
    assert snapshot(app) == before


# --- Request size and encoding -----------------------------------------------------------------


def test_a_huge_login_body_is_413(browser):
    response = browser.post("/login", {"email": "x" * 2_000_000, "password": "x"})
    assert response.status_code == 413


def test_a_huge_shop_post_is_413_and_creates_nothing(app, browser, member):
    browser.login(member.email)
    before = snapshot(app)
    response = browser.post("/shops/new", shop_form(app, description="x" * 2_000_000))
    assert response.status_code == 413
    assert snapshot(app) == before


def test_a_huge_multipart_upload_is_413(browser, member):
    boundary = "----bonnes-adresses"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"x" * 2_000_000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = browser.client.post(
        "/login", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413


def test_a_form_with_thousands_of_fields_is_refused_not_a_crash(browser):
    boundary = "----bonnes-adresses"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n'
        for i in range(5000)
    )
    response = browser.client.post(
        "/login",
        data=f"{parts}--{boundary}--\r\n".encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413


def test_a_urlencoded_form_with_thousands_of_fields_is_refused_not_a_crash(browser):
    body = "&".join(f"f{i}=x" for i in range(50_000)).encode()
    response = browser.client.post(
        "/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (400, 413)


def test_a_body_that_is_not_utf8_is_a_form_error(browser, member):
    token = browser.csrf_token()
    body = f"csrf_token={token}&email=%FF%FE%FD&password=%C3%28".encode()
    response = browser.client.post(
        "/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), "password")
