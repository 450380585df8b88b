"""Regions: Belgian provinces (and the Brussels region) and French départements.

The gazetteer's ``admin`` column names each place's province or département in French
("Luxembourg", "Brabant wallon", "Haute-Vienne"). A region answers to that name, to its
Dutch, English and German names in Belgium ("Luxemburg", "Waals-Brabant", "Walloon Brabant"),
and to its code: the département number ("87", "08", "2A"), derived from its places'
postcodes, or the ISO 3166-2 code of a Belgian province ("WLX", "BE-WLX").

Search matches a shop's town or postcode, so a region filters as the set of its postcodes and
of the locality names no other region shares (``region_keys``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from rapidfuzz import fuzz, process
from sqlalchemy import func, select

from directory.errors import ValidationFailed
from directory.extensions import db
from directory.places.localised import interface_language
from directory.places.models import PLACE_NAME_MAX_LENGTH, Place
from directory.text import name_key

# admin value -> (ISO 3166-2 code, {language: name}, other spellings).
BELGIAN_REGIONS: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "Anvers": ("VAN", {"nl": "Antwerpen", "en": "Antwerp"}, ()),
    "Brabant flamand": (
        "VBR",
        {"nl": "Vlaams-Brabant", "en": "Flemish Brabant"},
        ("Flämisch-Brabant",),
    ),
    "Brabant wallon": (
        "WBR",
        {"nl": "Waals-Brabant", "en": "Walloon Brabant"},
        ("Wallonisch-Brabant",),
    ),
    "Bruxelles-Capitale": (
        "BRU",
        {"nl": "Brussels Hoofdstedelijk Gewest", "en": "Brussels-Capital"},
        ("Brussel-Hoofdstad", "Brussels", "Région bruxelloise", "Brussels Gewest"),
    ),
    "Flandre-Occidentale": (
        "VWV",
        {"nl": "West-Vlaanderen", "en": "West Flanders"},
        ("Westflandern",),
    ),
    "Flandre-Orientale": (
        "VOV",
        {"nl": "Oost-Vlaanderen", "en": "East Flanders"},
        ("Ostflandern",),
    ),
    "Hainaut": ("WHT", {"nl": "Henegouwen", "en": "Hainaut"}, ("Hennegau",)),
    "Limbourg": ("VLI", {"nl": "Limburg", "en": "Limburg"}, ()),
    "Liège": ("WLG", {"nl": "Luik", "en": "Liège"}, ("Lüttich",)),
    "Luxembourg": ("WLX", {"nl": "Luxemburg", "en": "Luxembourg"}, ()),
    "Namur": ("WNA", {"nl": "Namen", "en": "Namur"}, ()),
}
# Corsica's postcodes all start with 20; its two départements have letters for codes.
CORSICAN_CODES = {"Corse-du-Sud": "2A", "Haute-Corse": "2B"}
# "Province de Luxembourg", "provincie Limburg", "département de la Haute-Vienne" (folded).
_PREFIX = re.compile(
    r"^(?:province|provincie|prov|departement|dept|dep|region|gewest)"
    r"(?: (?:de la|de l|des|du|de|d))? "
)
_CODE = re.compile(r"^(?:(?:fr|be)[- ]?)?(\d{2}|2[ab]|97\d|[a-z]{3})$")
# "87 Haute-Vienne", "Haute-Vienne (87)": how a suggestion or a label writes a region.
_CODE_AND_NAME = re.compile(r"^\s*(\w{2,3})\s+(.+?)\s*$|^\s*(.+?)\s*\((\w{2,3})\)\s*$")
SPELLING_CUTOFF = 60


@dataclass(frozen=True)
class Region:
    """A Belgian province (or the Brussels region) or a French département."""

    country: str
    # As the gazetteer's admin column writes it (French): "Luxembourg", "Haute-Vienne".
    name: str
    # "87", "2A" for a département; the ISO 3166-2 subdivision ("WLX") for Belgium.
    code: str
    # The centre: the mean position of its places (what ``near`` measures distances from).
    lat: float = field(compare=False, repr=False)
    lon: float = field(compare=False, repr=False)
    # Its names in other languages: (("nl", "Luxemburg"), ("en", "Luxembourg")).
    translations: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)
    # Further spellings it answers to (German names, "Brussels").
    aliases: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def kind(self) -> str:
        """``departement``, ``province`` or ``region`` (Brussels-Capital)."""
        if self.country == "FR":
            return "departement"
        return "region" if self.code == "BRU" else "province"

    @property
    def names(self) -> tuple[str, ...]:
        """Every name and spelling the region answers to."""
        return (self.name, *(name for _lang, name in self.translations), *self.aliases)

    def label(self, language: str | None = None) -> str:
        """Its name in ``language`` (default: the interface's): Luxemburg for Dutch."""
        wanted = language or interface_language()
        return dict(self.translations).get(wanted, self.name)

    def __str__(self) -> str:
        return self.label()


@dataclass(frozen=True)
class RegionSuggestion:
    """A region offered when the one typed is unknown, shaped like a place suggestion (the
    API lists suggestions as name, postcode and country: the code stands as the postcode)."""

    name: str
    postcode: str
    country: str

    def __str__(self) -> str:
        return f"{self.name} ({self.postcode})"


@dataclass(frozen=True)
class _Catalogue:
    regions: tuple[Region, ...]
    by_name: dict[str, Region]
    by_code: dict[str, Region]


_catalogues: dict[str, _Catalogue] = {}
_keys_cache: dict[tuple[str, str, str], frozenset[str]] = {}


def _department_codes() -> dict[str, str]:
    """Each département's code: the commonest first digits of its places' postcodes."""
    prefix = func.substr(Place.postcode, 1, 3)
    rows = db.session.execute(
        select(Place.admin, prefix, func.count())
        .where(Place.country == "FR", Place.is_alias.is_(False))
        .group_by(Place.admin, prefix)
    ).all()
    two: dict[str, Counter[str]] = {}
    three: dict[str, Counter[str]] = {}
    for admin, first3, count in rows:
        two.setdefault(admin, Counter())[first3[:2]] += count
        three.setdefault(admin, Counter())[first3] += count
    codes = {}
    for admin, counts in two.items():
        code = counts.most_common(1)[0][0]
        if code == "20":
            code = CORSICAN_CODES.get(admin, code)
        elif code == "97":  # overseas: three digits (971 Guadeloupe...)
            code = three[admin].most_common(1)[0][0]
        codes[admin] = code
    return codes


def _load() -> _Catalogue:
    cache_key = str(db.engine.url)
    if cache_key in _catalogues:
        return _catalogues[cache_key]
    rows = db.session.execute(
        select(Place.country, Place.admin, func.avg(Place.lat), func.avg(Place.lon))
        .where(Place.is_alias.is_(False))
        .group_by(Place.country, Place.admin)
        .order_by(Place.country, Place.admin)
    ).all()
    if not rows:
        return _Catalogue((), {}, {})  # not seeded yet: do not cache the emptiness
    codes = _department_codes()
    regions = []
    for country, admin, lat, lon in rows:
        if country == "BE":
            code, translations, aliases = BELGIAN_REGIONS.get(admin, (name_key(admin), {}, ()))
            pairs = tuple(sorted(translations.items()))
        else:
            code, pairs, aliases = codes.get(admin, name_key(admin)), (), ()
        regions.append(Region(country, admin, code, float(lat), float(lon), pairs, aliases))
    by_name: dict[str, Region] = {}
    by_code: dict[str, Region] = {}
    for region in regions:
        for name in region.names:
            by_name.setdefault(name_key(name), region)
        by_code[region.code.lower()] = region
    catalogue = _Catalogue(tuple(regions), by_name, by_code)
    _catalogues[cache_key] = catalogue
    return catalogue


def all_regions() -> tuple[Region, ...]:
    """Every region of the gazetteer, Belgian first, each country's by name."""
    return _load().regions


def _by_name(key: str) -> Region | None:
    catalogue = _load()
    return catalogue.by_name.get(key) or catalogue.by_name.get(_PREFIX.sub("", key))


def _by_code(key: str) -> Region | None:
    match = _CODE.match(key.replace(" ", ""))
    if not match:
        return None
    return _load().by_code.get(match.group(1))


def resolve_region(text: str, codes: bool = True) -> Region | None:
    """The region ``text`` names ("Luxembourg", "Luxemburg", "haute vienne", "province de
    Namur"), or numbers when ``codes`` ("87", "2A", "08", "WLX"); None when none does.

    A bare number must be a département's two digits (three overseas): "6" is no region.
    """
    text = (text or "").strip()
    key = name_key(text)[:PLACE_NAME_MAX_LENGTH]
    if not key:
        return None
    if region := _by_name(key):
        return region
    if not codes:
        return None
    if region := _by_code(text.strip().lower()):
        return region
    if match := _CODE_AND_NAME.match(text):
        code, name = match.group(1) or match.group(4), match.group(2) or match.group(3)
        by_code, by_name = _by_code(code.lower()), _by_name(name_key(name))
        if by_code is not None and by_code == by_name:
            return by_code
    return None


def suggest_regions(text: str, limit: int = 5) -> list[Region]:
    """The regions whose names are spelt closest to ``text``."""
    key = _PREFIX.sub("", name_key(text)[:PLACE_NAME_MAX_LENGTH])
    catalogue = _load()
    if not key or not catalogue.by_name:
        return []
    keys = list(catalogue.by_name)
    matches = process.extract(key, keys, scorer=fuzz.ratio, limit=limit * 3)
    found: list[Region] = []
    for match_key, score, _index in matches:
        region = catalogue.by_name[match_key]
        if score >= SPELLING_CUTOFF and region not in found:
            found.append(region)
    return found[:limit]


def unknown_region(text: str, field_name: str = "region") -> ValidationFailed:
    """The error for a region nobody knows, with the closest names as suggestions."""
    lead = _("Province ou département inconnu : « %(text)s ».", text=text[:60])
    suggestions = tuple(
        RegionSuggestion(region.label(), region.code, region.country)
        for region in suggest_regions(text)
    )
    message = lead
    if suggestions:
        hint = ", ".join(str(s) for s in suggestions)
        message += " " + _("Vouliez-vous dire : %(hint)s ?", hint=hint)
    return ValidationFailed(message, field=field_name, suggestions=suggestions, lead=lead)


def region_keys(region: Region) -> frozenset[str]:
    """The town keys of a region for the search's town filter: its postcodes and the names
    of its localities (either language) that no place outside it bears.

    A postcode shared with another region (a French postcode across a département line)
    counts for the region holding most of its places; a name shared with another region
    (Saint-Martin) would bring in that region's shops, so it is left to the postcodes.
    """
    cache_key = (str(db.engine.url), region.country, region.name)
    if cache_key in _keys_cache:
        return _keys_cache[cache_key]
    rows = db.session.execute(
        select(Place.postcode, Place.name, Place.name_key).where(
            Place.country == region.country, Place.admin == region.name
        )
    ).all()
    postcodes = {postcode for postcode, _name, _key in rows}
    shares = db.session.execute(
        select(Place.postcode, Place.admin, func.count())
        .where(
            Place.country == region.country,
            Place.postcode.in_(postcodes),
            Place.is_alias.is_(False),
        )
        .group_by(Place.postcode, Place.admin)
    ).all()
    counts: dict[str, Counter[str]] = {}
    for postcode, admin, count in shares:
        counts.setdefault(postcode, Counter())[admin] = count
    # A postcode only alias rows use (none in the shipped files) stays the region's.
    own_postcodes = {
        postcode
        for postcode in postcodes
        if postcode not in counts or counts[postcode][region.name] == max(counts[postcode].values())
    }
    name_keys = {key for _postcode, _name, key in rows}
    elsewhere = set(
        db.session.scalars(
            select(Place.name_key)
            .where(
                Place.name_key.in_(name_keys),
                (Place.country != region.country) | (Place.admin != region.name),
            )
            .distinct()
        )
    )
    names = {name for _postcode, name, key in rows if key not in elsewhere}
    keys = frozenset(own_postcodes | names)
    if keys:
        _keys_cache[cache_key] = keys
    return keys
