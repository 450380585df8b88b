"""Interface languages: French by default, Dutch and English on request, complete catalogues."""

from __future__ import annotations

import html
import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import ngettext

from directory.config import PROJECT_ROOT
from directory.errors import ValidationFailed
from directory.extensions import db
from directory.i18n import LANGUAGE_COOKIE
from directory.places.gazetteer import geocode
from directory.shops.models import Category

TRANSLATIONS = PROJECT_ROOT / "translations"
TRANSLATED = ("nl", "en")
# %(name)s, %(n)d, %% ...: what Python's %-formatting reads in a message.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")

# What each language shows in the navigation, on the login page and on a shop page.
NAV = {
    "fr": ("Rechercher", "Catégories", "Connexion", "Inscription"),
    "nl": ("Zoeken", "Categorieën", "Aanmelden", "Registreren"),
    "en": ("Search", "Categories", "Log in", "Sign up"),
}
LOGIN = {
    "fr": ("Mot de passe", "Se connecter", "Pas encore de compte ?"),
    "nl": ("Wachtwoord", "Aangemeld blijven", "Nog geen account?"),
    "en": ("Password", "Remember me", "No account yet?"),
}
SHOP = {
    "fr": ("Je recommande", "Conseils des membres", "0 vote", "Belgique"),
    "nl": ("Ik raad dit aan", "Tips van leden", "0 stemmen", "België"),
    "en": ("I recommend it", "Members' tips", "0 votes", "Belgium"),
}
BAKERY = {"fr": "Boulangerie & pâtisserie", "nl": "Bakkerij & patisserie", "en": "Bakery & pastry"}


def text_of(response) -> str:
    """The page as a reader sees it: entities decoded (``&amp;``, ``&#39;``)."""
    return html.unescape(response.get_data(as_text=True))


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def nav_of(page: str) -> str:
    return re.search(r"<header class=\"container\">(.*?)</header>", page, re.S).group(1)


def shop_url(shop) -> str:
    return f"/shops/{shop.id}-{shop.slug}"


# --- Choosing the language ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_lang_parameter_translates_home_login_and_shop_pages(browser, shop_in_arlon, lang):
    home = text_of(browser.get(f"/?lang={lang}"))
    assert html_lang(home) == lang
    for label in NAV[lang]:
        assert label in nav_of(home)
    for label in NAV["fr"]:
        assert label not in nav_of(home)

    login = text_of(browser.get(f"/login?lang={lang}"))
    assert html_lang(login) == lang
    for label in LOGIN[lang]:
        assert label in login
    assert "Mot de passe" not in login

    shop = browser.get(f"{shop_url(shop_in_arlon)}?lang={lang}")
    assert shop.status_code == 200
    page = text_of(shop)
    assert html_lang(page) == lang
    for label in (*SHOP[lang], BAKERY[lang]):
        assert label in page
    assert "Je recommande" not in page


def test_french_is_the_default_without_any_wish(browser, shop_in_arlon):
    for url in ("/", "/login", shop_url(shop_in_arlon)):
        page = text_of(browser.get(url))
        assert html_lang(page) == "fr"
        for label in NAV["fr"]:
            assert label in nav_of(page)
    page = text_of(browser.get(shop_url(shop_in_arlon)))
    for label in (*SHOP["fr"], BAKERY["fr"]):
        assert label in page


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("nl-BE", "nl"),
        ("nl-BE,nl;q=0.9,fr;q=0.5", "nl"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-BE,fr;q=0.9,nl;q=0.8", "fr"),
        ("de-DE,de;q=0.9", "fr"),  # a language without a catalogue: French
    ],
)
def test_browser_language_picks_a_compiled_catalogue(browser, accept, lang):
    page = text_of(browser.get("/", headers={"Accept-Language": accept}))
    assert html_lang(page) == lang
    assert NAV[lang][0] in nav_of(page)


def test_language_link_sets_a_cookie_that_later_pages_follow(browser, shop_in_arlon):
    response = browser.get("/lang/nl?next=/login")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    cookie = browser.client.get_cookie(LANGUAGE_COOKIE)
    assert cookie is not None and cookie.value == "nl"

    for url in ("/", "/login", shop_url(shop_in_arlon)):
        page = text_of(browser.get(url))
        assert html_lang(page) == "nl"
        assert "Zoeken" in nav_of(page)

    # The cookie beats the browser's wish; an explicit ?lang= (a shared link) replaces it.
    page = text_of(browser.get("/", headers={"Accept-Language": "en-GB"}))
    assert html_lang(page) == "nl"
    assert html_lang(text_of(browser.get("/?lang=fr"))) == "fr"
    assert html_lang(text_of(browser.get("/"))) == "fr"


def test_the_switcher_wins_over_a_lang_parameter_in_the_page_it_returns_to(browser):
    browser.get("/search?q=pain&lang=en")
    response = browser.get("/lang/nl?next=/search?q=pain%26lang=en")
    assert response.headers["Location"].endswith("/search?q=pain")
    assert html_lang(text_of(browser.get(response.headers["Location"]))) == "nl"


def test_links_of_a_page_drop_lang_so_the_cookie_decides(browser):
    page = text_of(browser.get("/search?q=pain&lang=en"))
    assert "lang%3Den" not in page and "lang=en&" not in page

    browser.get("/lang/en")
    assert html_lang(text_of(browser.get("/"))) == "en"
    browser.get("/lang/fr")
    assert html_lang(text_of(browser.get("/"))) == "fr"


