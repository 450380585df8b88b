"""Interface language: French first, Dutch and English when asked for."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app, has_request_context, request

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


def _language(languages: tuple[str, ...]) -> str:
    if not has_request_context():  # CLI commands and background work speak French
        return languages[0]
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in languages:
            return candidate
    translations = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
    offered = [languages[0]] + [
        lang for lang in languages[1:] if _has_catalogue(translations, lang)
    ]
    return request.accept_languages.best_match(offered) or languages[0]
