"""Input checks shared by forms and services, so a service never trusts its caller."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import gettext as _

from directory.errors import ValidationFailed

MAX_URL_LENGTH = 300
# What starts an HTML tag, comment or declaration: "<b", "</", "<!--", "<?"; "a < b" or "<3" pass.
HTML_TAG = re.compile(r"<[A-Za-z/!?]")


def clean_text(value: str | None, field: str, max_length: int, *, required: bool = False) -> str:
    """Strip ``value``; refuse control characters, over-long text and missing required text."""
    value = (value or "").strip()
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise ValidationFailed(_("Ce texte contient des caractères invalides."), field=field)
    if len(value) > max_length:
        raise ValidationFailed(_("%(n)d caractères au maximum.", n=max_length), field=field)
    if required and not value:
        raise ValidationFailed(_("Ce champ est obligatoire."), field=field)
    return value


def refuse_markup(value: str, field: str, message: str) -> str:
    """Return ``value`` unless it holds an HTML tag; then refuse it with ``message``."""
    if HTML_TAG.search(value):
        raise ValidationFailed(message, field=field)
    return value


def is_safe_web_url(value: str) -> bool:
    """True for an absolute http(s) URL with a host: no ``javascript:``, ``data:`` or paths."""
    if not value or len(value) > MAX_URL_LENGTH or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "\\" not in value


def clean_url(value: str | None, field: str) -> str | None:
    """Return a normalised web URL or None; ``www.shop.be`` becomes ``https://www.shop.be``."""
    value = clean_text(value, field, MAX_URL_LENGTH)
    if not value:
        return None
    if "://" not in value and ":" not in value.split("/")[0]:
        value = "https://" + value
    if not is_safe_web_url(value):
        raise ValidationFailed(
            _("Adresse web invalide : elle doit commencer par http:// ou https://."), field=field
        )
    return value
