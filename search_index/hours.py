"""Opening hours in the OpenStreetMap ``opening_hours`` syntax, evaluated where the shop is.

Parsing and evaluation are opening-hours-py's (a maintained Rust implementation of the OSM
specification with its own public-holiday calendars, so ``PH`` means Belgium's or France's
holidays); this module only fixes which time zone and calendar a country uses, and caches
parsed expressions, since many shops share the same hours.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

# ParserError exists at run time but the package's generated stub leaves it out.
from opening_hours import OpeningHours, ParserError  # type: ignore[attr-defined]

from .models import InvalidQueryError

TIMEZONES: dict[str, str] = {"BE": "Europe/Brussels", "FR": "Europe/Paris"}
DEFAULT_COUNTRY = "BE"
# One year: a rule with no change for longer is taken as permanent, which keeps a "closed
# for good" or "24/7" expression from searching until year 9999 for its next change.
_MAX_INTERVAL_DAYS = 366


class HoursSyntaxError(InvalidQueryError):
    """An expression that is not valid ``opening_hours`` syntax; ``column`` is 1-based."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message, "opening_hours")
        self.column = column


def timezone_of(country: str) -> ZoneInfo:
    """The time zone a shop's hours are read in (Brussels for BE, Paris for FR)."""
    return ZoneInfo(TIMEZONES.get(country, TIMEZONES[DEFAULT_COUNTRY]))


@lru_cache(maxsize=4096)
def compile_hours(expression: str, country: str) -> OpeningHours:
    """The parsed expression for a shop of ``country``; raises HoursSyntaxError."""
    try:
        return OpeningHours(
            expression,
            timezone=timezone_of(country),
            country=country if country in TIMEZONES else DEFAULT_COUNTRY,
            max_interval_days=_MAX_INTERVAL_DAYS,
        )
    except ParserError as error:
        raise HoursSyntaxError(_first_line(str(error)), _column(str(error))) from None


def is_open(expression: str, country: str, moment: datetime) -> bool:
    """True when the shop is open at ``moment`` (aware; naive is taken as the shop's time).

    "Unknown" states (``"sur rendez-vous"`` comments, ``unknown``) count as not open: the
    filter promises a door that opens.
    """
    hours = compile_hours(expression, country)
    zone = timezone_of(country)
    # opening-hours-py only takes zoneinfo zones (it reads ``.key``): datetime.UTC or a fixed
    # offset would raise, so every aware moment is first expressed in the shop's zone.
    moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    return bool(hours.is_open(moment))


def opens_at(expression: str, country: str, moment: datetime) -> bool:
    """Like ``is_open`` for a search filter: unknown ("") or unparsable hours never open.

    The application validates hours before saving them, so a bad expression in an index is a
    stale document: it drops out of "open now" rather than failing the whole search.
    """
    if not expression.strip():
        return False
    try:
        return is_open(expression, country, moment)
    except HoursSyntaxError:
        return False


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    expected = [line for line in lines if line.startswith("=")]
    return expected[0].lstrip("= ").strip() if expected else (lines[0] if lines else message)


def _column(message: str) -> int | None:
    # The parser reports "--> 1:7" (line:column) on the message's first line.
    for line in message.splitlines():
        if "-->" in line:
            _, _, place = line.partition("-->")
            column = place.strip().partition(":")[2]
            if column.isascii() and column.isdigit():
                return int(column)
    return None
