"""The duplicate check run before a shop is posted, edited or imported.

A shop is a likely duplicate of a listed one (visible or waiting for approval) when

- their names are alike (``NAME_SIMILARITY`` or more out of 100, rapidfuzz's token sort ratio
  on folded names; or every word of the shorter name, of at least two words, is in the longer;
  and the same numbers, if any)
  and they are near: within ``DUPLICATE_RADIUS_M``, or in the same town, since a member's post
  is placed at its town's centre by the offline gazetteer; two exact positions (two imported
  rows) only count by distance, so a chain's shops in one town stay apart;
- or they have the same website (host and path, whatever the scheme, ``www.`` or final slash)
  or the same phone number (its digits, with or without the country code or leading 0).

The database narrows the candidates (a bounding box, the town, the website's host, the phone's
digits); the scoring happens here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from rapidfuzz import fuzz
from sqlalchemy import and_, or_, select

from directory.errors import Conflict
from directory.extensions import db
from directory.shops.models import Shop, ShopStatus
from directory.text import name_key
from search_index.geo import bounding_box_e6, haversine_km

DUPLICATE_RADIUS_M = 300
NAME_SIMILARITY = 90
CANDIDATE_STATUSES = (ShopStatus.VISIBLE.value, ShopStatus.PENDING.value)
# The fields whose change makes an edit go through the check again.
IDENTITY_FIELDS = ("name", "town_slug", "lat", "lon", "website", "phone")
# Belgian and French numbers have 8 or 9 digits after the leading 0 or the country code.
MIN_PHONE_DIGITS = 8
COUNTRY_CODES = ("32", "33")
_NON_DIGIT = re.compile(r"\D")
_NUMBER = re.compile(r"\d+")


class PossibleDuplicate(Conflict):
    """The shop looks like one already listed; ``matches`` are the likely originals."""

    def __init__(self, matches: list[Shop]) -> None:
        super().__init__(
            _(
                "Cette adresse semble déjà publiée. Recommandez-la, ou confirmez qu'il s'agit "
                "bien d'un autre commerce."
            ),
            field="confirm_not_duplicate",
        )
        self.matches = matches


def website_key(url: str | None) -> str | None:
    """``https://www.Shop.be/fr/`` → ``shop.be/fr``: host and path without scheme or ``www.``."""
    if not url:
        return None
    try:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return None
    return f"{host}{parts.path.rstrip('/')}" if host else None


def phone_key(phone: str | None) -> str | None:
    """The national digits of a number: ``+32 63 21 00 00`` and ``063/21.00.00`` → ``63210000``."""
    if not phone:
        return None
    digits = _NON_DIGIT.sub("", phone)
    if phone.lstrip().startswith("+") or digits.startswith("00"):
        digits = digits.lstrip("0")
        for code in COUNTRY_CODES:
            if digits.startswith(code):
                digits = digits[len(code) :]
                break
    digits = digits.lstrip("0")
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def names_alike(first: str, second: str) -> bool:
    """True when two shop names are the same but for case, accents, punctuation or word order."""
    a, b = name_key(first), name_key(second)
    # "Commerce 1" and "Commerce 2", "Le 7" and "Le 8" are different shops.
    if not a or not b or sorted(_NUMBER.findall(a)) != sorted(_NUMBER.findall(b)):
        return False
    if fuzz.token_sort_ratio(a, b) >= NAME_SIMILARITY:
        return True
    shorter, longer = sorted((a.split(), b.split()), key=len)
    return len(shorter) >= 2 and set(shorter) <= set(longer)


@dataclass(frozen=True)
class _Candidate:
    id: int
    name: str
    town_slug: str
    lat: float
    lon: float
    website: str | None
    phone: str | None
    source_key: str | None


