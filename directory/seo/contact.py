"""Links from a shop page to the world: directions, a navigation app, the phone."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from directory.places.gazetteer import coordinate_text

OSM_DIRECTIONS = "https://www.openstreetmap.org/directions"
# Calling codes of the countries the directory covers, for numbers written the national way.
CALLING_CODES = {"BE": "32", "FR": "33"}
# "+32 (0)63 …": the trunk zero in brackets is dropped when dialling from abroad.
TRUNK_IN_BRACKETS = re.compile(r"\(\s*0\s*\)")


def directions_url(lat: float, lon: float) -> str:
    """OpenStreetMap's route planner with the shop as destination and the start left open.

    openstreetmap.org reads ``route=FROM;TO`` (each ``lat,lon``) and asks for what is empty.
    """
    return (
        OSM_DIRECTIONS
        + "?"
        + urlencode({"route": f";{coordinate_text(lat)},{coordinate_text(lon)}"})
    )


def geo_uri(lat: float, lon: float, label: str) -> str:
    """A ``geo:`` URI (RFC 5870) that phones open in their navigation app.

    ``q=lat,lon(label)`` is Android's convention for a labelled pin; other apps read the
    coordinates before ``?`` and ignore the rest.
    """
    point = f"{coordinate_text(lat)},{coordinate_text(lon)}"
    return f"geo:{point}?q={point}({quote(label, safe='')})"


def tel_href(phone: str | None, country: str) -> str | None:
    """The number to dial, in international form (``+3263223344``), for a ``tel:`` link.

    Members write numbers as they say them (``063 22 33 44``, ``0032 63…``, ``+33 (0)3…``);
    a national number gets the calling code of the shop's country. None without digits.
    """
    if not phone:
        return None
    written = TRUNK_IN_BRACKETS.sub("", phone).strip()
    digits = re.sub(r"\D", "", written)
    if not digits:
        return None
    if written.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    code = CALLING_CODES.get(country)
    if digits.startswith("0") and code:
        return f"+{code}{digits[1:]}"
    # A short or special number (a Belgian 4-digit service number): dialled as written.
    return digits
