"""A shop's opening hours on its page: checking what a merchant types, the week's table and the
"open now" line, all read in the shop's own time zone.

The syntax is OpenStreetMap's ``opening_hours``; parsing and evaluation are the search library's
(``search_index.hours``), so the page, the "open now" filter and this check agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from opening_hours import OpeningHours, State

from directory.errors import ValidationFailed
from directory.shops.limits import OPENING_HOURS_MAX_LENGTH
from directory.shops.models import Shop
from directory.validation import clean_text
from search_index.hours import DEFAULT_COUNTRY, HoursSyntaxError, compile_hours, timezone_of

HOURS_EXAMPLE = "Mo-Fr 09:00-18:00; Sa 10:00-17:00; PH off"
# "PH" as a rule selector; a comment in quotes may say anything.
_PH_RULE = re.compile(r"\bPH\b")
_COMMENT = re.compile(r'"[^"]*"')
# The word at fault in an error message: up to the next space, range dash or separator.
_TOKEN = re.compile(r"[^\s;,\-]+")
_DAY = timedelta(days=1)
# A change further than this is named by its date rather than its weekday.
_WEEK = 7


@dataclass(frozen=True)
class DayHours:
    """One row of the week table."""

    day: date
    name: str  # the weekday in the interface language ("lundi")
    hours: str  # "09:00–12:00, 13:00–18:00", "Fermé", "sur rendez-vous"
    is_open: bool  # some opening (or appointment) that day
    is_today: bool
    is_holiday: bool  # a public holiday, and the hours have a PH rule


@dataclass(frozen=True)
class OpenState:
    """Whether the shop is open now, and when that changes."""

    state: str  # "open", "closed" or "unknown"
    label: str  # "Ouvert", "Fermé", or for an unknown state its comment ("sur rendez-vous")
    comment: str  # the merchant's comment on the current state, if any
    next_change: str  # "ferme à 18:00", "ouvre lundi à 09:00"; "" when nothing changes


@dataclass(frozen=True)
class ShopHours:
    """What the shop page shows of the hours: ``readable`` is False for a stored expression the
    parser no longer reads (the text is then shown as it is)."""

    expression: str
    readable: bool
    week: list[DayHours]
    now: OpenState | None


def validate_hours(text: str | None) -> str:
    """The expression to store: stripped, whitespace collapsed, "" for none; raises
    ``ValidationFailed`` on ``opening_hours`` saying where it stops being readable.

    One rule per line is accepted too: lines that do not read as one expression are tried again
    joined with "; ".
    """
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    expression = _tidy(" ".join(lines))
    clean_text(expression, "opening_hours", OPENING_HOURS_MAX_LENGTH)
    if not expression:
        return ""
    error = _syntax_error(expression)
    if error is None:
        return expression
    one_rule_per_line = _tidy("; ".join(line.rstrip("; ") for line in lines if line))
    if (
        one_rule_per_line != expression
        and len(one_rule_per_line) <= OPENING_HOURS_MAX_LENGTH
        and _syntax_error(one_rule_per_line) is None
    ):
        return one_rule_per_line
    raise ValidationFailed(_hours_error(expression, error.column), field="opening_hours")


def _syntax_error(expression: str) -> HoursSyntaxError | None:
    try:
        compile_hours(expression, DEFAULT_COUNTRY)
    except HoursSyntaxError as error:
        return error
    return None


def _tidy(expression: str) -> str:
    # A trailing separator is a common slip that the grammar refuses.
    return expression.strip().rstrip(";").strip()


def _hours_error(expression: str, column: int | None) -> str:
    if column is None:
        return _("Horaires illisibles. Exemple : %(example)s", example=HOURS_EXAMPLE)
    if column > len(expression):
        return _(
            "Horaires incomplets : il manque la suite après le caractère %(column)d. "
            "Exemple : %(example)s",
            column=len(expression),
            example=HOURS_EXAMPLE,
        )
    rest = expression[column - 1 :].lstrip()
    found = _TOKEN.match(rest)
    token = found.group() if found else rest[:1]
    return _(
        "Horaires illisibles à partir de « %(token)s » (caractère %(column)d). "
        "Exemple : %(example)s",
        token=token,
        column=column,
        example=HOURS_EXAMPLE,
    )


def shop_hours(shop: Shop, now: datetime) -> ShopHours | None:
    """The hours block of ``shop``'s page at ``now`` (aware), or None when its hours are unknown."""
    if not shop.opening_hours:
        return None
    try:
        local = _local(now, shop.country)
        return ShopHours(
            expression=shop.opening_hours,
            readable=True,
            week=week_table(shop.opening_hours, shop.country, local.date()),
            now=open_state(shop.opening_hours, shop.country, local),
        )
    except HoursSyntaxError:
        return ShopHours(expression=shop.opening_hours, readable=False, week=[], now=None)


