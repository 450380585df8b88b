"""A verified merchant's direct edits of their listing's practical information, the history of
those edits for moderators, and reverting one.

Each edit is one ``ShopRevision`` holding ``{field: [before, after]}``; a revert restores the
"before" values that nobody changed since, as a new revision. The caller commits; the search
bridge sees the shop's changes through its flush hook.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.accounts.models import User
from directory.errors import Conflict, NotFound, PermissionDenied
from directory.extensions import db
from directory.merchants.models import ShopRevision
from directory.merchants.permissions import is_merchant_of
from directory.moderation.models import Action, TargetType
from directory.moderation.permissions import can_moderate, require_moderator
from directory.moderation.services import log_action, moderation_reason
from directory.search.services import SERVICE_LABELS
from directory.shops.hours import validate_hours
from directory.shops.limits import MERCHANT_ANSWER_MAX_LENGTH
from directory.shops.models import SERVICE_FIELDS, Shop
from directory.shops.services import can_see, checked_delivery_radius, lock_shop
from directory.timeutil import utcnow
from directory.validation import clean_text, clean_url

_GONE = "Cette adresse n'existe pas ou n'est plus visible."


@dataclass
class PracticalInfo:
    """What a merchant may change directly on their listing, before any check."""

    opening_hours: str = ""
    takeaway: bool = False
    click_collect: bool = False
    delivery: bool = False
    delivery_radius_km: int | None = None
    eshop: bool = False
    eshop_url: str | None = None
    merchant_answer: str = ""


# The fields of a revision, in the order the history lists them.
PRACTICAL_FIELDS = tuple(field.name for field in fields(PracticalInfo))
FIELD_LABELS = {
    "opening_hours": _l("Horaires d'ouverture"),
    **SERVICE_LABELS,
    "delivery_radius_km": _l("Rayon de livraison (km)"),
    "eshop_url": _l("Lien de l'e-shop"),
    "merchant_answer": _l("Réponse du commerçant"),
}


@dataclass(frozen=True)
class ChangeLine:
    """One field of a revision, in words: its label, and its value before and after."""

    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class RevertResult:
    """The revision a revert wrote, and the fields it left alone (changed again since)."""

    revision: ShopRevision
    kept: tuple[str, ...]


def can_edit_practical_info(user: User | None, shop: Shop) -> bool:
    """The shop page asks whether to offer "Modifier les informations pratiques"."""
    return is_merchant_of(user, shop) and can_see(user, shop)


def can_view_history(user: User | None) -> bool:
    """Moderators read every listing's edit history and may revert an edit."""
    return can_moderate(user)


def checked_practical_info(values: PracticalInfo) -> dict[str, Any]:
    """The column values of ``values``, each checked as the shop form checks it."""
    eshop_url = clean_url(values.eshop_url, "eshop_url")
    checked: dict[str, Any] = {
        "opening_hours": validate_hours(values.opening_hours),
        **{name: bool(getattr(values, name)) for name in SERVICE_FIELDS},
        "delivery_radius_km": checked_delivery_radius(
            bool(values.delivery), values.delivery_radius_km
        ),
        "eshop_url": eshop_url,
        "merchant_answer": clean_text(
            values.merchant_answer, "merchant_answer", MERCHANT_ANSWER_MAX_LENGTH
        ),
    }
    # As on the shop form: a link to an e-shop means there is one.
    checked["eshop"] = checked["eshop"] or eshop_url is not None
    return checked


def update_practical_info(
    user: User | None, shop: Shop, values: PracticalInfo
) -> ShopRevision | None:
    """Apply the merchant's edit of ``shop``: only the fields that changed, recorded as one
    revision (None when nothing changed)."""
    if not can_see(user, shop):
        raise NotFound(_(_GONE))
    if user is None or not is_merchant_of(user, shop):
        raise PermissionDenied(_("Seul le commerçant vérifié peut modifier ces informations."))
    checked = checked_practical_info(values)
    locked = lock_shop(shop.id)  # an edit and a revert of the same shop take turns
    if locked is None:
        raise NotFound(_(_GONE))
    changes = {
        name: [getattr(locked, name), value]
        for name, value in checked.items()
        if getattr(locked, name) != value
    }
    if not changes:
        return None
    now = utcnow()
    for name, (_before, after) in changes.items():
        setattr(locked, name, after)
    if "merchant_answer" in changes:
        locked.merchant_answer_at = now if locked.merchant_answer else None
    locked.updated_at = now
    revision = ShopRevision(shop_id=locked.id, user_id=user.id, created_at=now, changes=changes)
    db.session.add(revision)
    db.session.flush()
    return revision


