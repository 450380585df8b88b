"""Offline geocoding from the gazetteer: town and postcode to coordinates, with suggestions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process
from sqlalchemy import select

from directory.errors import ValidationFailed
from directory.extensions import db
from directory.places.localised import local_name
from directory.places.models import PLACE_NAME_MAX_LENGTH, Place
from directory.places.regions import Region, resolve_region
from directory.text import name_key
from search_index.geo import haversine_km

POSTCODE_FORMATS = {"BE": re.compile(r"^\d{4}$"), "FR": re.compile(r"^\d{5}$")}
COUNTRY_NAMES = {"BE": _l("Belgique"), "FR": _l("France")}
# How far from its locality's centre a shop may stand: far enough for a commune's outlying
# villages and a large town's edges, not so far that a slip of the map lands in the next town.
TOWN_REACH_KM = 15.0


def km_from_town(place: Place, lat: float, lon: float) -> float:
    """Great-circle distance in km from the centre of ``place`` to ``(lat, lon)``."""
    return haversine_km(place.lat, place.lon, lat, lon)


def within_town_reach(place: Place, lat: float, lon: float) -> bool:
    """True when ``(lat, lon)`` is no more than ``TOWN_REACH_KM`` from the centre of ``place``."""
    return km_from_town(place, lat, lon) <= TOWN_REACH_KM


@dataclass(frozen=True)
class PlaceSuggestion:
    """A known place offered when the user's town or postcode was not found."""

    postcode: str
    name: str

    @property
    def country(self) -> str:
        """Belgian postcodes have 4 digits, French ones 5."""
        return country_of_postcode(self.postcode)

    def __str__(self) -> str:
        return f"{self.postcode} {self.name}"


_names_cache: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
# How alike (0-100, rapidfuzz's ratio) a suggested name must be spelt to what was typed.
SPELLING_CUTOFF = 60


def _names(country: str) -> list[tuple[str, str, str]]:
    """(name_key, name, postcode) for every place of a country, loaded once per process."""
    cache_key = (str(db.engine.url), country)
    if cache_key not in _names_cache:
        rows = db.session.execute(
            select(Place.name_key, Place.name, Place.postcode).where(Place.country == country)
        ).all()
        if not rows:
            return []  # not seeded yet: do not cache the emptiness
        _names_cache[cache_key] = [(key, name, postcode) for key, name, postcode in rows]
    return _names_cache[cache_key]


def suggest_places(town: str, country: str, limit: int = 5) -> list[PlaceSuggestion]:
    """Return the known places whose names are closest to ``town``."""
    key = name_key(town)[:PLACE_NAME_MAX_LENGTH]
    names = _names(country)
    if not key or not names:
        return []
    matches = process.extract(
        key, [n[0] for n in names], scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=60
    )
    # WRatio also rewards a short name found inside the key ("Lo" for "Arlom", "Y" for
    # "Habbay"): the plain ratio puts the names spelt alike first and drops those.
    matches = sorted(
        (m for m in matches if fuzz.ratio(key, m[0]) >= SPELLING_CUTOFF),
        key=lambda m: -fuzz.ratio(key, m[0]),
    )
    seen: set[str] = set()
    suggestions = []
    for _match, _score, index in matches:
        _key, name, postcode = names[index]
        if name not in seen:
            seen.add(name)
            suggestions.append(PlaceSuggestion(postcode, name))
    return suggestions[:limit]


def _format(suggestions: list[PlaceSuggestion]) -> str:
    return ", ".join(str(s) for s in suggestions)


def normalise_postcode(postcode: str, country: str) -> str:
    """Strip spaces and a country prefix ("B-6700", "F-87000") people often type."""
    cleaned = re.sub(r"\s+", "", postcode or "").upper()
    return re.sub(r"^(B|F|BE|FR)-?", "", cleaned)


def places_for_postcode(postcode: str, country: str) -> list[Place]:
    """Every locality that shares this postcode."""
    return list(
        db.session.scalars(
            select(Place)
            .where(Place.country == country, Place.postcode == postcode)
            .order_by(Place.is_alias, Place.name)
        )
    )


def places_named(town: str, country: str | None = None) -> list[Place]:
    """Every place whose folded name equals ``town``'s (all its postcodes)."""
    query = select(Place).where(Place.name_key == name_key(town)[:PLACE_NAME_MAX_LENGTH])
    if country:
        query = query.where(Place.country == country)
    return list(db.session.scalars(query.order_by(Place.postcode)))


def geocode(country: str, postcode: str, town: str) -> Place:
    """Return the gazetteer place for this address, or raise ``ValidationFailed`` with hints."""
    if country not in POSTCODE_FORMATS:
        raise ValidationFailed(_("Choisissez la Belgique ou la France."), field="country")
    postcode = normalise_postcode(postcode, country)
    if not POSTCODE_FORMATS[country].match(postcode):
        digits = 4 if country == "BE" else 5
        raise ValidationFailed(
            _("Un code postal %(country)s compte %(n)d chiffres.", country=country, n=digits),
            field="postcode",
        )
    candidates = places_for_postcode(postcode, country)
    key = name_key(town)
    if candidates and key:
        for place in candidates:
            if place.name_key == key:
                return place
    if not key:
        raise ValidationFailed(_("Indiquez la localité."), field="town")
    same_name = places_named(town, country)
    if same_name:
        hint = _format([PlaceSuggestion(p.postcode, p.name) for p in same_name[:5]])
        raise ValidationFailed(
            _(
                "%(town)s n'a pas le code postal %(postcode)s. Vouliez-vous dire : %(hint)s ?",
                town=same_name[0].name,
                postcode=postcode,
                hint=hint,
            ),
            field="postcode",
        )
    if candidates:
        # Closest spelling first, so "Arlom" answers "Arlon" before the other localities.
        ranked = sorted(candidates, key=lambda p: -fuzz.ratio(key, p.name_key))
        raise ValidationFailed(
            _(
                "Localité inconnue pour le code postal %(postcode)s. Vouliez-vous dire : "
                "%(best)s ? Localités de ce code postal : %(names)s.",
                postcode=postcode,
                best=ranked[0].name,
                names=", ".join(p.name for p in candidates[:8]),
            ),
            field="town",
        )
    suggestions = suggest_places(town, country)
    message = _("Localité et code postal inconnus en %(country)s.", country=COUNTRY_NAMES[country])
    if suggestions:
        message += " " + _("Vouliez-vous dire : %(hint)s ?", hint=_format(suggestions))
    raise ValidationFailed(message, field="town")


