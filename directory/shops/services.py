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
from directory.moderation.models import Action, TargetType
from directory.moderation.services import log_action
from directory.moderation.trust import needs_review
from directory.places.gazetteer import geocode
from directory.shops.duplicates import refuse_likely_duplicate, report_confirmed_duplicate
from directory.shops.limits import (
    ADDRESS_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    SHOP_DESCRIPTION_MAX_LENGTH,
    SHOP_NAME_MAX_LENGTH,
    SHOP_POSTCODE_MAX_LENGTH,
    SHOP_SLUG_MAX_LENGTH,
    TOWN_MAX_LENGTH,
)
from directory.shops.models import Category, Shop, ShopStatus
from directory.shops.position import shop_position
from directory.shops.ranking import hot_score
from directory.text import slugify
from directory.timeutil import utcnow
from directory.validation import clean_text, clean_url, refuse_markup

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
    # The member has seen the likely duplicates and says this is another shop.
    confirm_not_duplicate: bool = False
    # The exact position from the map or the fields; None places it (see shops/position.py).
    lat: float | None = None
    lon: float | None = None


def checked_delivery_radius(delivery: bool, radius: int | None) -> int | None:
    """The radius to store: required with delivery, 1 to MAX_DELIVERY_RADIUS_KM km; None
    without delivery. Raises ``ValidationFailed`` on ``delivery_radius_km``."""
    if not delivery:
        return None
    if radius is None or not 1 <= radius <= MAX_DELIVERY_RADIUS_KM:
        raise ValidationFailed(
            _("Indiquez un rayon de livraison entre 1 et %(n)d km.", n=MAX_DELIVERY_RADIUS_KM),
            field="delivery_radius_km",
        )
    return radius


def _checked_fields(data: ShopInput, editing: Shop | None = None) -> dict:
    """Validate ``data`` and return the column values; geocodes the town offline and checks
    the position (see ``directory/shops/position.py``).

    Last, refuses a likely duplicate of another listed shop unless the member confirmed it.
    """
    category = db.session.get(Category, data.category_id) if data.category_id else None
    if category is None:
        raise ValidationFailed(_("Choisissez une catégorie de la liste."), field="category_id")
    fields: dict[str, Any] = {
        "name": refuse_markup(
            clean_text(data.name, "name", SHOP_NAME_MAX_LENGTH, required=True),
            "name",
            _("Le nom ne peut pas contenir de balises HTML."),
        ),
        "category_id": category.id,
        "address": refuse_markup(
            clean_text(data.address, "address", ADDRESS_MAX_LENGTH),
            "address",
            _("L'adresse ne peut pas contenir de balises HTML."),
        ),
        "website": clean_url(data.website, "website"),
        "eshop_url": clean_url(data.eshop_url, "eshop_url"),
        "description": clean_text(data.description, "description", SHOP_DESCRIPTION_MAX_LENGTH),
        "takeaway": bool(data.takeaway),
        "click_collect": bool(data.click_collect),
        "delivery": bool(data.delivery),
        "eshop": bool(data.eshop or data.eshop_url),
    }
    phone = clean_text(data.phone, "phone", PHONE_MAX_LENGTH)
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationFailed(_("Numéro de téléphone invalide."), field="phone")
    fields["phone"] = phone or None
    fields["delivery_radius_km"] = checked_delivery_radius(
        bool(data.delivery), data.delivery_radius_km
    )
    town = clean_text(data.town, "town", TOWN_MAX_LENGTH, required=True)
    refuse_markup(town, "town", _("La localité ne peut pas contenir de balises HTML."))
    postcode = clean_text(data.postcode, "postcode", SHOP_POSTCODE_MAX_LENGTH, required=True)
    place = geocode(data.country, postcode, town)
    stored = (editing.lat, editing.lon) if editing is not None else None
    same_town = editing is not None and (editing.town, editing.postcode, editing.country) == (
        place.name,
        place.postcode,
        place.country,
    )
    lat, lon = shop_position(data.lat, data.lon, place, fields["address"], stored, same_town)
    fields.update(
        postcode=place.postcode,
        town=place.name,
        town_slug=town_slug(place.name, place.country),
        country=place.country,
        lat=lat,
        lon=lon,
        slug=slugify(fields["name"], SHOP_SLUG_MAX_LENGTH),
    )
    refuse_likely_duplicate(fields, confirmed=data.confirm_not_duplicate, editing=editing)
    return fields


