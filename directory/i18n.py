"""Interface language: French first, Dutch and English when asked for."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Response, current_app, g, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, gettext
from markupsafe import Markup, escape

from directory.timeutil import utcnow

LANGUAGE_COOKIE = "lang"
# Dates and numbers follow these regions; translations are looked up by language alone.
REGIONAL_LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}


@cache
def _has_catalogue(translations_dir: str, language: str) -> bool:
    return (Path(translations_dir) / language / "LC_MESSAGES" / "messages.mo").exists()


def select_locale() -> str:
    """The regional locale of the interface language (``fr_BE``, ``nl_BE`` or ``en_GB``).

    ``?lang=`` wins, then the language cookie, then the browser's wish, then French.

    The browser's wish only counts for languages whose catalogue is compiled: until the Dutch
    and English translations exist, a Dutch browser would otherwise get a half-translated page.
    """
    languages = current_app.config["LANGUAGES"]
    return REGIONAL_LOCALES.get(_language(languages), languages[0])


def _member() -> str | None:
    """The language chosen in the settings of the member already loaded for this request.

    Only a member Flask-Login has already loaded counts: choosing the language never queries
    the database itself, so error pages can be translated while the database is down.
    """
    user = g.get("_login_user")
    return getattr(user, "language", None)


def _language(languages: tuple[str, ...]) -> str:
    if not has_request_context():  # CLI commands and background work speak French
        return languages[0]
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE), _member()):
        if candidate in languages:
            return candidate
    translations = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
    offered = [languages[0]] + [
        lang for lang in languages[1:] if _has_catalogue(translations, lang)
    ]
    return request.accept_languages.best_match(offered) or languages[0]


def remember_language(response: Response, language: str) -> None:
    """Keep the chosen language for later pages and visits."""
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax")


def forget_language(response: Response) -> None:
    """Drop the language cookie: the browser's ``Accept-Language`` decides again."""
    response.delete_cookie(LANGUAGE_COOKIE, samesite="Lax")


def follow_member_language(response: Response, user) -> Response:
    """After login or a settings change: the member's chosen language becomes this browser's."""
    if user.language in current_app.config["LANGUAGES"]:
        remember_language(response, user.language)
    return response


def keep_explicit_language(response: Response) -> Response:
    """``after_request``: a ``?lang=`` in a shared link sticks for the following pages."""
    language = request.args.get("lang")
    if language in current_app.config["LANGUAGES"] and (
        request.cookies.get(LANGUAGE_COOKIE) != language
    ):
        remember_language(response, language)
    return response


def without_lang(path: str) -> str:
    """Drop ``lang=`` from a local URL, so the language chosen later (switcher, cookie) wins."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return parts.path + (f"?{urlencode(query)}" if query else "")


# French elides "de" before a vowel sound: "autour d'Arlon", "autour de Namur". A mute h is
# left out on purpose: "Hasselt" and "Huy" are aspirated for most speakers.
_ELIDING = frozenset("aeiouyàâäéèêëîïôöùûüœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ")


_COORDINATES = re.compile(r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$")


def around(place: str) -> str:
    """The place a search is around: "autour d'Arlon", "autour de Namur", "around Arlon".

    Coordinates come from "Ma position" (or are typed): "around your position" reads better
    than "around 49.68333,5.81667".
    """
    if _COORDINATES.match(place):
        return gettext("autour de votre position")
    if place[:1] in _ELIDING:
        return gettext("autour d'%(place)s", place=place)
    return gettext("autour de %(place)s", place=place)


def distance_km(value: float) -> str:
    """A distance as the locale writes it: "0,1 km" in French and Dutch, "0.1 km" in English
    (a no-break space keeps the unit with its number)."""
    return format_decimal(value, format="#,##0.0") + "\u00a0km"


def number(value: float | int | str) -> str:
    """A number as the locale writes it ("2,5" in French and Dutch, "2.5" in English)."""
    return format_decimal(float(value))


# Up to a month, "3 days ago" reads better than a date; beyond, the date says more.
RELATIVE_DATE_LIMIT = timedelta(days=30)


def relative_date(moment: datetime) -> Markup:
    """``<time>`` reading "il y a 3 jours" for recent moments, the date for older ones.

    ``moment`` is naive UTC (as stored); the exact date and time stay in the title and in the
    machine-readable ``datetime`` attribute.
    """
    age = utcnow() - moment
    if timedelta(0) <= age < RELATIVE_DATE_LIMIT:
        text = format_timedelta(-age, add_direction=True, threshold=1)
    else:
        text = format_date(moment, "medium")
    return Markup('<time datetime="{iso}Z" title="{full}">{text}</time>').format(
        iso=moment.isoformat(timespec="seconds"),
        full=escape(format_datetime(moment, "medium")),
        text=text,
    )
