"""Shop-window operations: add, edit and delete a product, hide and restore it, and the
window's query.

Each operation checks the actor with a named predicate (``directory/products/permissions.py``),
locks the shop so changes to one window take turns (the product limit holds), and leaves the
commit to the caller. A photo is checked and re-encoded before any lock is taken, and its file
written last; ``directory/products/photos.py`` keeps files in step with commits and rollbacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import func, select

from directory.accounts.models import User
from directory.accounts.permissions import require_confirmed_member
from directory.errors import Conflict, NotFound, PermissionDenied
from directory.extensions import db
from directory.moderation.models import Action, ModerationEntry, TargetType
from directory.moderation.permissions import can_moderate, require_moderator
from directory.moderation.services import log_action, moderation_reason
from directory.products.links import clean_product_url
from directory.products.models import (
    PRODUCT_DESCRIPTION_MAX_LENGTH,
    PRODUCT_NAME_MAX_LENGTH,
    PRODUCTS_PER_SHOP,
    Product,
    ProductStatus,
)
from directory.products.permissions import can_add_product, can_manage_product
from directory.products.photos import (
    PreparedPhoto,
    delete_photo_after_commit,
    prepare_photo,
    store_photo,
)
from directory.products.prices import parse_price
from directory.shops.models import Shop
from directory.shops.services import can_see, get_visible_shop, lock_shop
from directory.validation import clean_text, refuse_markup


@dataclass
class ProductInput:
    """What is typed (and uploaded) to add or edit a product, before any check."""

    name: str
    description: str = ""
    price: str = ""
    url: str = ""
    # The uploaded file's stream; read (up to the size limit) by photos.prepare_photo.
    photo: IO[bytes] | None = None
    # On an edit without a new photo: take the current one away.
    remove_photo: bool = False


def _checked_fields(data: ProductInput, shop: Shop) -> dict:
    name = clean_text(data.name, "name", PRODUCT_NAME_MAX_LENGTH, required=True)
    return {
        "name": refuse_markup(name, "name", _("Le nom ne peut pas contenir de balises HTML.")),
        "description": clean_text(data.description, "description", PRODUCT_DESCRIPTION_MAX_LENGTH),
        "price_cents": parse_price(data.price, "price"),
        "url": clean_product_url(data.url, shop, "url"),
    }


def _prepared(data: ProductInput) -> PreparedPhoto | None:
    return prepare_photo(data.photo, "photo") if data.photo is not None else None


def is_member_suggestion(product: Product) -> bool:
    """True when a member, not the shop's merchant, posted the product: the window says so,
    and its link is marked as user content."""
    merchant_id = product.shop.merchant_id
    return merchant_id is None or product.author_id != merchant_id


def window_products(viewer: User | None, shop_id: int) -> list[Product]:
    """The shop's window, oldest first: its visible products, and for moderators the hidden
    ones too (marked, to restore them)."""
    query = select(Product).where(Product.shop_id == shop_id)
    if not can_moderate(viewer):
        query = query.where(Product.status == ProductStatus.VISIBLE.value)
    return list(db.session.scalars(query.order_by(Product.created_at, Product.id)))


def get_product_for(viewer: User | None, product_id: int) -> Product:
    """The product if ``viewer`` may see it (a hidden one: moderators only), else ``NotFound``."""
    product = db.session.get(Product, product_id)
    if (
        product is None
        or not can_see(viewer, product.shop)
        or (not product.is_visible and not can_moderate(viewer))
    ):
        raise NotFound(_("Ce produit n'existe pas ou n'est plus visible."))
    return product


def _locked(product_id: int) -> Product:
    """The product, re-read once its shop is locked: a change to the window runs before or
    after this one, never across it."""
    shop_id = db.session.scalar(select(Product.shop_id).where(Product.id == product_id))
    if shop_id is None or lock_shop(shop_id) is None:
        raise NotFound(_("Ce produit n'existe pas ou n'est plus visible."))
    product = db.session.get(Product, product_id, populate_existing=True)
    if product is None:
        raise NotFound(_("Ce produit n'existe pas ou n'est plus visible."))
    return product


def _refuse_a_full_window(shop_id: int) -> None:
    shown = db.session.scalar(
        select(func.count())
        .select_from(Product)
        .where(Product.shop_id == shop_id, Product.status == ProductStatus.VISIBLE.value)
    )
    if (shown or 0) >= PRODUCTS_PER_SHOP:
        raise Conflict(
            _(
                "La vitrine est complète (%(n)d produits au plus) : retirez-en un d'abord.",
                n=PRODUCTS_PER_SHOP,
            )
        )


def _forget_if_unused(photo: str | None) -> None:
    """Delete a photo file after the commit when no product uses it any more."""
    if photo is None:
        return
    used = db.session.scalar(select(Product.id).where(Product.photo == photo).limit(1))
    if used is None:
        delete_photo_after_commit(photo)


def add_product(actor: User | None, shop_id: int, data: ProductInput) -> Product:
    """Put a product in a visible shop's window: the merchant's, or a member's suggestion on
    an unclaimed shop."""
    actor = require_confirmed_member(actor, _("Connectez-vous pour ajouter un produit."))
    visible = get_visible_shop(shop_id)
    if not can_add_product(actor, visible):
        raise PermissionDenied(_("La vitrine de cette boutique est tenue par son commerçant."))
    fields = _checked_fields(data, visible)
    photo = _prepared(data)
    shop = lock_shop(shop_id)  # re-read: a claim may have been accepted meanwhile
    if shop is None or not shop.is_visible:
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    if not can_add_product(actor, shop):
        raise PermissionDenied(_("La vitrine de cette boutique est tenue par son commerçant."))
    _refuse_a_full_window(shop.id)
    product = Product(
        shop_id=shop.id,
        author_id=actor.id,
        status=ProductStatus.VISIBLE.value,
        photo=photo.name if photo else None,
        **fields,
    )
    db.session.add(product)
    db.session.flush()
    if photo is not None:
        store_photo(photo)
    return product


def edit_product(actor: User | None, product_id: int, data: ProductInput) -> Product:
    """Change a product: the shop's merchant, or the member who suggested it."""
    actor = require_confirmed_member(actor, _("Connectez-vous pour modifier ce produit."))
    product = get_product_for(actor, product_id)
    if not can_manage_product(actor, product):
        raise PermissionDenied(_("Seuls le commerçant et l'auteur du produit peuvent le modifier."))
    fields = _checked_fields(data, product.shop)
    photo = _prepared(data)
    product = _locked(product_id)
    if not can_manage_product(actor, product):
        raise PermissionDenied(_("Seuls le commerçant et l'auteur du produit peuvent le modifier."))
    old_photo = product.photo
    for key, value in fields.items():
        setattr(product, key, value)
    if photo is not None:
        product.photo = photo.name
    elif data.remove_photo:
        product.photo = None
    db.session.flush()
    if photo is not None:
        store_photo(photo)
    if old_photo != product.photo:
        _forget_if_unused(old_photo)
    return product


