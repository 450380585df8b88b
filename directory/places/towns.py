"""The search's ``town`` filter: what a person typed, as the town keys the index matches.

"habay" means the commune of Habay, so every locality of it (Habay-la-Neuve, Hachy, Rulles,
Marbehan...); "Brussel" and "Bruxelles" mean the same shops; a postcode means its
localities; a province or département no locality is named after ("Luxembourg",
"Haute-Vienne") means the region. Keys are town names and postcodes: the search library
matches a shop whose town or postcode equals any of them.

The last words of a query may name the place too ("boulangerie arlon", "fleuriste à
Habay"): ``trailing_place`` reads them, when they surely are a place rather than part of a
shop's name ("café de la gare").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from directory.errors import ValidationFailed
from directory.extensions import db
from directory.places.communes import (
    Commune,
    communes_named,
    communes_of_postcode,
    postcode_is_shared,
)
from directory.places.gazetteer import (
    country_of_postcode,
    places_for_postcode,
    places_named,
    split_postcode,
    unknown_place,
)
from directory.places.localised import local_name
from directory.places.models import Place
from directory.places.regions import Region, region_keys, resolve_region
from directory.shops.models import Shop, ShopStatus
from directory.shops.services import town_slug
from directory.text import fold, name_key


@dataclass(frozen=True)
class TownMatch:
    """What a town's text was recognised as, and its keys for the search's town filter."""

    keys: frozenset[str]
    # How: "postcode"; "commune" (a Belgian municipality's French or Dutch name); "locality"
    # (another place of the gazetteer); "region" (a province or département); "listed" (a
    # town of listed shops the gazetteer lacks, like Marbehan).
    kind: str
    region: Region | None = None
    places: tuple[Place, ...] = field(default=(), compare=False, repr=False)


def match_town(text: str, regions: bool = True, codes: bool = True) -> TownMatch | None:
    """What ``text`` (a town, a postcode, "6720 Habay", "Habay (6720)", with ``regions`` a
    region's name or, with ``codes`` too, its code) names; None when nothing does.

    A locality wins over a region of the same name (Namur, Liège); a town of listed shops
    the gazetteer lacks comes last.
    """
    text = text.strip()
    if text.isdigit() and len(text) in (4, 5):
        places = places_for_postcode(text, country_of_postcode(text))
        if not places:
            return None
        return TownMatch(
            frozenset({text, *(p.name for p in places)}), "postcode", places=tuple(places)
        )
    postcode, text = split_postcode(text)
    places = places_named(text)
    if postcode and any(p.postcode == postcode for p in places):
        places = [p for p in places if p.postcode == postcode]
    key = name_key(text)
    communes = [c for c in communes_named(text) if not postcode or postcode in c.postcodes]
    if places:
        keys: set[str] = set()
        for place in places:
            keys |= _place_keys(place, key)
        kind = "commune" if communes else "locality"
        return TownMatch(frozenset(keys), kind, places=tuple(places))
    if communes:  # a municipality no locality is named after (Tessenderlo-Ham)
        return TownMatch(frozenset().union(*map(_commune_keys, communes)), "commune")
    if regions and (region := resolve_region(text, codes=codes)):
        return TownMatch(region_keys(region), "region", region)
    if _has_listed_shops(text):
        return TownMatch(frozenset({text}), "listed")  # a hamlet the gazetteer lacks
    return None


def resolve_town_match(text: str) -> TownMatch:
    """Like ``match_town``, but raises ``ValidationFailed`` (field ``town``), with the
    closest names as suggestions, when nothing knows the town."""
    if match := match_town(text):
        return match
    text = text.strip()
    if text.isdigit() and len(text) in (4, 5):
        raise ValidationFailed(_("Code postal inconnu : %(p)s.", p=text), field="town")
    raise unknown_place(split_postcode(text)[1], "town")


def resolve_town(text: str) -> frozenset[str]:
    """The town keys for ``text`` (a town, a postcode, "6720 Habay", "Habay (6720)", or a
    region no locality is named after).

    Raises ``ValidationFailed`` (field ``town``) with the closest names as suggestions when
    neither the gazetteer nor any listed shop knows the town.
    """
    return resolve_town_match(text).keys


def within(match: TownMatch, keys: frozenset[str]) -> frozenset[str]:
    """The keys of ``match`` that are also in ``keys`` (a region's): the shops in both.

    A town only listed shops know (no gazetteer entry, so not among a region's keys) is in
    the region when one of its shops has one of the region's postcodes.
    """
    if match.kind == "listed":
        (town,) = match.keys
        return match.keys if _listed_postcodes(town) & keys else frozenset()
    return match.keys & keys


def _place_keys(place: Place, key: str) -> set[str]:
    """The keys of one gazetteer place: the whole commune when ``key`` names it."""
    keys = {place.name, local_name(place, "fr"), local_name(place, "nl")}
    if place.country == "FR":
        if _ARRONDISSEMENT.match(place.name_key):
            keys.add(place.postcode)  # Paris 11 is 75011, whose shops may say just "Paris"
        return keys | _arrondissements(place.name_key)
    for commune in communes_of_postcode(place.postcode):
        if commune.is_named(key):
            keys |= _commune_keys(commune)
    return keys


def _commune_keys(commune: Commune) -> set[str]:
    """A Belgian commune's names, postcodes and localities.

    A postcode shared with another commune (1040: Bruxelles and Etterbeek) is left out, so
    that Bruxelles does not take in Etterbeek's shops; the commune's names still match there.
    """
    own = [pc for pc in commune.postcodes if not postcode_is_shared(pc)]
    localities = db.session.scalars(
        select(Place.name).where(Place.country == "BE", Place.postcode.in_(own))
    )
    return {commune.name_fr, commune.name_nl, *own, *localities}


def _arrondissements(key: str) -> set[str]:
    """Paris 01 ... Paris 20 for Paris (likewise Lyon and Marseille)."""
    prefix = key + " "
    names = db.session.scalars(
        select(Place.name).where(
            Place.country == "FR",
            Place.name_key > prefix,
            Place.name_key < prefix + "a",  # digits sort before letters
        )
    )
    return {name for name in names if name_key(name)[len(prefix) :].isdigit()}


def _listed_slugs(text: str) -> list[str]:
    return [town_slug(text, "BE"), town_slug(text, "FR")]


def _has_listed_shops(text: str) -> bool:
    found = db.session.scalar(
        select(Shop.id)
        .where(Shop.town_slug.in_(_listed_slugs(text)), Shop.status == ShopStatus.VISIBLE.value)
        .limit(1)
    )
    return found is not None


def _listed_postcodes(text: str) -> set[str]:
    return set(
        db.session.scalars(
            select(Shop.postcode)
            .where(
                Shop.town_slug.in_(_listed_slugs(text)),
                Shop.status == ShopStatus.VISIBLE.value,
            )
            .distinct()
        )
    )


# Words that may introduce the place at the end of a query (folded). After these, any
# place the gazetteer knows is read as one ("boulangerie à Fontaine"); after the others, only
# a place that would be read without them ("fromagerie en Haute-Vienne").
VOUCHING_INTRODUCERS = frozenset(
    (
        "a",
        "in",
        "te",
        "near",
        "bij",
        "dans",
        "dans le",
        "dans la",
        "dans les",
        "pres de",
        "autour de",
        "lez",
    )
)
PLAIN_INTRODUCERS = frozenset(("au", "en", "sur"))
# A place right after these, with no introducer, is part of a name: "café de la Fontaine",
# "boulangerie du Centre", "Le Moulin".
ARTICLES = frozenset(
    ("de", "du", "des", "d", "l", "la", "le", "les", "aux", "het", "den", "der", "van", "t")
)
# Places whose names are everyday words in a shop search ("restaurant pas cher", "institut
# spa", "vente en vrac bio"): read as places only after a vouching introducer ("à Spa").
EVERYDAY_WORDS = frozenset(
    (
        # Belgian municipalities
        "as",
        "boom",
        "forest",
        "lint",
        "manage",
        "mol",
        "peer",
        "silly",
        "spa",
        # French départements
        "ain",
        "aube",
        "cher",
        "eure",
        "gard",
        "landes",
        "lot",
        "manche",
        "marne",
        "nord",
        "orne",
        "somme",
        "tarn",
        "var",
        # French villages and shop words in general
        "bar",
        "bio",
        "bois",
        "by",
        "celles",
        "centre",
        "chapelle",
        "cours",
        "eu",
        "fontaine",
        "gare",
        "ham",
        "marche",
        "mer",
        "moulin",
        "moulins",
        "termes",
        "y",
    )
)
MAX_PLACE_WORDS = 3
_WORD = re.compile(r"\S+")
_ANY_WORD = re.compile(r"\w")
_ARRONDISSEMENT = re.compile(r"^\D+ \d{1,2}$")


@dataclass(frozen=True)
class PlaceWords:
    """The place read at the end of a query, and the query without it."""

    # The words before the place, without the word introducing it: "fleuriste".
    text: str
    # The place as typed: "Habay", "paris 11", "Haute-Vienne".
    words: str
    match: TownMatch


def trailing_place(query: str) -> PlaceWords | None:
    """The place the last one to three words of ``query`` name, if surely a place.

    The longest such words win ("paris 11" over "11"), a word may introduce them ("à",
    "in", "près de"...), and at least one word must remain: a bare "arlon" is a search for
    the word. A place is read when it is a postcode, a Belgian municipality (French or Dutch
    name), a province or département, a French city with several postcodes (Paris,
    Limoges) or one of its arrondissements, or a town with listed shops; any other locality
    of the gazetteer needs "à", "in", "bij"... before it. Never right after an article
    ("café de la Fontaine") nor an everyday word ("Spa", "Cher") without such a word.
    """
    words = list(_WORD.finditer(query))
    for size in range(min(MAX_PLACE_WORDS, len(words) - 1), 0, -1):
        before, place = words[:-size], words[-size:]
        folded = [fold(word.group()).strip(",;:.") for word in before]
        introducer = _introducer(folded)
        kept = before[: len(before) - len(introducer.split())] if introducer else before
        if not kept:
            continue
        typed = query[place[0].start() :].strip().rstrip(".,;:!?")
        match = match_town(typed, codes=False)
        if match is None or not _surely_a_place(match, typed, introducer, folded[-1]):
            continue
        text = query[: kept[-1].end()].rstrip(" ,;:-")
        if not _ANY_WORD.search(text):  # "- arlon": nothing left to look for
            continue
        return PlaceWords(text, typed, match)
    return None


def _introducer(folded: list[str]) -> str | None:
    for length in (2, 1):
        if len(folded) >= length:
            words = " ".join(folded[-length:])
            if words in VOUCHING_INTRODUCERS or words in PLAIN_INTRODUCERS:
                return words
    return None


def _surely_a_place(match: TownMatch, typed: str, introducer: str | None, previous: str) -> bool:
    if introducer in VOUCHING_INTRODUCERS:
        return True
    if introducer is None and previous in ARTICLES:
        return False
    if name_key(typed) in EVERYDAY_WORDS:
        return False
    if match.kind != "locality":
        return True
    return _is_a_city(match) or _has_listed_shops(split_postcode(typed)[1])


def _is_a_city(match: TownMatch) -> bool:
    """A French town with postcodes of its own (Paris, Limoges), or an arrondissement."""
    postcodes: dict[tuple[str, str, str], set[str]] = {}
    for place in match.places:
        if place.country == "FR":
            if _ARRONDISSEMENT.match(place.name_key):
                return True
            postcodes.setdefault((place.name_key, place.admin, "FR"), set()).add(place.postcode)
    return any(len(codes) > 1 for codes in postcodes.values())
