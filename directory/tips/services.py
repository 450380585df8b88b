"""Post and list members' tips on a shop."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from directory.accounts.models import User
from directory.accounts.permissions import require_confirmed_member
from directory.extensions import db
from directory.shops.services import get_visible_shop
from directory.tips.models import TIP_MAX_LENGTH, Tip
from directory.validation import clean_text


def add_tip(author: User | None, shop_id: int, body: str) -> Tip:
    """Leave a tip on a visible shop."""
    author = require_confirmed_member(author, _("Connectez-vous pour laisser un conseil."))
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