def delete_product(actor: User | None, product_id: int) -> Shop:
    """Take a product out of the window for good; return its shop, to go back to."""
    actor = require_confirmed_member(actor, _("Connectez-vous pour supprimer ce produit."))
    product = get_product_for(actor, product_id)
    if not can_manage_product(actor, product):
        raise PermissionDenied(
            _("Seuls le commerçant et l'auteur du produit peuvent le supprimer.")
        )
    product = _locked(product_id)
    if not can_manage_product(actor, product):
        raise PermissionDenied(
            _("Seuls le commerçant et l'auteur du produit peuvent le supprimer.")
        )
    shop, photo = product.shop, product.photo
    db.session.delete(product)
    db.session.flush()
    _forget_if_unused(photo)
    return shop


def _log_target(product: Product) -> str:
    """The log's name for a product: with its shop's, since product names repeat."""
    return f"{product.name} ({product.shop.name})"


def hide_product(actor: User | None, product_id: int, reason: str) -> ModerationEntry:
    """A moderator takes a product out of the window (and of search), with a public reason."""
    moderator = require_moderator(actor)
    reason = moderation_reason(reason)
    product = _locked(product_id)
    if not product.is_visible:
        raise Conflict(_("Ce produit est déjà masqué."), field="reason")
    product.status = ProductStatus.HIDDEN.value
    db.session.flush()
    return log_action(
        moderator, Action.HIDE_PRODUCT, TargetType.PRODUCT, product.id, _log_target(product), reason
    )


def restore_product(actor: User | None, product_id: int, reason: str) -> ModerationEntry:
    """A moderator puts back a product they hid, if the window has room for it."""
    moderator = require_moderator(actor)
    reason = moderation_reason(reason)
    product = _locked(product_id)
    if product.is_visible:
        raise Conflict(_("Ce produit n'est pas masqué."), field="reason")
    _refuse_a_full_window(product.shop_id)
    product.status = ProductStatus.VISIBLE.value
    db.session.flush()
    return log_action(
        moderator, Action.RESTORE, TargetType.PRODUCT, product.id, _log_target(product), reason
    )
