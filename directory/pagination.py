"""Reading list parameters from the query string without ever failing."""

from __future__ import annotations

from flask import request

MAX_PAGE = 10_000


def page_arg() -> int:
    """The ``page`` parameter, clamped to 1..MAX_PAGE; junk gives page 1."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def choice_arg(name: str, choices: tuple[str, ...], default: str) -> str:
    """A query parameter restricted to ``choices``; anything else gives ``default``."""
    value = request.args.get(name, default)
    return value if value in choices else default
