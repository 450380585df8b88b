"""How much the community trusts a member: whether their posts wait for a moderator, and how
much their flags weigh in the review queue.

Posts. A member's shop waits in the queue (status ``pending``, visible to them with its state)
until a moderator has approved ``NEW_MEMBER_REVIEW_POSTS`` of their posts (default 1: only the
first waits); from then on their posts publish at once. ``0`` publishes every post at once.
Moderators' posts and imports never wait.

Flags. Each flag's weight is fixed when it is made, and an item's place in the queue is the sum
of its open flags' weights (then its age):

- a flag weighs ``1.0``;
- a moderator's flag, or an author reporting their own shop closed, weighs ``2.0``;
- an account younger than ``NEW_ACCOUNT_DAYS`` days weighs half;
- once ``HISTORY_MIN_FLAGS`` of a member's flags have been decided, the share that moderators
  dismissed lowers the weight in proportion, down to ``MIN_WEIGHT``: a member whose flags were
  all dismissed weighs ``0.2``, one whose flags were all upheld keeps the full weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from directory.accounts.models import User
from directory.extensions import db
from directory.moderation.models import Flag, FlagStatus
from directory.shops.models import Shop
from directory.timeutil import utcnow

NEW_ACCOUNT_DAYS = 7
HISTORY_MIN_FLAGS = 3
MIN_WEIGHT = 0.2
TRUSTED_WEIGHT = 2.0


def needs_review(author: User) -> bool:
    """True when ``author``'s next post must wait for a moderator's approval."""
    if author.is_moderator:
        return False
    return author.approved_posts < current_app.config["NEW_MEMBER_REVIEW_POSTS"]


@dataclass(frozen=True)
class FlagHistory:
    """What became of a member's earlier flags."""

    upheld: int
    dismissed: int
    open: int

    @property
    def decided(self) -> int:
        """Flags a moderator has ruled on."""
        return self.upheld + self.dismissed


def flag_history(user_ids: list[int]) -> dict[int, FlagHistory]:
    """Each member's flag record, for the weighting and for the queue's context."""
    counts: dict[int, dict[str, int]] = {uid: {} for uid in user_ids}
    if user_ids:
        rows = db.session.execute(
            select(Flag.reporter_id, Flag.status, func.count())
            .outerjoin(Shop, Flag.shop_id == Shop.id)
            # Authors' flags on their own shop (a closure, a confirmed look-alike) say nothing
            # of how they judge others' posts.
            .where(Flag.reporter_id.in_(user_ids))
            .where(or_(Shop.author_id.is_(None), Shop.author_id != Flag.reporter_id))
            .group_by(Flag.reporter_id, Flag.status)
        )
        for reporter_id, status, count in rows:
            counts[reporter_id][status] = count
    return {
        uid: FlagHistory(
            upheld=c.get(FlagStatus.UPHELD.value, 0),
            dismissed=c.get(FlagStatus.DISMISSED.value, 0),
            open=c.get(FlagStatus.OPEN.value, 0),
        )
        for uid, c in counts.items()
    }


def flag_weight(reporter: User, *, own_closure: bool = False) -> float:
    """The weight of a new flag by ``reporter`` (see the module's docstring)."""
    if reporter.is_moderator or own_closure:
        return TRUSTED_WEIGHT
    weight = 1.0
    if reporter.created_at > utcnow() - timedelta(days=NEW_ACCOUNT_DAYS):
        weight /= 2
    history = flag_history([reporter.id])[reporter.id]
    if history.decided >= HISTORY_MIN_FLAGS:
        weight *= 1 - history.dismissed / history.decided
    return round(max(MIN_WEIGHT, weight), 2)
