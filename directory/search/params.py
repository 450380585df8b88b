"""Reading and checking search parameters, shared by the search page and the JSON API."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory.errors import ValidationFailed
from directory.extensions import db
from directory.pagination import MAX_PAGE
from directory.places.gazetteer import NearPoint, resolve_near
from directory.places.regions import Region, region_keys, resolve_region, unknown_region
from directory.places.towns import resolve_town_match, trailing_place, within
from directory.shops.limits import TOWN_MAX_LENGTH
from directory.shops.models import Category
from directory.timeutil import current_moment
from search_index import SERVICES, SORTS, GeoPoint, SearchQuery
from search_index.hours import timezone_of

MAX_QUERY_LENGTH = 300
MAX_RADIUS_KM = 200.0
DEFAULT_RADIUS_KM = 10.0
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PLACE_LENGTH = 200
MAX_CATEGORY_LENGTH = 60
MAX_TOWN_LENGTH = TOWN_MAX_LENGTH
MAX_REGION_LENGTH = 80
MAX_BBOX_LENGTH = 200
MAX_MOMENT_LENGTH = 40
# The years ``open_at`` may fall in: far beyond any real search, and far from the ends of
# what time zone arithmetic can represent (year 1 overflows when converted).
MOMENT_YEARS = (2000, 2100)
# A naive ``open_at`` is a local time here: Belgium's and France's clocks agree.
LOCAL_COUNTRY = "BE"


@dataclass(frozen=True)
class SearchRequest:
    """A checked search: the library query plus what the page needs to echo back."""

    query: SearchQuery
    near: NearPoint | None
    # The point ``delivers_to`` resolved to, and the moment shops must be open at.
    delivers_to: NearPoint | None = None
    open_at: datetime | None = None
    # True when ``open_at`` is the current time (``open_now=1``), not a chosen moment.
    open_now: bool = False
    # The province or département the search keeps to: ``region``, or a region's name given
    # as ``town``, as ``near`` (then the point is its centre and no radius applies unless
    # asked for) or as the last words of ``q``. The query's towns hold its keys.
    region: Region | None = None
    # The last words of ``q`` read as the place, as typed ("Habay", "paris 11"): the query's
    # text is then the words before them and its towns the place's keys.
    place_words: str | None = None
    # With ``place_words``: the query as it would be without that reading (all of ``q`` as
    # text, no towns), to fall back on when the place reading finds nothing.
    text_query: SearchQuery | None = None


def _clean(value: str | None, field: str, max_length: int) -> str:
    value = "".join(c for c in (value or "") if c.isprintable()).strip()
    if len(value) > max_length:
        raise ValidationFailed(_("%(n)d caractères au maximum.", n=max_length), field=field)
    return value


def _int(args: Mapping[str, str], field: str, default: int, low: int, high: int) -> int:
    raw = (args.get(field) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(_("Un nombre entier est attendu."), field=field) from None
    if not low <= value <= high:
        raise ValidationFailed(
            _("Une valeur entre %(low)d et %(high)d est attendue.", low=low, high=high),
            field=field,
        )
    return value


def _radius(
    args: Mapping[str, str], has_near: bool, default: float | None = DEFAULT_RADIUS_KM
) -> float | None:
    raw = (args.get("radius_km") or "").strip()
    if not raw:
        return default if has_near else None
    try:
        radius = float(raw)
    except ValueError:
        raise ValidationFailed(
            _("Le rayon doit être un nombre de km."), field="radius_km"
        ) from None
    if not math.isfinite(radius) or not 0 < radius <= MAX_RADIUS_KM:
        raise ValidationFailed(
            _("Le rayon doit être compris entre 0 et %(max)d km.", max=int(MAX_RADIUS_KM)),
            field="radius_km",
        )
    if not has_near:
        raise ValidationFailed(_("Un rayon demande un lieu (near)."), field="radius_km")
    return radius


def requested_services(args: MultiDict[str, str]) -> set[str]:
    """``services`` as repeated parameters (checkboxes), a comma list (API), or both."""
    return {s.strip() for value in args.getlist("services") for s in value.split(",") if s.strip()}


def _services(args: MultiDict[str, str]) -> frozenset[str]:
    wanted = requested_services(args)
    unknown = wanted - set(SERVICES)
    if unknown:
        raise ValidationFailed(
            _(
                "Service inconnu : %(s)s. Services : %(all)s.",
                s=", ".join(sorted(unknown))[:80],
                all=", ".join(SERVICES),
            ),
            field="services",
        )
    return frozenset(wanted)


def _category(args: Mapping[str, str]) -> str | None:
    slug = _clean(args.get("category"), "category", MAX_CATEGORY_LENGTH)
    if not slug:
        return None
    if db.session.scalar(select(Category.id).where(Category.slug == slug)) is None:
        raise ValidationFailed(_("Catégorie inconnue : %(s)s.", s=slug), field="category")
    return slug


def _region(args: Mapping[str, str]) -> Region | None:
    """``region``: a province or département by name (any language) or code ("87", "WLX")."""
    text = _clean(args.get("region"), "region", MAX_REGION_LENGTH)
    if not text:
        return None
    region = resolve_region(text)
    if region is None:
        raise unknown_region(text, "region")
    return region


def _area(args: Mapping[str, str], near: NearPoint | None) -> tuple[frozenset[str], Region | None]:
    """The town keys every shop must match and the region they keep to, from ``town`` (a
    commune's localities, either language, or a region), ``region`` and a region as ``near``.

    Given together, a shop must be in all of them: the town must lie in the region.
    """
    text = _clean(args.get("town"), "town", MAX_TOWN_LENGTH)
    town = resolve_town_match(text) if text else None
    region = _region(args)
    near_region = near.region if near else None
    regions = [r for r in (region, town.region if town else None, near_region) if r]
    if town is None and not regions:
        return frozenset(), None
    keys = None
    for each in dict.fromkeys(regions):  # the same region twice narrows nothing
        area = region_keys(each)
        keys = area if keys is None else keys & area
    if town is not None:
        keys = town.keys if keys is None else within(town, keys)
    if not keys:
        # Only a town, or a region as near, can fall outside the region asked for.
        place = text if town is not None else near_region.label() if near_region else ""
        raise ValidationFailed(
            _("%(place)s n'est pas dans %(region)s.", place=place, region=regions[0].label()),
            field="town" if town is not None else "near",
        )
    return keys, regions[0] if regions else None


def _place(args: Mapping[str, str], field: str) -> NearPoint | None:
    """A place parameter (``near``, ``delivers_to``) through the gazetteer's one resolver;
    only ``near`` may be a region (a delivery reaches a point)."""
    text = _clean(args.get(field), field, MAX_PLACE_LENGTH)
    if not text:
        return None
    try:
        return resolve_near(text, regions=field == "near")
    except ValidationFailed as error:
        # The resolver speaks of "near"; its message and suggestions hold for any place field.
        raise ValidationFailed(error.message, field, error.suggestions, error.lead) from None


def _open_now(args: Mapping[str, str]) -> bool:
    raw = (args.get("open_now") or "").strip()
    if raw not in ("", "0", "1"):
        raise ValidationFailed(_("open_now vaut 1 (ouvert maintenant) ou 0."), field="open_now")
    return raw == "1"


def _moment(args: Mapping[str, str]) -> datetime | None:
    """``open_at``: an ISO 8601 date and time, naive read as Brussels time, aware kept."""
    raw = _clean(args.get("open_at"), "open_at", MAX_MOMENT_LENGTH)
    if not raw:
        return None
    invalid = ValidationFailed(
        _("Date et heure attendues, par exemple 2026-06-13T10:30."), field="open_at"
    )
    if not raw.isascii():  # fromisoformat would read other scripts' digits
        raise invalid
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise invalid from None
    low, high = MOMENT_YEARS
    if not low <= moment.year <= high:
        raise ValidationFailed(
            _("Une date entre %(low)d et %(high)d est attendue.", low=low, high=high),
            field="open_at",
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone_of(LOCAL_COUNTRY))
    return moment


def _opening(args: Mapping[str, str], now: datetime | None) -> tuple[datetime | None, bool]:
    """The moment shops must be open at, and whether it is "now"."""
    open_now, moment = _open_now(args), _moment(args)
    if open_now and moment is not None:
        raise ValidationFailed(
            _("Choisissez « ouvert maintenant » ou une date et heure, pas les deux."),
            field="open_now",
        )
    if open_now:
        return (now or current_moment()).astimezone(timezone_of(LOCAL_COUNTRY)), True
    return moment, False


def _bbox(args: Mapping[str, str]) -> tuple[float, float, float, float] | None:
    """``bbox=minlon,minlat,maxlon,maxlat`` (GeoJSON's order), the map's visible area."""
    raw = _clean(args.get("bbox"), "bbox", MAX_BBOX_LENGTH)
    if not raw:
        return None
    try:
        values = tuple(float(part) for part in raw.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValidationFailed(
            _("La zone (bbox) doit être quatre nombres : lon min, lat min, lon max, lat max."),
            field="bbox",
        )
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise ValidationFailed(
            _(
                "Zone invalide : longitudes entre -180 et 180, latitudes entre -90 et 90, "
                "chaque minimum plus petit que son maximum."
            ),
            field="bbox",
        )
    return min_lon, min_lat, max_lon, max_lat


def parse_search(args: MultiDict[str, str], now: datetime | None = None) -> SearchRequest:
    """Check every parameter; raise ``ValidationFailed`` naming the first one at fault.

    ``now`` (aware) is what ``open_now`` means; by default ``current_moment()``.
    """
    text = _clean(args.get("q"), "q", MAX_QUERY_LENGTH)
    near = _place(args, "near")
    delivers_to = _place(args, "delivers_to")
    open_at, open_now = _opening(args, now)
    # A region is the area itself: distances are measured from its centre, within no radius.
    radius = _radius(args, near is not None, None if near and near.region else DEFAULT_RADIUS_KM)
    bbox = _bbox(args)
    if bbox is not None and not (args.get("radius_km") or "").strip():
        radius = None  # the map's area replaces the default radius: near only measures distances
    sort = (args.get("sort") or "").strip() or "relevance"
    if sort not in SORTS:
        raise ValidationFailed(
            _("Tri inconnu. Tris possibles : %(all)s.", all=", ".join(SORTS)), field="sort"
        )
    if sort == "distance" and near is None:
        raise ValidationFailed(_("Le tri par distance demande un lieu (near)."), field="sort")
    category = _category(args)
    towns, region = _area(args, near)
    reading = None
    if text and near is None and not towns:
        reading = trailing_place(text)
    query = SearchQuery(
        text=reading.text if reading else text,
        category=category,
        towns=reading.match.keys if reading else towns,
        near=GeoPoint(near.lat, near.lon) if near else None,
        radius_km=radius,
        bbox=bbox,
        services=_services(args),
        delivers_to=GeoPoint(delivers_to.lat, delivers_to.lon) if delivers_to else None,
        # The same instant in a named zone: the hours evaluator refuses fixed offsets (UTC, Z).
        open_at=open_at.astimezone(timezone_of(LOCAL_COUNTRY)) if open_at else None,
        sort=sort,
        page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )
    return SearchRequest(
        query=query,
        near=near,
        delivers_to=delivers_to,
        open_at=open_at,
        open_now=open_now,
        region=reading.match.region if reading else region,
        place_words=reading.words if reading else None,
        text_query=replace(query, text=text, towns=frozenset()) if reading else None,
    )
