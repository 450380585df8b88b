"""Upvote and take back an upvote, counted atomically."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from directory.accounts.models import User
from directory.accounts.permissions import require_member
from directory.errors import Conflict, NotFound, PermissionDenied
from directory.extensions import db
from directory.search.bridge import mark_for_reindex
from directory.shops.models import Shop
from directory.shops.ranking import hot_score
from directory.shops.services import get_visible_shop
from directory.votes.models import Vote


def change_vote_count(shop_id: int, delta: int) -> int:
    """Change the count in SQL (never read-modify-write in Python) and refresh the hot score.

    The UPDATE locks the row until commit (PostgreSQL) or holds the write lock (SQLite), so the
    count read back and the hot score computed from it cannot be overtaken by another vote.
    """
    db.session.execute(
        update(Shop)
        .where(Shop.id == shop_id)
        .values(vote_count=Shop.vote_count + delta)
        .execution_options(synchronize_session=False)
    )
    count, created_at = db.session.execute(
        select(Shop.vote_count, Shop.created_at).where(Shop.id == shop_id)
    ).one()
    db.session.execute(
        update(Shop)
        .where(Shop.id == shop_id)
        .values(hot_score=hot_score(count, created_at))
        .execution_options(synchronize_session=False)
    )
    shop = db.session.get(Shop, shop_id)
    if shop is not None:
        db.session.expire(shop, ["vote_count", "hot_score"])
    mark_for_reindex([shop_id])  # SQL updates bypass the ORM's flush hook
    return count


def has_voted(user: User | None, shop_id: int) -> bool:
    """True when ``user`` has upvoted the shop."""
    if user is None or not user.is_authenticated:
        return False
    return (
        db.session.scalar(select(Vote.id).where(Vote.user_id == user.id, Vote.shop_id == shop_id))
        is not None
    )


def upvote(user: User | None, shop_id: int) -> int:
    """Record ``user``'s vote for a visible shop and return the new count.

    The unique constraint on (user, shop) decides between parallel requests: the loser gets
    ``Conflict`` and the count is untouched.
    """
    member = require_member(user, _("Connectez-vous pour voter."))
    shop = get_visible_shop(shop_id)
    if shop.author_id == member.id:
        raise PermissionDenied(_("Vous ne pouvez pas voter pour votre propre adresse."))
    try:
        with db.session.begin_nested():
            db.session.add(Vote(user_id=member.id, shop_id=shop.id))
    except IntegrityError:
        raise Conflict(_("Vous avez déjà voté pour cette adresse.")) from None
    return change_vote_count(shop.id, +1)


def withdraw_vote(user: User | None, shop_id: int) -> int:
    """Take back ``user``'s vote and return the new count; without a vote, nothing changes.

    A vote is the member's own data: it can be taken back from a shop that is no longer
    visible, too.
    """
    member = require_member(user, _("Connectez-vous pour voter."))
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    deleted = db.session.execute(
        delete(Vote).where(Vote.user_id == member.id, Vote.shop_id == shop.id).returning(Vote.id)
    ).first()
    if deleted is None:
        raise Conflict(_("Vous n'avez pas voté pour cette adresse."))
    return change_vote_count(shop.id, -1)
