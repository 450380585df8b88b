"""Optional online geocoding of a posted address, through geopy (``GEOCODER`` in the config).

``none`` (the default) never leaves the machine: shops without a position given stand at their
town's centre from the offline gazetteer. ``nominatim`` asks OpenStreetMap's Nominatim (Belgium
and France); ``ban`` asks France's Base Adresse Nationale (French addresses only). A service
that fails, is slow or answers nonsense never fails a posting: it is logged, and the shop falls
back to its town's centre, as it does when the answer lies beyond the town's reach.
"""

from __future__ import annotations

import logging
import math
from urllib.parse import urlsplit

from flask import current_app
from geopy.exc import GeopyError
from geopy.geocoders import BANFrance, Nominatim

from directory.places.gazetteer import within_town_reach
from directory.places.models import Place

log = logging.getLogger(__name__)

# What a broken service can raise past geopy: an answer whose coordinates are not numbers or
# off the globe (geopy warns, then refuses), or a socket error the adapter did not wrap.
_SERVICE_FAILURES = (GeopyError, OSError, ValueError, TypeError, KeyError, IndexError, UserWarning)


def _options(config) -> dict:
    """The geopy constructor arguments shared by both services."""
    options = {
        "user_agent": config["GEOCODER_USER_AGENT"],
        "timeout": config["GEOCODER_TIMEOUT"],
    }
    url = config.get("GEOCODER_URL")
    if url:
        parts = urlsplit(url)
        options.update(scheme=parts.scheme, domain=parts.netloc + parts.path.rstrip("/"))
    return options


def _ask(service: str, address: str, postcode: str, town: str, country: str):
    """The geopy ``Location`` the service answers, or None when it knows no such address."""
    options = _options(current_app.config)
    if service == "ban":
        return BANFrance(**options).geocode(f"{address}, {postcode} {town}", limit=1)
    # A structured query: the street alone, so a shop's name or a comma never confuses it.
    query = {"street": address, "postalcode": postcode, "city": town}
    return Nominatim(**options).geocode(query, country_codes=country.lower(), limit=1)


def geocode_address(
    address: str, postcode: str, town: str, country: str
) -> tuple[float, float] | None:
    """``(lat, lon)`` of a street address from the configured service, or None.

    None when geocoding is off, when there is no street to look up (the gazetteer already knows
    the town), when the service does not cover the country (BAN is France only), does not know
    the address, fails or times out (logged). Never raises for the service's sake.
    """
    service = current_app.config.get("GEOCODER", "none")
    address = (address or "").strip()
    if service == "none" or not address or (service == "ban" and country != "FR"):
        return None
    try:
        location = _ask(service, address, postcode, town, country)
        if location is None:
            return None
        lat, lon = float(location.latitude), float(location.longitude)
    except _SERVICE_FAILURES as error:
        log.warning("geocoder %s failed, the town's centre is used: %r", service, error)
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        log.warning("geocoder %s answered an impossible point: %r, %r", service, lat, lon)
        return None
    return lat, lon


def locate_shop(address: str, place: Place) -> tuple[float, float]:
    """Where a shop stands when the member gave no position: its geocoded address when the
    service finds it within the town's reach, else the centre of ``place``."""
    found = geocode_address(address, place.postcode, place.name, place.country)
    if found is not None and within_town_reach(place, *found):
        return found
    if found is not None:
        # Another street of the same name elsewhere: the town the member chose is the truth.
        log.info("geocoded address is beyond %s's reach; the town's centre is used", place.name)
    return place.lat, place.lon
