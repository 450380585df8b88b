"""Interface language: French first, Dutch and English when asked for."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app, has_request_context, request

LANGUAGE_COOKIE = "lang"


@cache
def _has_catalogue(translations_dir: str, language: str) -> bool:
    return (Path(translations_dir) / language / "LC_MESSAGES" / "messages.mo").exists()


def select_locale() -> str:
    """``?lang=`` wins, then the language cookie, then the browser's wish, then French.

    The browser's wish only counts for languages whose catalogue is compiled: until the Dutch
    and English translations exist, a Dutch browser would otherwise get a half-translated page.
    """
    languages = current_app.config["LANGUAGES"]
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
