"""Where a posted or edited shop stands: the member's exact position, checked against its town."""

from __future__ import annotations

import math

from flask_babel import gettext as _

from directory.errors import ValidationFailed
from directory.places.gazetteer import TOWN_REACH_KM, km_from_town
from directory.places.geocoder import locate_shop
from directory.places.models import Place

# Two points closer than this (about 10 cm) are the same: the form shows six decimals, so the
# stored position it sends back unchanged may differ from the stored value by a rounding.
SAME_POINT_DEGREES = 1e-6
_LIMITS = {"lat": 90.0, "lon": 180.0}


def _limit_message(field: str) -> str:
    if field == "lat":
        return _("La latitude doit être un nombre entre -90 et 90.")
    return _("La longitude doit être un nombre entre -180 et 180.")


def given_position(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    """The position the member typed or placed, checked: both or neither, finite, in range."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        message = (
            _("Indiquez aussi la latitude, ou laissez les deux champs vides.")
            if missing == "lat"
            else _("Indiquez aussi la longitude, ou laissez les deux champs vides.")
        )
        raise ValidationFailed(message, field=missing)
    checked = []
    for field, value in (("lat", lat), ("lon", lon)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationFailed(_limit_message(field), field=field) from None
        if not math.isfinite(number) or abs(number) > _LIMITS[field]:
            raise ValidationFailed(_limit_message(field), field=field)
        checked.append(number)
    return checked[0], checked[1]


def _same_point(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < SAME_POINT_DEGREES and abs(a[1] - b[1]) < SAME_POINT_DEGREES


def shop_position(
    lat: float | None,
    lon: float | None,
    place: Place,
    address: str,
    stored: tuple[float, float] | None = None,
    same_town: bool = False,
) -> tuple[float, float]:
    """``(lat, lon)`` for a shop in ``place``.

    A position given must lie within ``TOWN_REACH_KM`` of the town's centre, or it is refused
    (on the ``lat`` field). An edit (``stored`` is the current position) that sends the stored
    position back, or none, keeps it while the town stays (``same_town``); moved to another
    town, the shop is placed again. Placing means the geocoded address when a geocoder is
    configured and finds it within reach, else the town's centre.
    """
    given = given_position(lat, lon)
    if given is not None and stored is not None and _same_point(given, stored):
        given = None  # the form sent back what it showed: not a new position
    if given is None:
        return stored if (stored is not None and same_town) else locate_shop(address, place)
    km = km_from_town(place, *given)
    if km > TOWN_REACH_KM:
        raise ValidationFailed(
            _(
                "Cette position est à %(km)d km du centre de la localité choisie, %(town)s : "
                "placez le commerce à moins de %(reach)d km, ou corrigez la localité.",
                km=round(km),
                town=place.name,
                reach=round(TOWN_REACH_KM),
            ),
            field="lat",
        )
    return given
