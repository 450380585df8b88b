"""Town and postcode suggestions for the autocomplete, from the offline gazetteer.

Every lookup is an index range on ``name_key`` or on ``(country, postcode)``: a range rather
than ``LIKE 'x%'``, which neither SQLite (case-insensitive LIKE) nor PostgreSQL (non-C
collations) can serve from a plain index. Rows are still checked with ``startswith``, since a
linguistic collation may put a few strings that do not share the prefix inside the range.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select, tuple_

from directory.extensions import db
from directory.places.localised import local_name
from directory.places.models import PLACE_NAME_MAX_LENGTH, Place
from directory.shops.models import Shop, ShopStatus
from directory.shops.services import town_slug
from directory.text import name_key, slugify

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
DEFAULT_LIMIT = 8
MAX_LIMIT = 20
# Candidates read per query before ranking and de-duplication in Python.
_CANDIDATES = 60
# A name under this many postcodes is a big town (Liège, Limoges); more says nothing more.
_SIZE_CAP = 3


@dataclass(frozen=True)
class PlaceChoice:
    """One suggestion: the place's name in the interface language, and where it is."""

    name: str
    postcode: str
    country: str
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """What a person reads in the list: ``Arlon (6700, BE)``."""
        return f"{self.name} ({self.postcode}, {self.country})"


def _successor(prefix: str) -> str | None:
    """The smallest key above every key starting with ``prefix`` (keys are ``[a-z0-9 -]``)."""
    stem = prefix.rstrip("z9 -")
    if not stem:
        return None
    return stem[:-1] + chr(ord(stem[-1]) + 1)


def _prefix_range(column, prefix: str):
    upper = _successor(prefix)
    if upper is None:
        return column >= prefix
    return and_(column >= prefix, column < upper)


def _slug(place: Place) -> str:
    return town_slug(place.name, place.country)


def _known_slugs(slugs: set[str]) -> set[str]:
    """The town slugs among ``slugs`` that listed shops have: places people look for."""
    if not slugs:
        return set()
    return set(
        db.session.scalars(
            select(Shop.town_slug)
            .where(Shop.town_slug.in_(slugs), Shop.status == ShopStatus.VISIBLE.value)
            .distinct()
        )
    )


def _known_name_keys(key: str) -> set[str]:
    """Folded names of the towns with listed shops whose names start with ``key``."""
    prefix = slugify(key, PLACE_NAME_MAX_LENGTH)
    slugs = db.session.scalars(
        select(Shop.town_slug)
        .where(_prefix_range(Shop.town_slug, prefix), Shop.status == ShopStatus.VISIBLE.value)
        .distinct()
        .limit(_CANDIDATES)
    )
    # A town slug ends with its country ("arlon-be"): the rest is the name.
    return {name_key(slug[:-3]) for slug in slugs if slug.startswith(prefix)}


def _sizes(keys: set[str]) -> dict[tuple[str, str, str], int]:
    """(country, admin, name_key) -> postcodes of that name in its province or département.

    A town spread over several postcodes (Liège, Limoges) is a big one; counting within the
    province keeps the many Saint-Martin of France from looking big.
    """
    if not keys:
        return {}
    rows = db.session.execute(
        select(Place.country, Place.admin, Place.name_key, func.count())
        .where(Place.name_key.in_(keys))
        .group_by(Place.country, Place.admin, Place.name_key)
    )
    return {(country, admin, key): min(n, _SIZE_CAP) for country, admin, key, n in rows}


def _by_postcode(digits: str) -> list[Place]:
    """Places whose postcode starts with ``digits``: the exact code first, then known towns,
    then big towns, then in postcode order."""
    rows: list[Place] = []
    for country, length in (("BE", 4), ("FR", 5)):
        if len(digits) <= length:
            rows += db.session.scalars(
                select(Place)
                .where(Place.country == country, _prefix_range(Place.postcode, digits))
                .order_by(Place.postcode, Place.is_alias, Place.name)
                .limit(_CANDIDATES * 2)
            )
    rows = [p for p in rows if p.postcode.startswith(digits)]
    sizes = _sizes({p.name_key for p in rows})
    known = _known_slugs({_slug(p) for p in rows})
    return sorted(
        rows,
        key=lambda p: (
            p.postcode != digits,
            _slug(p) not in known,
            -sizes.get((p.country, p.admin, p.name_key), 1),
            p.postcode,
            p.is_alias,
            p.name,
        ),
    )


def _by_name(key: str) -> list[Place]:
    """One place per name starting with ``key``: the exact name first, then towns with listed
    shops, then big towns, Belgium first (most of the directory is there), short names first."""
    groups = (
        select(Place.country, Place.admin, Place.name_key, func.min(Place.postcode))
        .where(_prefix_range(Place.name_key, key))
        .group_by(Place.country, Place.admin, Place.name_key)
    )
    top = groups.order_by(
        (Place.name_key == key).desc(),
        case((func.count() > _SIZE_CAP, _SIZE_CAP), else_=func.count()).desc(),
        func.length(Place.name_key),
        Place.name_key,
    ).limit(_CANDIDATES)
    known = _known_name_keys(key)
    found = {tuple(row) for row in db.session.execute(top)}
    if known:
        found |= {tuple(row) for row in db.session.execute(groups.where(Place.name_key.in_(known)))}
    found = {row for row in found if row[2].startswith(key)}
    sizes = _sizes({row[2] for row in found})
    ranked = sorted(
        found,
        key=lambda row: (
            row[2] != key,
            row[2] not in known,
            -sizes.get((row[0], row[1], row[2]), 1),
            row[0] != "BE",
            len(row[2]),
            row[2],
        ),
    )
    if not ranked:
        return []
    wanted = [(country, found_key, postcode) for country, _admin, found_key, postcode in ranked]
    rows = db.session.scalars(
        select(Place).where(tuple_(Place.country, Place.name_key, Place.postcode).in_(wanted))
    )
    by_group = {(p.country, p.name_key, p.postcode): p for p in rows}
    return [by_group[group] for group in wanted if group in by_group]


def suggest(text: str, limit: int = DEFAULT_LIMIT) -> list[PlaceChoice]:
    """Places matching what a person has typed so far: a name or a postcode prefix.

    Names are folded (case, accents, punctuation), so "liege" finds Liège and "LIÈGE" too;
    French and Dutch names both match, and each is shown in the interface language. A name
    appears once (Limoges with its first postcode), whichever language it was typed in.
    """
    key = name_key(text)
    if len(key) < MIN_QUERY_LENGTH:
        return []
    places = _by_postcode(key) if key.isdigit() else _by_name(key)
    choices: list[PlaceChoice] = []
    seen: set[tuple[str, str, str]] = set()
    for place in places:
        name = local_name(place)
        # A town once, with its first postcode: Strasbourg's three would crowd "67" out.
        identity = (place.country, place.admin, name_key(name))
        if identity in seen:
            continue
        seen.add(identity)
        choices.append(PlaceChoice(name, place.postcode, place.country, place.lat, place.lon))
        if len(choices) == limit:
            break
    return choices
