"""Who may change a shop window: named predicates, checked by the services and the templates.

A claimed shop's window is its merchant's; an unclaimed shop's is open to members'
suggestions, each managed by its author; moderators hide and restore any product.
"""

from __future__ import annotations

from directory.accounts.models import User
from directory.accounts.permissions import needs_confirmation
from directory.merchants.permissions import is_merchant_of
from directory.moderation.permissions import can_moderate
from directory.products.models import Product
from directory.shops.models import Shop


def may_post(user: User | None) -> bool:
    """A logged-in member in good standing whose email is confirmed (when that is required)."""
    return bool(
        user is not None
        and user.is_authenticated
        and not user.is_banned_now
        and not needs_confirmation(user)
    )


def can_add_product(user: User | None, shop: Shop) -> bool:
    """The merchant of a visible shop; on a visible unclaimed shop, any member who may post."""
    if not shop.is_visible:
        return False
    if is_merchant_of(user, shop):
        return True
    return shop.merchant_id is None and may_post(user)


def can_manage_product(user: User | None, product: Product) -> bool:
    """Edit or delete: the shop's merchant for every product, or on an unclaimed shop the
    member who suggested it. A product moderation hid is only restored, not edited."""
    shop = product.shop
    if not shop.is_visible or not product.is_visible:
        return False
    if is_merchant_of(user, shop):
        return True
    return (
        shop.merchant_id is None
        and may_post(user)
        and product.author_id is not None
        and product.author_id == user.id  # type: ignore[union-attr]
    )


def can_hide_product(user: User | None, product: Product) -> bool:
    """Moderators take a visible product out of the window."""
    return can_moderate(user) and product.is_visible


def can_restore_product(user: User | None, product: Product) -> bool:
    """Moderators put back a product they hid."""
    return can_moderate(user) and not product.is_visible
