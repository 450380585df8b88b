"""Upvote and take back an upvote, counted atomically."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from directory.accounts.models import User
from directory.accounts.permissions import require_member
from directory.errors import Conflict, NotFound, PermissionDenied
from directory.extensions import db
from directory.shops.models import Shop
from directory.shops.ranking import hot_score
from directory.shops.services import get_visible_shop, lock_shop
from directory.votes.models import Vote


def change_vote_count(shop_id: int, delta: int) -> int:
    """Add ``delta`` to the shop's count and refresh its hot score; return the new count.

    The count changes in one ``UPDATE ... SET vote_count = vote_count + delta`` (never a
    read-modify-write in Python), and the row lock holds until commit, so the count read back
    and the hot score computed from it cannot be overtaken by another vote. Going through the
    ORM lets the search bridge's flush hook queue the shop.
    """
    shop = lock_shop(shop_id)
    if shop is None:
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    shop.vote_count = Shop.vote_count + delta
    db.session.flush()
    count = shop.vote_count  # expired by the flush: read back from the row
    shop.hot_score = hot_score(count, shop.created_at)
    db.session.flush()
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
    # Lock before the visibility check: a merge or hide holding the row finishes first, and the
    # vote then sees the shop gone.
    lock_shop(shop_id)
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
    # The shop's row first, as in upvote: one lock order, so a merge moving votes never
    # deadlocks with a withdrawal.
    shop = lock_shop(shop_id)
    if shop is None:
        raise NotFound(_("Cette adresse n'existe pas ou n'est plus visible."))
    deleted = db.session.execute(
        delete(Vote).where(Vote.user_id == member.id, Vote.shop_id == shop.id).returning(Vote.id)
    ).first()
    if deleted is None:
        raise Conflict(_("Vous n'avez pas voté pour cette adresse."))
    return change_vote_count(shop.id, -1)
