"""Interface language: French first, Dutch and English when asked for."""

from __future__ import annotations

from flask import current_app, has_request_context, request

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """``?lang=`` wins, then the language cookie, then the browser's wish, then French."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background work speak French
        return languages[0]
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in languages:
            return candidate
    return request.accept_languages.best_match(languages) or languages[0]
