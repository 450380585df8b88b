"""Opening hours: what a merchant may type, and the week table and "open now" line of a shop
page, at fixed clock times in the shop's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app import create_app
from directory.errors import ValidationFailed
from directory.shops.hours import open_state, shop_hours, validate_hours, week_table
from directory.shops.models import OPENING_HOURS_MAX_LENGTH, Shop
from search_index.hours import timezone_of
from tests.conftest import base_config

BRUSSELS = timezone_of("BE")
PARIS = timezone_of("FR")
SHOP_HOURS = "Mo-Fr 09:00-12:00,13:00-18:00; Sa 10:00-17:00; PH off"
WEEK_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
# A plain week of March 2026, and the week of Belgium's national day (Tuesday 21 July 2026).
WEDNESDAY = date(2026, 3, 11)
SUNDAY = date(2026, 3, 15)
NATIONAL_DAY = date(2026, 7, 21)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """No database is needed: only the interface language (French unless ``?lang=``)."""
    return create_app(base_config("sqlite://", tmp_path_factory.mktemp("hours")))


@pytest.fixture
def french(app):
    with app.test_request_context("/"):
        yield


def at(day: date, hour: int, minute: int = 0, tz=BRUSSELS) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def hours_by_name(rows) -> dict[str, str]:
    return {row.name: row.hours for row in rows}


# --- What a merchant may type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Mo-Fr 09:00-18:00", "Mo-Fr 09:00-18:00"),
        ("  Mo-Fr   09:00-18:00 ;  Sa 10:00-17:00 ", "Mo-Fr 09:00-18:00 ; Sa 10:00-17:00"),
        ("Mo-Fr 09:00-18:00;", "Mo-Fr 09:00-18:00"),
        (SHOP_HOURS, SHOP_HOURS),
        ("Fr-Sa 18:00-02:00", "Fr-Sa 18:00-02:00"),
        ('Mo-Fr 09:00-17:00; Sa "sur rendez-vous"', 'Mo-Fr 09:00-17:00; Sa "sur rendez-vous"'),
        ("24/7", "24/7"),
        # One rule per line, as a textarea invites.
        (
            "Mo-Fr 09:00-18:00\r\nSa 10:00-17:00;\n\nPH off\n",
            "Mo-Fr 09:00-18:00; Sa 10:00-17:00; PH off",
        ),
        # Lines that already read as one expression keep their meaning.
        ("Mo-Fr\n09:00-18:00", "Mo-Fr 09:00-18:00"),
        ("", ""),
        ("   \n ", ""),
    ],
)
def test_readable_hours_are_stored_tidied(french, typed, stored):
    assert validate_hours(typed) == stored


def test_a_bad_hour_is_named_with_where_it_fails(french):
    with pytest.raises(ValidationFailed) as refused:
        validate_hours("Mo-Fr 25:00-18:00")
    assert refused.value.field == "opening_hours"
    assert refused.value.message == (
        "Horaires illisibles à partir de « 25:00 » (caractère 7). "
        "Exemple : Mo-Fr 09:00-18:00; Sa 10:00-17:00; PH off"
    )


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("Lu-Ve 09:00-18:00", "à partir de « Lu » (caractère 1)"),
        ("Mo-Fr 9h-18h", "à partir de « 9h » (caractère 7)"),
        ("Mo-Fr 09:00-18:00 Sa 10:00-17:00", "à partir de « Sa » (caractère 19)"),
        ("Mo-Fr 09:00-", "Horaires incomplets"),
        ("ouvert tous les jours", "à partir de « ouvert » (caractère 1)"),
        ("Mo-Fr 09:00-18:00\x00", "caractères invalides"),
        ("Mo-Fr 09:00-18:00; " * 20, f"{OPENING_HOURS_MAX_LENGTH} caractères au maximum"),
    ],
)
def test_unreadable_hours_are_refused_on_their_field(french, typed, fragment):
    with pytest.raises(ValidationFailed) as refused:
        validate_hours(typed)
    assert refused.value.field == "opening_hours"
    assert fragment in refused.value.message


# --- The week table ----------------------------------------------------------------------------


def test_the_week_runs_from_monday_with_today_marked(french):
    rows = week_table(SHOP_HOURS, "BE", WEDNESDAY)
    assert [row.name for row in rows] == WEEK_NAMES
    assert rows[0].day == date(2026, 3, 9)
    assert [row.is_today for row in rows] == [False, False, True, False, False, False, False]
    assert hours_by_name(rows) == {
        **dict.fromkeys(WEEK_NAMES[:5], "09:00–12:00, 13:00–18:00"),
        "samedi": "10:00–17:00",
        "dimanche": "Fermé",
    }
    assert not any(row.is_holiday for row in rows)
    assert [row.is_open for row in rows] == [True] * 6 + [False]


def test_a_sunday_shows_the_week_it_ends(french):
    rows = week_table(SHOP_HOURS, "BE", SUNDAY)
    assert rows[0].day == date(2026, 3, 9)
    assert rows[-1].is_today and rows[-1].hours == "Fermé"


def test_a_belgian_public_holiday_with_ph_off_is_closed_and_said_so(french):
    rows = week_table(SHOP_HOURS, "BE", NATIONAL_DAY)
    tuesday = rows[1]
    assert tuesday.day == NATIONAL_DAY and tuesday.is_today
    assert tuesday.is_holiday and tuesday.hours == "Fermé" and not tuesday.is_open
    assert [row.is_holiday for row in rows].count(True) == 1
    assert rows[2].hours == "09:00–12:00, 13:00–18:00"


def test_without_a_ph_rule_a_holiday_is_an_ordinary_day(french):
    rows = week_table("Mo-Fr 09:00-18:00", "BE", NATIONAL_DAY)
    assert not rows[1].is_holiday and rows[1].hours == "09:00–18:00"


def test_holidays_are_the_shops_countrys(french):
    # 14 July is France's national day, not Belgium's.
    bastille = date(2026, 7, 14)
    assert week_table(SHOP_HOURS, "FR", bastille)[1].is_holiday
    assert not week_table(SHOP_HOURS, "BE", bastille)[1].is_holiday


def test_a_night_across_midnight_belongs_to_the_evening_it_starts(french):
    saturday = date(2026, 7, 25)
    rows = hours_by_name(week_table("Fr-Sa 18:00-02:00", "BE", saturday))
    assert rows["vendredi"] == "18:00–02:00"
    assert rows["samedi"] == "18:00–02:00"
    assert rows["dimanche"] == "Fermé"
    assert rows["lundi"] == "Fermé"


def test_a_comment_state_is_shown_as_such(french):
    rows = hours_by_name(
        week_table('Mo-Fr 09:00-12:00; Sa unknown "sur rendez-vous"', "BE", SUNDAY)
    )
    assert rows["samedi"] == "sur rendez-vous"
    assert rows["lundi"] == "09:00–12:00"


def test_open_round_the_clock(french):
    assert set(hours_by_name(week_table("24/7", "BE", WEDNESDAY)).values()) == {"24 h/24"}


def test_weekday_names_follow_the_interface_language(app):
    with app.test_request_context("/?lang=nl"):
        names = [row.name for row in week_table(SHOP_HOURS, "BE", WEDNESDAY)]
    assert names[:2] == ["maandag", "dinsdag"]


# --- Open now ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "state", "label", "next_change"),
    [
        (at(WEDNESDAY, 11), "open", "Ouvert", "ferme à 12:00"),
        (at(WEDNESDAY, 12, 30), "closed", "Fermé", "ouvre à 13:00"),
        (at(WEDNESDAY, 19), "closed", "Fermé", "ouvre jeudi à 09:00"),
        (at(WEDNESDAY, 7), "closed", "Fermé", "ouvre à 09:00"),
        (at(SUNDAY, 10), "closed", "Fermé", "ouvre lundi à 09:00"),
        (at(NATIONAL_DAY, 10), "closed", "Fermé", "ouvre mercredi à 09:00"),
        (at(date(2026, 7, 20), 17), "open", "Ouvert", "ferme à 18:00"),
        (at(date(2026, 7, 20), 19), "closed", "Fermé", "ouvre mercredi à 09:00"),
    ],
)
def test_open_state_at_fixed_times(french, moment, state, label, next_change):
    found = open_state(SHOP_HOURS, "BE", moment)
    assert (found.state, found.label, found.next_change) == (state, label, next_change)


def test_saturday_one_in_the_morning_is_still_fridays_night(french):
    found = open_state("Fr-Sa 18:00-02:00", "BE", at(date(2026, 7, 25), 1))
    assert (found.state, found.next_change) == ("open", "ferme à 02:00")
    late = open_state("Fr-Sa 18:00-02:00", "BE", at(date(2026, 7, 24), 23))
    assert (late.state, late.next_change) == ("open", "ferme à 02:00")


def test_the_moment_is_read_in_the_shops_time_zone(french):
    # 08:30 UTC is 09:30 in Brussels in March.
    utc_morning = datetime(2026, 3, 11, 8, 30, tzinfo=UTC)
    assert open_state(SHOP_HOURS, "BE", utc_morning).state == "open"
    assert open_state("Mo-Fr 09:00-10:00", "FR", at(WEDNESDAY, 9, 30, PARIS)).state == "open"
    assert open_state("Mo-Fr 09:00-10:00", "FR", at(WEDNESDAY, 8, 30, PARIS)).state == "closed"


def test_an_appointment_only_day_says_so_rather_than_open(french):
    saturday = date(2026, 3, 14)
    found = open_state('Mo-Fr 09:00-12:00; Sa unknown "sur rendez-vous"', "BE", at(saturday, 10))
    assert (found.state, found.label) == ("unknown", "sur rendez-vous")


def test_a_change_far_away_is_named_by_its_date(french):
    found = open_state("Dec 24 10:00-12:00", "BE", at(WEDNESDAY, 10))
    assert found.next_change == "ouvre le 24 décembre à 10:00"


def test_always_open_has_no_next_change(french):
    found = open_state("24/7", "BE", at(WEDNESDAY, 3))
    assert (found.state, found.next_change) == ("open", "")


# --- The page's block --------------------------------------------------------------------------


def test_no_hours_no_block(french):
    assert shop_hours(Shop(opening_hours="", country="BE"), at(WEDNESDAY, 10)) is None


def test_stored_hours_the_parser_no_longer_reads_are_shown_as_text(french):
    block = shop_hours(Shop(opening_hours="Mo-Fr 9h-18h", country="BE"), at(WEDNESDAY, 10))
    assert block is not None
    assert (block.readable, block.week, block.now) == (False, [], None)
    assert block.expression == "Mo-Fr 9h-18h"


def test_the_block_is_this_weeks_in_the_shops_time_zone(french):
    # Sunday 23:30 UTC is already Monday in Brussels.
    block = shop_hours(
        Shop(opening_hours=SHOP_HOURS, country="BE"), datetime(2026, 3, 15, 23, 30, tzinfo=UTC)
    )
    assert block is not None and block.readable
    assert block.week[0].is_today and block.week[0].day == date(2026, 3, 16)
    assert block.now is not None and block.now.next_change == "ouvre à 09:00"
