"""Place names in the interface language: Brussel for Dutch, Bruxelles for French.

The gazetteer names a Belgian locality in its official language (Dutch in Flanders, French
in Wallonia and Brussels) and adds alias rows with the other language's name at the same
postcode and coordinates (``be_fr_aliases.csv``, ``be_nl_aliases.csv``). An alias row is
French in a Flemish province and Dutch elsewhere, which tells the language of each name.
English has no names of its own there: it gets the official name (Liège, Antwerpen).
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale
from sqlalchemy import select

from directory.extensions import db
from directory.places.models import Place

FLEMISH_PROVINCES = frozenset(
    ("Anvers", "Brabant flamand", "Flandre-Occidentale", "Flandre-Orientale", "Limbourg")
)

# (country, postcode, name_key) -> {"fr": name, "nl": name}, one map per database.
_names_cache: dict[str, dict[tuple[str, str, str], dict[str, str]]] = {}


def interface_language() -> str:
    """``fr``, ``nl`` or ``en``: the language of the current request (French outside one)."""
    if not has_request_context():
        return "fr"
    locale = get_locale()
    return locale.language if locale else "fr"


def _alias_language(place: Place) -> str:
    return "fr" if place.admin in FLEMISH_PROVINCES else "nl"


def _base_language(place: Place) -> str:
    return "nl" if place.admin in FLEMISH_PROVINCES else "fr"


def _translations() -> dict[tuple[str, str, str], dict[str, str]]:
    """Both names of every place the alias files translate, keyed by either name."""
    cache_key = str(db.engine.url)
    if cache_key in _names_cache:
        return _names_cache[cache_key]
    aliases = list(db.session.scalars(select(Place).where(Place.is_alias.is_(True))))
    if not aliases:
        return {}  # not seeded yet: do not cache the emptiness
    bases = {
        (p.country, p.postcode, p.lat, p.lon): p
        for p in db.session.scalars(
            select(Place).where(
                Place.is_alias.is_(False),
                Place.postcode.in_({alias.postcode for alias in aliases}),
            )
        )
    }
    names: dict[tuple[str, str, str], dict[str, str]] = {}
    for alias in aliases:
        base = bases.get((alias.country, alias.postcode, alias.lat, alias.lon))
        if base is None:
            continue
        pair = {
            _alias_language(alias): alias.name,
            _base_language(base): base.name,
            "official": base.name,
        }
        names[(alias.country, alias.postcode, alias.name_key)] = pair
        names[(base.country, base.postcode, base.name_key)] = pair
    _names_cache[cache_key] = names
    return names


def local_name(place: Place, language: str | None = None) -> str:
    """The place's name in ``language`` (default: the interface's) where the gazetteer has it."""
    names = _translations().get((place.country, place.postcode, place.name_key))
    if not names:
        return place.name
    return names.get(language or interface_language(), names["official"])