def test_unknown_language_code_changes_nothing(browser):
    browser.get("/lang/de")
    assert browser.client.get_cookie(LANGUAGE_COOKIE) is None
    assert html_lang(text_of(browser.get("/?lang=de"))) == "fr"


# --- What follows the language ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", *TRANSLATED])
def test_category_names_follow_the_language(app, browser, lang):
    page = text_of(browser.get(f"/categories?lang={lang}"))
    assert BAKERY[lang] in page
    for other, name in BAKERY.items():
        if other != lang:
            assert name not in page
    with app.test_request_context(f"/?lang={lang}"):
        bakery = db.session.scalar(db.select(Category).where(Category.slug == "boulangerie"))
        assert bakery.name == BAKERY[lang]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Localité et code postal inconnus en Belgique."),
        ("nl", "Onbekende gemeente en postcode in België."),
        ("en", "Unknown town and postcode in Belgium."),
    ],
)
def test_service_messages_follow_the_language(app, lang, message):
    with app.test_request_context(f"/?lang={lang}"), pytest.raises(ValidationFailed) as failure:
        geocode("BE", "6799", "Zzyzxville")
    assert failure.value.message.startswith(message)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", ("0 adresse", "1 adresse", "2 adresses")),
        ("nl", ("0 adressen", "1 adres", "2 adressen")),
        ("en", ("0 places", "1 place", "2 places")),
    ],
)
def test_plural_rules_of_each_language(app, lang, expected):
    with app.test_request_context(f"/?lang={lang}"):
        for n, text in zip((0, 1, 2), expected, strict=True):
            assert ngettext("%(num)d adresse", "%(num)d adresses", n) == text


def test_french_counts_zero_in_the_singular(browser, make_shop):
    """French says "0 adresse", as for 1; Dutch and English say "0 adressen", "0 places"."""
    assert "<p>0 adresse</p>" in browser.get("/categories/fleuriste").get_data(as_text=True)
    make_shop(name="Fleurs des Champs", category="fleuriste")
    assert "<p>1 adresse</p>" in browser.get("/categories/fleuriste").get_data(as_text=True)
    make_shop(name="Le Bouquet", category="fleuriste")
    assert "<p>2 adresses</p>" in browser.get("/categories/fleuriste").get_data(as_text=True)
    # (An empty search says "Aucune adresse ne correspond" rather than counting to zero.)
    page = browser.get("/categories/bijouterie?lang=nl").get_data(as_text=True)
    assert "0 adressen" in page


# --- The catalogues ----------------------------------------------------------------------------


def read_catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def source_messages() -> set:
    """Every msgid in the code and templates, extracted as ``make messages`` does."""
    with (PROJECT_ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def sources() -> set:
    return source_messages()


@pytest.mark.parametrize("lang", [*TRANSLATED, "fr"])
def test_catalogue_covers_every_interface_string(lang, sources):
    """A string added to the code without ``make translations`` fails here."""
    catalogue = read_catalogue(lang)
    known = {message.id for message in catalogue if message.id}
    missing = sorted(str(m) for m in sources - known)
    assert not missing, f"{lang}: run `make translations` and translate {missing}"


@pytest.mark.parametrize("lang", [*TRANSLATED, "fr"])
def test_every_message_is_translated_with_the_same_placeholders(lang):
    catalogue = read_catalogue(lang)
    assert catalogue.num_plurals == 2
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(("fuzzy", message.id))
        if isinstance(message.id, tuple | list):
            msgids = [message.id[0]] + [message.id[1]] * (catalogue.num_plurals - 1)
            strings = list(message.string)
            if len(strings) != catalogue.num_plurals:
                problems.append(("plural forms", message.id))
                continue
        else:
            msgids, strings = [message.id], [message.string]
        for source, string in zip(msgids, strings, strict=True):
            if not string or not string.strip():
                problems.append(("untranslated", source))
            elif placeholders(string) != placeholders(source):
                problems.append(("placeholders", source, string))
            else:
                values = dict.fromkeys(re.findall(r"%\((\w+)\)", source), 1)
                try:
                    string % values
                except (KeyError, TypeError, ValueError) as error:
                    problems.append(("formatting", source, string, error))
    assert not problems, problems


def as_tuples(messages) -> dict:
    """msgid -> msgstr, with the (singular, plural) lists of ngettext entries as tuples."""

    def key(value):
        return value if isinstance(value, str) else tuple(value)

    return {key(message.id): key(message.string) for message in messages if message.id}


def test_french_catalogue_is_the_identity():
    """French needs no translation: its catalogue only brings the French plural rule."""
    catalogue = read_catalogue("fr")
    assert catalogue.plural_expr == "(n > 1)"
    changed = {k: v for k, v in as_tuples(catalogue).items() if k != v}
    assert not changed, "run `make translations` (translations/fill_french.py)"


@pytest.mark.parametrize("lang", [*TRANSLATED, "fr"])
def test_compiled_catalogue_matches_its_source(lang):
    """The committed .mo is what the app loads: it must be compiled from the current .po."""
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = as_tuples(read_mo(f))
    assert compiled == as_tuples(read_catalogue(lang))


def test_dates_follow_the_languages_region(app, browser, member):
    from datetime import datetime

    from directory.extensions import db

    with app.app_context():
        db.session.merge(member).created_at = datetime(2026, 3, 18)
        db.session.commit()
    english = browser.get(f"/users/{member.id}?lang=en").get_data(as_text=True)
    french = browser.get(f"/users/{member.id}?lang=fr").get_data(as_text=True)
    assert "18 Mar 2026" in english  # British order, not "Mar 18, 2026"
    assert "18 mars 2026" in french
