"""HTML snippets with the matched words wrapped in <mark>; everything else escaped."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from html import escape

from .analysis import WORD_RE, analyze, term_of

DESCRIPTION_CHARS = 160
SEPARATOR = " — "


def mark(text: str, terms: frozenset[str]) -> str:
    """Escape ``text`` and wrap words whose term is in ``terms`` with <mark>."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    pos = 0
    for match in WORD_RE.finditer(text):
        if term_of(match.group()) in terms:
            out.append(escape(text[pos : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def excerpt(text: str, terms: frozenset[str], size: int = DESCRIPTION_CHARS) -> str:
    """A window of about ``size`` characters starting near the first matched word."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if len(text) <= size:
        return text
    start = 0
    for match in WORD_RE.finditer(text):
        if term_of(match.group()) in terms:
            # A match near the end opens the window earlier, so it still holds ``size``.
            start = max(0, min(match.start() - size // 4, len(text) - size))
            break
    if start:
        # Start on a word boundary so the excerpt does not open mid-word.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = start + size
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + size // 2 else end
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return f"{prefix}{text[start:end]}{suffix}"


def snippet(name: str, description: str, terms: frozenset[str]) -> tuple[str, str]:
    """``(name — description excerpt, excerpt)`` as safe HTML with matches marked.

    The excerpt alone lets a caller show it only when it marks a word the name does not show.
    """
    part = mark(excerpt(description, terms), terms) if description.strip() else ""
    html = mark(name, terms)
    if part:
        html += escape(SEPARATOR) + part
    return html, part


def matched_product(products: Iterable[tuple[str, str]], terms: frozenset[str]) -> str | None:
    """Name of the first (name, description) product with a word whose term is in ``terms``."""
    if not terms:
        return None
    for name, description in products:
        if not terms.isdisjoint(analyze(f"{name} {description}")):
            return name
    return None