def week_table(expression: str, country: str, today: date) -> list[DayHours]:
    """Monday to Sunday of ``today``'s week (``today`` in the shop's time zone)."""
    hours = compile_hours(expression, country)
    tz = timezone_of(country)
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    # From the Sunday before, so a night that started then is not taken for Monday's opening.
    start = datetime.combine(monday - _DAY, time.min, tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=8), time.min, tzinfo=tz)
    pieces = _pieces_by_day(hours, start, end)
    marks_holidays = bool(_PH_RULE.search(_COMMENT.sub("", expression)))
    holidays = compile_hours("PH", country) if marks_holidays else None
    rows = []
    for day in days:
        texts, closed_comment = pieces.get(day, ([], ""))
        is_holiday = holidays is not None and holidays.is_open(
            datetime.combine(day, time(12), tzinfo=tz)
        )
        rows.append(
            DayHours(
                day=day,
                name=format_date(day, "EEEE"),
                hours=", ".join(texts) if texts else _closed(closed_comment),
                is_open=bool(texts),
                is_today=day == today,
                is_holiday=is_holiday,
            )
        )
    return rows


def _closed(comment: str) -> str:
    return _("Fermé (%(comment)s)", comment=comment) if comment else _("Fermé")


def _pieces_by_day(
    hours: OpeningHours, start: datetime, end: datetime
) -> dict[date, tuple[list[str], str]]:
    """Each day's opening texts, and the comment of a closed period that day.

    An opening shorter than a day is shown whole on the day it starts ("18:00–02:00" on
    Friday, nothing on Saturday morning); a longer one is cut at each midnight.
    """
    opened: dict[date, list[str]] = {}
    closed: dict[date, str] = {}
    for begin, finish, state, comment in hours.intervals(start, end):
        finish = finish or end
        if state == State.CLOSED:
            if comment:
                closed[begin.date()] = comment
            continue
        for day, piece_start, piece_end in _split(begin, finish):
            opened.setdefault(day, []).append(
                _piece_text(day, piece_start, piece_end, state, comment)
            )
    return {day: (opened.get(day, []), closed.get(day, "")) for day in opened.keys() | closed}


def _split(begin: datetime, finish: datetime) -> list[tuple[date, datetime, datetime]]:
    if finish - begin < _DAY:
        return [(begin.date(), begin, finish)]
    pieces = []
    cursor = begin
    while cursor < finish:
        midnight = datetime.combine(cursor.date() + _DAY, time.min, tzinfo=cursor.tzinfo)
        pieces.append((cursor.date(), cursor, min(midnight, finish)))
        cursor = midnight
    return pieces


def _piece_text(day: date, start: datetime, end: datetime, state: State, comment: str) -> str:
    whole_day = start.time() == time.min and end == datetime.combine(
        day + _DAY, time.min, tzinfo=start.tzinfo
    )
    if whole_day:
        span = _("24 h/24")
    else:
        closing = "24:00" if end.date() > day and end.time() == time.min else f"{end:%H:%M}"
        span = f"{start:%H:%M}\u2013{closing}"
    if state == State.UNKNOWN:
        note = comment or _("à confirmer")
        return note if whole_day else f"{span} ({note})"
    return f"{span} ({comment})" if comment else span


def open_state(expression: str, country: str, now: datetime) -> OpenState:
    """Open or closed at ``now`` and the next change; a naive ``now`` is the shop's local time
    (as in ``search_index.hours.is_open``)."""
    hours = compile_hours(expression, country)
    local = _local(now, country)
    state, comment = hours.state(local)
    change = hours.next_change(local)
    next_state, next_comment = state, comment
    # A change of comment alone ("sur rendez-vous" from 14:00) is not a change of door.
    for _step in range(8):
        if change is None:
            break
        next_state, next_comment = hours.state(change)
        if next_state != state:
            break
        change = hours.next_change(change)
    else:
        change = None
    return OpenState(
        state=_STATE_NAMES[state],
        label=_state_label(state, comment),
        comment=comment,
        next_change=(
            _change_text(local, change.astimezone(local.tzinfo), next_state, next_comment)
            if change is not None
            else ""
        ),
    )


_STATE_NAMES = {State.OPEN: "open", State.CLOSED: "closed", State.UNKNOWN: "unknown"}


def _local(now: datetime, country: str) -> datetime:
    tz = timezone_of(country)
    return now.astimezone(tz) if now.tzinfo is not None else now.replace(tzinfo=tz)


def _state_label(state: State, comment: str) -> str:
    if state == State.OPEN:
        return _("Ouvert")
    if state == State.CLOSED:
        return _("Fermé")
    return comment or _("Horaires à confirmer")


def _change_text(now: datetime, change: datetime, state: State, comment: str) -> str:
    clock = f"{change:%H:%M}"
    days_ahead = (change.date() - now.date()).days
    # A night closing at 02:00 closes "à 02:00", not "samedi à 02:00".
    if days_ahead == 0 or (state == State.CLOSED and change - now < _DAY):
        when = _("à minuit") if change.time() == time.min else _("à %(time)s", time=clock)
    elif days_ahead < _WEEK:
        when = _("%(day)s à %(time)s", day=format_date(change.date(), "EEEE"), time=clock)
    else:
        when = _("le %(date)s à %(time)s", date=format_date(change.date(), "d MMMM"), time=clock)
    if state == State.OPEN:
        return _("ouvre %(when)s", when=when)
    if state == State.CLOSED:
        return _("ferme %(when)s", when=when)
    return _("puis « %(state)s » %(when)s", state=comment or _("horaires à confirmer"), when=when)