def likely_duplicates(
    *,
    name: str,
    town_slug: str,
    lat: float,
    lon: float,
    website: str | None = None,
    phone: str | None = None,
    exact_position: bool = False,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Shop]:
    """Visible or pending shops that are probably the one described, most certain first.

    ``exact_position`` says that ``lat``/``lon`` is the shop's own position (an imported row)
    rather than its town's centre (a member's post).
    """
    site, digits = website_key(website), phone_key(phone)
    min_lat, max_lat, min_lon, max_lon = (
        e6 / 1e6 for e6 in bounding_box_e6(lat, lon, DUPLICATE_RADIUS_M / 1000)
    )
    nearby = [
        and_(Shop.lat.between(min_lat, max_lat), Shop.lon.between(min_lon, max_lon)),
        Shop.town_slug == town_slug,
    ]
    if site:
        nearby.append(Shop.website.icontains(site.split("/")[0], autoescape=True))
    if digits:
        # Any formatting of the same digits: "%6%3%2%1%0%0%0%0%"; the exact check follows.
        nearby.append(Shop.phone.like("%" + "%".join(digits) + "%"))
    query = select(
        Shop.id,
        Shop.name,
        Shop.town_slug,
        Shop.lat,
        Shop.lon,
        Shop.website,
        Shop.phone,
        Shop.source_key,
    ).where(Shop.status.in_(CANDIDATE_STATUSES), or_(*nearby))
    if exclude_id is not None:
        query = query.where(Shop.id != exclude_id)
    candidates = [_Candidate(*row) for row in db.session.execute(query)]
    scored = []
    for shop in candidates:
        km = haversine_km(lat, lon, shop.lat, shop.lon)
        same_contact = bool(
            (site and website_key(shop.website) == site)
            or (digits and phone_key(shop.phone) == digits)
        )
        near = km * 1000 <= DUPLICATE_RADIUS_M or (
            shop.town_slug == town_slug and not (exact_position and shop.source_key)
        )
        if same_contact or (near and names_alike(name, shop.name)):
            scored.append((not same_contact, km, shop.id))
    ids = [shop_id for *_rank, shop_id in sorted(scored)[:limit]]
    return _in_order(ids)


def _in_order(ids: list[int]) -> list[Shop]:
    found = {shop.id: shop for shop in db.session.scalars(select(Shop).where(Shop.id.in_(ids)))}
    return [found[shop_id] for shop_id in ids if shop_id in found]


def refuse_likely_duplicate(
    fields: dict[str, Any], *, confirmed: bool, editing: Shop | None = None
) -> None:
    """Raise ``PossibleDuplicate`` when checked shop ``fields`` match a listed shop.

    The member's confirmation skips the check; so does an edit that leaves the name, place,
    website and phone as they were, so a confirmed shop is not questioned on every edit.
    """
    if confirmed or (editing is not None and not _identity_changed(editing, fields)):
        return
    matches = likely_duplicates(
        name=fields["name"],
        town_slug=fields["town_slug"],
        lat=fields["lat"],
        lon=fields["lon"],
        website=fields.get("website"),
        phone=fields.get("phone"),
        exclude_id=editing.id if editing is not None else None,
    )
    if matches:
        raise PossibleDuplicate(matches)


def _identity_changed(shop: Shop, fields: dict[str, Any]) -> bool:
    return any(getattr(shop, name) != fields[name] for name in IDENTITY_FIELDS)


def duplicates_of(shop: Shop, limit: int = 5) -> list[Shop]:
    """The listed shops that ``shop`` (already saved) probably duplicates."""
    return likely_duplicates(
        name=shop.name,
        town_slug=shop.town_slug,
        lat=shop.lat,
        lon=shop.lon,
        website=shop.website,
        phone=shop.phone,
        exact_position=bool(shop.source_key),
        exclude_id=shop.id,
        limit=limit,
    )


def report_confirmed_duplicate(shop: Shop) -> None:
    """A member published ``shop`` although it looked like a listed one: a moderator takes a
    look (an open ``duplicate`` flag by the author, naming the likeliest match). Posts waiting
    for review are already in the queue with their candidates."""
    if shop.status != ShopStatus.VISIBLE.value or shop.author_id is None:
        return
    matches = duplicates_of(shop, limit=1)
    if matches:
        # Imported here: the moderation models import this feature's models.
        from directory.moderation.models import Flag, FlagReason

        db.session.add(
            Flag(
                reporter_id=shop.author_id,
                shop_id=shop.id,
                reason=FlagReason.DUPLICATE.value,
                duplicate_of_id=matches[0].id,
                weight=1.0,
            )
        )
        db.session.flush()
