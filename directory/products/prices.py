"""Prices in a shop window: what is typed ("12,50 €") to cents, and cents back to text."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import format_currency, format_decimal, format_number
from flask_babel import gettext as _

from directory.errors import ValidationFailed

# A window shows everyday goods: above this, the figure is a typo (or a joke).
MAX_PRICE_EUROS = 100_000
MAX_PRICE_CENTS = MAX_PRICE_EUROS * 100
PRICE_INPUT_MAX_LENGTH = 20
# Euros, then at most two decimals after a comma or a point; [0-9] so that only ASCII digits
# reach int() (str.isdigit also accepts "²" or Arabic-Indic digits).
_PRICE = re.compile(r"([0-9]+)(?:[.,]([0-9]{1,2}))?")
_CURRENCY = re.compile(r"^(?:€|eur|euros?)\s*|\s*(?:€|eur|euros?)$", re.IGNORECASE)
# "1 250,00 €" as French typists write it: spaces (plain, no-break, narrow no-break) between
# groups of three digits.
_GROUP_SPACE = re.compile(r"(?<=[0-9])[ \u00a0\u202f](?=[0-9]{3}(?![0-9]))")


def parse_price(value: str | None, field: str = "price") -> int | None:
    """``"12,50"``, ``"12.50"``, ``"12,50 €"``, ``"12"`` → cents; empty → None (no price).

    Refuses negative amounts and more than ``MAX_PRICE_EUROS``.
    """
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > PRICE_INPUT_MAX_LENGTH:
        raise ValidationFailed(_("Indiquez un prix comme 12,50 ou 12,50 €."), field=field)
    text = _GROUP_SPACE.sub("", _CURRENCY.sub("", text).strip())
    if text.startswith(("-", "\u2212")):
        raise ValidationFailed(_("Le prix ne peut pas être négatif."), field=field)
    match = _PRICE.fullmatch(text)
    if match is None:
        raise ValidationFailed(_("Indiquez un prix comme 12,50 ou 12,50 €."), field=field)
    euros, decimals = match.groups()
    cents = int(euros) * 100 + int((decimals or "0").ljust(2, "0"))
    if cents > MAX_PRICE_CENTS:
        raise ValidationFailed(
            _("Le prix ne peut pas dépasser %(max)s €.", max=format_number(MAX_PRICE_EUROS)),
            field=field,
        )
    return cents


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def price_text(cents: int | None) -> str:
    """A stored price as the form shows it again for editing: ``1250`` → ``"12,50"`` (French)."""
    if cents is None:
        return ""
    return format_decimal(_euros(cents), format="0.00")


def format_price(cents: int | None) -> str:
    """A price as the window shows it, in the reader's locale: ``12,50 €``, ``€12.50``."""
    if cents is None:
        return ""
    return format_currency(_euros(cents), "EUR")
