"""Members flag a shop or a tip; authors report their own shop closed for good.

A flag never changes what visitors see: it puts the item in the review queue, where a moderator
upholds it (by acting on the item) or dismisses it.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from directory.accounts.models import User
from directory.accounts.permissions import require_confirmed_member
from directory.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.moderation.models import FLAG_NOTE_MAX_LENGTH, TIP_REASONS, Flag, FlagReason
from directory.moderation.trust import flag_weight
from directory.shops.models import Shop, ShopStatus
from directory.shops.services import get_visible_shop, lock_shop
from directory.tips.models import Tip
from directory.validation import clean_text

_SHOP_REFERENCE = re.compile(r"^(?:.*/shops/)?(\d{1,10})(?:-[^/?#]*)?/?(?:[?#].*)?$")


def parse_shop_reference(value: str | int | None) -> int | None:
    """The shop id in ``"42"``, ``"https://…/shops/42-la-bonne-adresse"`` or ``42``; else None."""
    if isinstance(value, int):
        return value
    match = _SHOP_REFERENCE.match((value or "").strip())
    return int(match.group(1)) if match else None


def _reason(value: str | None, allowed: tuple[FlagReason, ...]) -> FlagReason:
    try:
        reason = FlagReason(value or "")
    except ValueError:
        reason = None
    if reason is None or reason not in allowed:
        raise ValidationFailed(_("Choisissez une raison de la liste."), field="reason")
    return reason


def _note(value: str | None, reason: FlagReason) -> str:
    note = clean_text(value, "note", FLAG_NOTE_MAX_LENGTH)
    if reason == FlagReason.OTHER and not note:
        raise ValidationFailed(_("Dites en quelques mots ce qui ne va pas."), field="note")
    return note


def _duplicate_of(value: str | int | None, shop: Shop) -> Shop:
    if value in (None, ""):
        raise ValidationFailed(
            _("Indiquez l'autre adresse (son lien ou son numéro)."), field="duplicate_of"
        )
    other_id = parse_shop_reference(value)
    other = db.session.get(Shop, other_id) if other_id else None
    if other is None or other.status != ShopStatus.VISIBLE.value:
        raise ValidationFailed(
            _("Cette adresse n'existe pas ou n'est plus visible."), field="duplicate_of"
        )
    if other.id == shop.id:
        raise ValidationFailed(
            _("Une adresse ne peut pas être son propre doublon."), field="duplicate_of"
        )
    return other


def _save(flag: Flag) -> Flag:
    """Add ``flag``; the partial unique index refuses a second open flag by the same member."""
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        raise Conflict(
            _("Vous avez déjà signalé ceci : la modération va l'examiner."), field="reason"
        ) from None
    return flag


def flag_shop(
    reporter: User | None,
    shop_id: int,
    reason: str | None,
    note: str | None = "",
    duplicate_of: str | int | None = None,
) -> Flag:
    """Flag a visible shop; its author may only report it closed (see ``report_closure``)."""
    member = require_confirmed_member(reporter, _("Connectez-vous pour signaler un problème."))
    lock_shop(shop_id)  # a merge or hide of this shop runs before or after, never across
    shop = get_visible_shop(shop_id)
    chosen = _reason(reason, tuple(FlagReason))
    own = shop.author_id == member.id
    if own and chosen != FlagReason.CLOSED:
        raise PermissionDenied(
            _("C'est votre adresse : modifiez-la plutôt que de la signaler."), field="reason"
        )
    flag = Flag(
        reporter_id=member.id,
        shop_id=shop.id,
        reason=chosen.value,
        note=_note(note, chosen),
        weight=flag_weight(member, own_closure=own),
    )
    if chosen == FlagReason.DUPLICATE:
        flag.duplicate_of_id = _duplicate_of(duplicate_of, shop).id
    return _save(flag)


def report_closure(author: User | None, shop_id: int, note: str | None = "") -> Flag:
    """The author says their shop closed for good: a moderator confirms, history stays."""
    return flag_shop(author, shop_id, FlagReason.CLOSED.value, note)


def flag_tip(reporter: User | None, tip_id: int, reason: str | None, note: str | None = "") -> Flag:
    """Flag a tip that visitors can see, other than one's own."""
    member = require_confirmed_member(reporter, _("Connectez-vous pour signaler un problème."))
    tip = db.session.get(Tip, tip_id)
    if tip is None or tip.is_hidden:
        raise NotFound(_("Ce conseil n'existe pas ou n'est plus visible."))
    get_visible_shop(tip.shop_id)
    if tip.author_id == member.id:
        raise PermissionDenied(
            _("C'est votre conseil : modifiez-le plutôt que de le signaler."), field="reason"
        )
    chosen = _reason(reason, TIP_REASONS)
    return _save(
        Flag(
            reporter_id=member.id,
            tip_id=tip.id,
            reason=chosen.value,
            note=_note(note, chosen),
            weight=flag_weight(member),
        )
    )
