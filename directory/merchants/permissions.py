"""Named predicates about merchants, shared by the merchant and shop-window services."""

from __future__ import annotations

from directory.accounts.models import User
from directory.shops.models import Shop


def is_merchant_of(user: User | None, shop: Shop) -> bool:
    """True when ``user`` is the verified merchant of ``shop`` (and may act as a member)."""
    return (
        user is not None
        and user.is_authenticated
        and not user.is_banned_now
        and shop.merchant_id is not None
        and shop.merchant_id == user.id
    )
