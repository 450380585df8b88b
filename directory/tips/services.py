"""Post, edit, delete and list members' tips on a shop."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from directory.accounts.models import User
from directory.accounts.permissions import require_confirmed_member
from directory.errors import NotFound, PermissionDenied
from directory.extensions import db
from directory.moderation.models import Action, TargetType
from directory.moderation.services import log_action
from directory.shops.models import Shop
from directory.shops.services import can_see, get_visible_shop, lock_shop
from directory.tips.models import TIP_MAX_LENGTH, Tip
from directory.validation import clean_text


def add_tip(author: User | None, shop_id: int, body: str) -> Tip:
    """Leave a tip on a visible shop."""
    author = require_confirmed_member(author, _("Connectez-vous pour laisser un conseil."))
    lock_shop(shop_id)  # a merge or hide of this shop runs before or after, never across
    shop = get_visible_shop(shop_id)
    tip = Tip(
        shop_id=shop.id,
        author_id=author.id,
        body=clean_text(body, "body", TIP_MAX_LENGTH, required=True),
    )
    db.session.add(tip)
    db.session.flush()
    return tip


def visible_tips(shop_id: int) -> list[Tip]:
    """The shop's tips that are not hidden, oldest first, as a conversation reads."""
    return list(
        db.session.scalars(
            select(Tip)
            .where(Tip.shop_id == shop_id, Tip.is_hidden.is_(False))
            .order_by(Tip.created_at, Tip.id)
        )
    )


def can_see_tip(user: User | None, tip: Tip) -> bool:
    """A tip is seen where its shop is, unless moderation hid it (then moderators only)."""
    shop = db.session.get(Shop, tip.shop_id)
    if shop is None or not can_see(user, shop):
        return False
    if not tip.is_hidden:
        return True
    # A tip moderation hid is, like a hidden shop, for moderators' eyes only.
    return bool(user is not None and user.is_authenticated and user.is_moderator)


def can_edit_tip(user: User | None, tip: Tip) -> bool:
    """The tip's author, while not banned, and moderators may edit a tip."""
    if user is None or not user.is_authenticated or user.is_banned_now:
        return False
    return user.is_moderator or tip.author_id == user.id


def can_delete_tip(user: User | None, tip: Tip) -> bool:
    """Only the tip's author, while not banned: moderators remove tips through moderation."""
    if user is None or not user.is_authenticated or user.is_banned_now:
        return False
    return tip.author_id == user.id


def get_tip_for(user: User | None, tip_id: int) -> Tip:
    """Return the tip if ``user`` may see it, else raise ``NotFound``."""
    tip = db.session.get(Tip, tip_id)
    if tip is None or not can_see_tip(user, tip):
        raise NotFound(_("Ce conseil n'existe pas ou n'est plus visible."))
    return tip


def edit_tip(actor: User | None, tip_id: int, body: str) -> Tip:
    """Replace the text of a tip: its author's, or a moderator's correction."""
    tip = get_tip_for(actor, tip_id)
    if not can_edit_tip(actor, tip):
        raise PermissionDenied(_("Seul son auteur peut modifier ce conseil."))
    new_body = clean_text(body, "body", TIP_MAX_LENGTH, required=True)
    if new_body != tip.body and actor is not None and actor.id != tip.author_id:
        # A moderator's correction of someone else's words is public, as every moderation is.
        shop = db.session.get_one(Shop, tip.shop_id)
        log_action(
            actor,
            Action.EDIT,
            TargetType.TIP,
            tip.id,
            shop.name,  # the log says "tip « Shop »", in the reader's language
            "body",  # the field corrected, as for shops (see moderation/log.html)
        )
    tip.body = new_body
    db.session.flush()
    return tip


def delete_tip(actor: User | None, tip_id: int) -> Shop:
    """Delete the author's own tip; return the shop it was on, to go back to."""
    tip = get_tip_for(actor, tip_id)
    if not can_delete_tip(actor, tip):
        raise PermissionDenied(_("Seul son auteur peut supprimer ce conseil."))
    shop = db.session.get_one(Shop, tip.shop_id)
    db.session.delete(tip)
    db.session.flush()
    return shop