_LAT_LON = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_POSTCODE_AND_NAME = re.compile(
    r"^\s*(\d{4,5})\s+(.+?)\s*$|^\s*(.+?)\s+\(?(\d{4,5})(?:,\s*(?:BE|FR))?\)?\s*$"
)


def coordinate_text(value: float) -> str:
    """A latitude or longitude as links and forms write it: six decimals (about 10 cm),
    without trailing zeros (``49.68333``)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def country_of_postcode(postcode: str) -> str:
    """Belgian postcodes have four digits, French ones five."""
    return "BE" if len(postcode) == 4 else "FR"


def split_postcode(text: str) -> tuple[str | None, str]:
    """``("6700", "Arlon")`` for "6700 Arlon", "Arlon 6700", "Arlon (6700)" and the
    autocomplete's label "Arlon (6700, BE)"; ``(None, text)`` for anything else."""
    if match := _POSTCODE_AND_NAME.match(text):
        return match.group(1) or match.group(4), (match.group(2) or match.group(3)).strip()
    return None, text.strip()


@dataclass(frozen=True)
class NearPoint:
    """A resolved "near" parameter: a display name and coordinates.

    For a province or département, the point is its centre and ``region`` the region: the
    search then keeps to the region and measures distances from there.
    """

    name: str
    lat: float
    lon: float
    region: Region | None = None


def _countries_for_postcode(postcode: str) -> tuple[str, ...]:
    return (country_of_postcode(postcode),)


def resolve_near(text: str, regions: bool = True) -> NearPoint:
    """Resolve ``lat,lon``, a postcode, a town, or "postcode town" to a point; with
    ``regions``, also a province or département (its centre) that no locality is named after.

    A town name shared by several places (Lille in France and in Belgium, Saint-Denis...)
    resolves to the one with the most postcodes, the best hint of a big town, and the answer's
    name then says which one it took; adding the postcode picks another. A locality wins over
    a region: "Namur" is the city, "Luxembourg" (no Belgian or French locality) the province.
    """
    text = (text or "").strip()[:200]
    if match := _LAT_LON.match(text):
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationFailed(_("Coordonnées hors limites."), field="near")
        return NearPoint(f"{lat:.5f},{lon:.5f}", lat, lon)
    if text.isdigit() and len(text) in (4, 5):
        for country in _countries_for_postcode(text):
            places = places_for_postcode(text, country)
            if places:
                name = local_name(places[0])
                return NearPoint(f"{text} {name}", places[0].lat, places[0].lon)
        raise ValidationFailed(_("Code postal inconnu : %(p)s.", p=text), field="near")
    postcode, town = split_postcode(text)
    if postcode:
        for country in _countries_for_postcode(postcode):
            for place in places_for_postcode(postcode, country):
                if place.name_key == name_key(town):
                    name = local_name(place)
                    return NearPoint(f"{place.postcode} {name}", place.lat, place.lon)
    places = places_named(text)
    if places:
        return _most_likely(places)
    if region := resolve_region(text):
        if regions:
            return NearPoint(region.label(), region.lat, region.lon, region)
        raise ValidationFailed(
            _(
                "%(region)s est une province ou un département : indiquez une localité ou "
                "un code postal.",
                region=region.label(),
            ),
            field="near",
        )
    raise unknown_place(text, "near")


def unknown_place(text: str, field: str) -> ValidationFailed:
    """The error for a place the gazetteer does not know, with the closest names."""
    suggestions = suggest_places(text, "BE", 3) + suggest_places(text, "FR", 3)
    lead = _("Lieu inconnu : « %(text)s ».", text=text[:60])
    message = lead
    if suggestions:
        message += " " + _("Vouliez-vous dire : %(hint)s ?", hint=_format(suggestions))
    return ValidationFailed(message, field=field, suggestions=tuple(suggestions), lead=lead)


def _most_likely(places: list[Place]) -> NearPoint:
    """The homonym with the most postcodes (Belgian first on a tie), labelled when ambiguous."""
    towns: dict[tuple[str, str], list[Place]] = {}
    for place in places:
        towns.setdefault((place.country, place.admin), []).append(place)
    rows = max(
        towns.values(),
        key=lambda rows: (len(rows), rows[0].country == "BE", -int(min(r.postcode for r in rows))),
    )
    first = min(rows, key=lambda place: place.postcode)
    name = local_name(first)  # "Luik" typed on a French page reads "autour de Liège"
    if len(towns) == 1:
        return NearPoint(name, first.lat, first.lon)
    return NearPoint(f"{name} ({first.postcode}, {first.country})", first.lat, first.lon)
