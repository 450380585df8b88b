"""Shop operations: post, edit, and the queries behind the directory pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select

from directory.accounts.models import User
from directory.accounts.permissions import require_confirmed_member
from directory.errors import NotFound, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.places.gazetteer import geocode
from directory.shops.models import Category, Shop, ShopStatus
from directory.shops.ranking import hot_score
from directory.text import slugify
from directory.timeutil import utcnow
from directory.validation import clean_text, clean_url

MAX_DELIVERY_RADIUS_KM = 200
PHONE_PATTERN = re.compile(r"^\+?[0-9 ./()-]{6,30}$")


@dataclass
class ShopInput:
    """What a member types to post or edit a shop, before any check."""

    name: str
    category_id: int | None
    address: str
    postcode: str
    town: str
    country: str
    website: str | None = None
    eshop_url: str | None = None
    phone: str | None = None
    description: str = ""
    takeaway: bool = False
    click_collect: bool = False
    delivery: bool = False
    delivery_radius_km: int | None = None
    eshop: bool = False


def _checked_fields(data: ShopInput) -> dict:
    """Validate ``data`` and return the column values; geocodes the town offline."""
    category = db.session.get(Category, data.category_id) if data.category_id else None
    if category is None:
        raise ValidationFailed(_("Choisissez une catégorie de la liste."), field="category_id")
    fields: dict[str, Any] = {
        "name": clean_text(data.name, "name", 120, required=True),
        "category_id": category.id,
        "address": clean_text(data.address, "address", 200),
        "website": clean_url(data.website, "website"),
        "eshop_url": clean_url(data.eshop_url, "eshop_url"),
        "description": clean_text(data.description, "description", 1000),
        "takeaway": bool(data.takeaway),
        "click_collect": bool(data.click_collect),
        "delivery": bool(data.delivery),
        "eshop": bool(data.eshop or data.eshop_url),
    }
    phone = clean_text(data.phone, "phone", 40)
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationFailed(_("Numéro de téléphone invalide."), field="phone")
    fields["phone"] = phone or None
    radius = data.delivery_radius_km
    if data.delivery and (radius is None or not 1 <= radius <= MAX_DELIVERY_RADIUS_KM):
        raise ValidationFailed(
            _("Indiquez un rayon de livraison entre 1 et %(n)d km.", n=MAX_DELIVERY_RADIUS_KM),
            field="delivery_radius_km",
        )
    fields["delivery_radius_km"] = radius if data.delivery else None
    town = clean_text(data.town, "town", 120, required=True)
    postcode = clean_text(data.postcode, "postcode", 10, required=True)
    place = geocode(data.country, postcode, town)
    fields.update(
        postcode=place.postcode,
        town=place.name,
        town_slug=town_slug(place.name, place.country),
        country=place.country,
        lat=place.lat,
        lon=place.lon,
        slug=slugify(fields["name"]),
    )
    return fields


def town_slug(town: str, country: str) -> str:
    """The URL key of a town page: ``("Liège", "BE")`` → ``"liege-be"``."""
    return f"{slugify(town, 120)}-{country.lower()}"


def create_shop(author: User | None, data: ShopInput) -> Shop:
    """Post a new shop recommendation by ``author``."""
    author = require_confirmed_member(author, _("Connectez-vous pour ajouter une adresse."))
    now = utcnow()
    shop = Shop(
        author=author, created_at=now, updated_at=now, vote_count=0, **_checked_fields(data)
    )
    shop.hot_score = hot_score(0, now)
    db.session.add(shop)
    db.session.flush()
    return shop


def can_see(user: User | None, shop: Shop) -> bool:
    """Visible shops are everyone's; the others (pending, hidden, merged) only moderators'.

    Everything else answers as if the shop did not exist, so a route never tells a member
    that a moderated shop is there.
    """
    if shop.is_visible:
        return True
    return bool(user is not None and user.is_authenticated and user.is_moderator)


def get_shop_for(user: User | None, shop_id: int) -> Shop:
    """Return the shop if ``user`` may see it, else raise ``NotFound``."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or not can_see(user, shop):
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    return shop


def can_edit(user: User | None, shop: Shop) -> bool:
    """The author and moderators may edit a shop."""
    if user is None or not user.is_authenticated or user.is_banned_now:
        return False
    return user.is_moderator or (shop.author_id is not None and shop.author_id == user.id)


def update_shop(actor: User, shop: Shop, data: ShopInput) -> Shop:
    """Apply an edit by ``actor`` (the author or a moderator)."""
    if not can_see(actor, shop):
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    if not can_edit(actor, shop):
        raise PermissionDenied(_("Seul l'auteur peut modifier cette adresse."))
    for key, value in _checked_fields(data).items():
        setattr(shop, key, value)
    shop.updated_at = utcnow()
    db.session.flush()
    return shop


def get_visible_shop(shop_id: int) -> Shop:
    """Return a shop that visitors may see, or raise ``NotFound``."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or not shop.is_visible:
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    return shop


def visible_shops(sort: str = "hot") -> Select:
    """A query over visible shops in the requested order (hot, top or new)."""
    order = {
        "hot": (Shop.hot_score.desc(), Shop.id.desc()),
        "top": (Shop.vote_count.desc(), Shop.created_at.desc(), Shop.id.desc()),
        "new": (Shop.created_at.desc(), Shop.id.desc()),
    }.get(sort, (Shop.hot_score.desc(), Shop.id.desc()))
    return select(Shop).where(Shop.status == ShopStatus.VISIBLE.value).order_by(*order)


def categories() -> list[Category]:
    """Every category, in display order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.slug)))