def town_slug(town: str, country: str) -> str:
    """The URL key of a town page: ``("Liège", "BE")`` → ``"liege-be"``."""
    return f"{slugify(town, TOWN_MAX_LENGTH)}-{country.lower()}"


def create_shop(author: User | None, data: ShopInput) -> Shop:
    """Post a new shop recommendation by ``author``."""
    author = require_confirmed_member(author, _("Connectez-vous pour ajouter une adresse."))
    now = utcnow()
    shop = Shop(
        author=author, created_at=now, updated_at=now, vote_count=0, **_checked_fields(data)
    )
    shop.hot_score = hot_score(0, now)
    if needs_review(author):
        shop.status = ShopStatus.PENDING.value
    else:
        shop.published_at = now
    db.session.add(shop)
    db.session.flush()
    if data.confirm_not_duplicate:
        report_confirmed_duplicate(shop)
    return shop


def can_see(user: User | None, shop: Shop) -> bool:
    """Visible and closed shops are everyone's (a closed shop's page stays, as history); a post
    waiting for review is its author's too; the others (hidden, merged) only moderators'.

    Everything else answers as if the shop did not exist, so a route never tells a member
    that a moderated shop is there.
    """
    if shop.status in (ShopStatus.VISIBLE.value, ShopStatus.CLOSED.value):
        return True
    if user is None or not user.is_authenticated:
        return False
    if shop.status == ShopStatus.PENDING.value and shop.author_id == user.id:
        return True
    return user.is_moderator


def merged_into(shop_id: int) -> Shop | None:
    """The shop a merged duplicate now lives in (its old URL redirects there), else None."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or shop.status != ShopStatus.MERGED.value or shop.merged_into_id is None:
        return None
    return db.session.get(Shop, shop.merged_into_id)


def get_shop_for(user: User | None, shop_id: int) -> Shop:
    """Return the shop if ``user`` may see it, else raise ``NotFound``."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or not can_see(user, shop):
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    return shop


def lock_shop(shop_id: int) -> Shop | None:
    """The shop, its row locked until commit, or None: changes to one shop take turns.

    ``populate_existing`` reloads a copy already in the session, so the caller checks the state
    the lock protects. SQLite has no ``FOR UPDATE``: its ``BEGIN IMMEDIATE`` transaction already
    holds the database's write lock, so SQLAlchemy leaves the clause out there.
    """
    # ``of=Shop``: PostgreSQL refuses FOR UPDATE on the outer-joined category it eager-loads.
    return db.session.get(Shop, shop_id, with_for_update={"of": Shop}, populate_existing=True)


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
    changed = []
    for key, value in _checked_fields(data, editing=shop).items():
        if getattr(shop, key) != value:
            changed.append(key)
            setattr(shop, key, value)
    shop.updated_at = utcnow()
    db.session.flush()
    if changed and actor.id != shop.author_id:
        # A moderator corrected someone else's post: the public log says which fields.
        log_action(
            actor,
            Action.EDIT,
            TargetType.SHOP,
            shop.id,
            shop.name,
            # The fields' names, not words: the log reads them out in the reader's language.
            ", ".join(sorted(changed)),
        )
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


def can_delete_shop(user: User | None, shop: Shop) -> bool:
    """Only the author, while not banned: moderators hide a shop rather than delete it."""
    if user is None or not user.is_authenticated or user.is_banned_now:
        return False
    return shop.author_id is not None and shop.author_id == user.id


def delete_shop(actor: User | None, shop: Shop) -> None:
    """Delete the author's shop; the database deletes its votes and tips with it.

    The search hook sees the deleted row and queues its removal from the index.
    """
    if not can_see(actor, shop):
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    if not can_delete_shop(actor, shop):
        raise PermissionDenied(_("Seul l'auteur peut supprimer cette adresse."))
    lock_shop(shop.id)  # never across a merge moving votes and tips onto it
    db.session.delete(shop)
    db.session.flush()