def shop_history(user: User | None, shop: Shop) -> list[ShopRevision]:
    """Every revision of ``shop``, newest first (moderators only)."""
    require_moderator(user)
    return list(
        db.session.scalars(
            select(ShopRevision)
            .where(ShopRevision.shop_id == shop.id)
            .options(selectinload(ShopRevision.user), selectinload(ShopRevision.reverted_by))
            .order_by(ShopRevision.created_at.desc(), ShopRevision.id.desc())
        )
    )


def describe_changes(changes: dict[str, list]) -> list[ChangeLine]:
    """A revision's changes in words, in the edit form's order (services by their labels)."""
    order = {name: n for n, name in enumerate(PRACTICAL_FIELDS)}
    return [
        ChangeLine(
            field=name,
            label=str(FIELD_LABELS.get(name, name)),
            before=_value_text(name, before),
            after=_value_text(name, after),
        )
        for name, (before, after) in sorted(
            changes.items(), key=lambda item: order.get(item[0], len(order))
        )
    ]


def _value_text(field: str, value: Any) -> str:
    if value is None or value == "":
        return _("(vide)")
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if field == "delivery_radius_km":
        return _("%(km)s km", km=value)
    return str(value)


def revert_revision(actor: User | None, revision_id: int, reason: str) -> RevertResult:
    """Restore the "before" values of revision ``revision_id`` that nobody changed since.

    A field edited again since keeps its current value and is named in ``kept``; reverting
    the same revision twice, or one whose every field changed since, is refused.
    """
    moderator = require_moderator(actor)
    reason = moderation_reason(reason)
    revision = db.session.get(ShopRevision, revision_id)
    if revision is None:
        raise NotFound(_("Cette modification n'existe pas."))
    shop = lock_shop(revision.shop_id)
    if shop is None:
        raise NotFound(_(_GONE))
    # Under the shop's lock: a revert of the same revision at the same moment has finished.
    db.session.refresh(revision)
    if revision.reverted_at is not None:
        raise Conflict(_("Cette modification a déjà été annulée."), field="reason")
    before_revert = {name: getattr(shop, name) for name in PRACTICAL_FIELDS}
    for name, (before, after) in revision.changes.items():
        if name in before_revert and before_revert[name] == after:
            setattr(shop, name, before)
    _keep_consistent(shop)
    changes = {
        name: [before_revert[name], getattr(shop, name)]
        for name in PRACTICAL_FIELDS
        if getattr(shop, name) != before_revert[name]
    }
    # Changed again since, or put back by the consistency rules: either way, not restored.
    kept = tuple(
        name
        for name, (before, after) in revision.changes.items()
        if before_revert.get(name, after) != after or getattr(shop, name, before) != before
    )
    if not changes:
        raise Conflict(
            _("Chaque champ de cette modification a changé depuis : rien à annuler."),
            field="reason",
        )
    now = utcnow()
    if "merchant_answer" in changes:
        shop.merchant_answer_at = _answer_date(shop, revision) if shop.merchant_answer else None
    shop.updated_at = now
    revert = ShopRevision(
        shop_id=shop.id,
        user_id=moderator.id,
        created_at=now,
        changes=changes,
        reverts_id=revision.id,
    )
    revision.reverted_at = now
    revision.reverted_by_id = moderator.id
    db.session.add(revert)
    db.session.flush()
    log_action(moderator, Action.REVERT, TargetType.SHOP, shop.id, shop.name, reason)
    return RevertResult(revision=revert, kept=kept)


def _keep_consistent(shop: Shop) -> None:
    # A partial revert may restore "no delivery" while keeping a later radius, or drop the
    # e-shop while keeping a later link: the shop form's rules settle it.
    if not shop.delivery:
        shop.delivery_radius_km = None
    if shop.eshop_url:
        shop.eshop = True


def _answer_date(shop: Shop, reverted: ShopRevision) -> datetime | None:
    """When the restored answer was written: the latest earlier revision that set it, else
    the reverted revision's own date (the answer was there before any revision)."""
    earlier = db.session.scalars(
        select(ShopRevision)
        .where(ShopRevision.shop_id == shop.id, ShopRevision.created_at <= reverted.created_at)
        .where(ShopRevision.id != reverted.id)
        .order_by(ShopRevision.created_at.desc(), ShopRevision.id.desc())
    )
    for revision in earlier:
        change = revision.changes.get("merchant_answer")
        if change and change[1] == shop.merchant_answer:
            return revision.created_at
    return reverted.created_at
