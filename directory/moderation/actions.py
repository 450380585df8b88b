"""What moderators do to shops, tips, flags and members from the review queue.

Every operation checks the actor with ``require_moderator``, locks the rows it changes (so two
moderators acting at once, or a merge while members vote, run one after the other), refuses a
change the current state no longer allows with ``Conflict``, and writes its log entry in the
same transaction. The caller commits. The search bridge sees every status change through its
flush hook.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from directory.accounts.models import User
from directory.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.moderation.flags import parse_shop_reference
from directory.moderation.models import (
    Action,
    Flag,
    FlagReason,
    FlagStatus,
    ModerationEntry,
    TargetType,
)
from directory.moderation.permissions import require_moderator
from directory.moderation.services import log_action, moderation_reason
from directory.shops.models import Shop, ShopStatus
from directory.shops.ranking import hot_score
from directory.shops.services import lock_shop
from directory.timeutil import utcnow
from directory.tips.models import Tip
from directory.votes.models import Vote

_GONE = "Cette adresse n'existe pas ou n'est plus visible."


def _shop(shop_id: int) -> Shop:
    shop = lock_shop(shop_id)
    if shop is None:
        raise NotFound(_(_GONE))
    return shop


def _require_status(shop: Shop, *allowed: ShopStatus) -> None:
    if shop.status not in {status.value for status in allowed}:
        raise Conflict(
            _("Cette adresse est déjà « %(state)s ».", state=shop.status_label), field="reason"
        )


def _resolve_flags(moderator: User, status: FlagStatus, **target: int) -> None:
    """Close the open flags on one shop or tip."""
    ((column, target_id),) = target.items()
    db.session.execute(
        update(Flag)
        .where(getattr(Flag, column) == target_id, Flag.status == FlagStatus.OPEN.value)
        .values(status=status.value, resolved_at=utcnow(), resolved_by_id=moderator.id)
    )


def _shop_action(
    actor: User | None,
    shop_id: int,
    reason: str,
    action: Action,
    to: ShopStatus,
    allowed: tuple[ShopStatus, ...],
) -> ModerationEntry:
    moderator = require_moderator(actor)
    reason = moderation_reason(reason)
    shop = _shop(shop_id)
    _require_status(shop, *allowed)
    if to == ShopStatus.VISIBLE and shop.published_at is None:
        if action == Action.APPROVE:
            shop.published_at = utcnow()
        else:
            # A post hidden before anyone approved it (a ban hides those) goes back to review.
            to = ShopStatus.PENDING
    shop.status = to.value
    _resolve_flags(moderator, FlagStatus.UPHELD, shop_id=shop.id)
    return log_action(moderator, action, TargetType.SHOP, shop.id, shop.name, reason)


def approve_shop(actor: User | None, shop_id: int, reason: str) -> ModerationEntry:
    """Publish a post that waited for review; it counts towards its author's trust."""
    entry = _shop_action(
        actor, shop_id, reason, Action.APPROVE, ShopStatus.VISIBLE, (ShopStatus.PENDING,)
    )
    shop = db.session.get(Shop, entry.target_id)
    if shop is not None and shop.author_id is not None:
        db.session.execute(
            update(User)
            .where(User.id == shop.author_id)
            .values(approved_posts=User.approved_posts + 1)
            .execution_options(synchronize_session="fetch")
        )
    return entry


def hide_shop(actor: User | None, shop_id: int, reason: str) -> ModerationEntry:
    """Take a shop out of every list, search and page; its flags are upheld."""
    return _shop_action(
        actor,
        shop_id,
        reason,
        Action.HIDE,
        ShopStatus.HIDDEN,
        (ShopStatus.VISIBLE, ShopStatus.PENDING, ShopStatus.CLOSED),
    )


def restore_shop(actor: User | None, shop_id: int, reason: str) -> ModerationEntry:
    """Publish again a hidden shop, or one wrongly confirmed closed."""
    return _shop_action(
        actor,
        shop_id,
        reason,
        Action.RESTORE,
        ShopStatus.VISIBLE,
        (ShopStatus.HIDDEN, ShopStatus.CLOSED),
    )


def close_shop(actor: User | None, shop_id: int, reason: str) -> ModerationEntry:
    """Confirm a shop closed for good: its page stays as history, lists and search drop it."""
    return _shop_action(
        actor, shop_id, reason, Action.CLOSE, ShopStatus.CLOSED, (ShopStatus.VISIBLE,)
    )


def merge_shops(
    actor: User | None, shop_id: int, into: str | int | None, reason: str
) -> ModerationEntry:
    """Merge the duplicate ``shop_id`` into the kept shop ``into``.

    Votes and tips move to the kept shop; a member who voted for both counts once, and the kept
    shop's author's vote for the duplicate is dropped (nobody votes for their own shop). The
    duplicate's old URL then redirects to the kept shop, and search drops it.
    """
    moderator = require_moderator(actor)
    into_id = parse_shop_reference(into)
    if into_id is None:
        raise ValidationFailed(
            _("Indiquez l'adresse à garder (son lien ou son numéro)."), field="into"
        )
    if into_id == shop_id:
        raise ValidationFailed(
            _("Une adresse ne peut pas être fusionnée avec elle-même."), field="into"
        )
    reason = moderation_reason(reason)
    # Lock both rows, always in id order, so two merges of the same pair cannot deadlock.
    locked = {i: lock_shop(i) for i in sorted((shop_id, into_id))}
    shop, kept = locked[shop_id], locked[into_id]
    if shop is None:
        raise NotFound(_(_GONE))
    if kept is None or kept.status != ShopStatus.VISIBLE.value:
        raise ValidationFailed(
            _("L'adresse à garder doit être publiée (ni masquée, ni fusionnée)."), field="into"
        )
    _require_status(shop, ShopStatus.VISIBLE, ShopStatus.PENDING, ShopStatus.HIDDEN)
    voters_of_kept = select(Vote.user_id).where(Vote.shop_id == kept.id)
    db.session.execute(
        delete(Vote).where(
            Vote.shop_id == shop.id,
            (Vote.user_id.in_(voters_of_kept)) | (Vote.user_id == kept.author_id),
        )
    )
    db.session.execute(update(Vote).where(Vote.shop_id == shop.id).values(shop_id=kept.id))
    db.session.execute(update(Tip).where(Tip.shop_id == shop.id).values(shop_id=kept.id))
    # Earlier duplicates of the merged shop now point at the kept one: one redirect, not a chain.
    db.session.execute(
        update(Shop).where(Shop.merged_into_id == shop.id).values(merged_into_id=kept.id)
    )
    count = db.session.scalar(select(func.count()).where(Vote.shop_id == kept.id)) or 0
    kept.vote_count = count
    kept.hot_score = hot_score(count, kept.created_at)
    shop.vote_count = 0
    shop.status = ShopStatus.MERGED.value
    shop.merged_into_id = kept.id
    _move_flags(moderator, shop, kept)
    return log_action(
        moderator,
        Action.MERGE,
        TargetType.SHOP,
        shop.id,
        shop.name,
        # Stored words are read in every language: only names, numbers and the reason given.
        f"→ {kept.name} (#{kept.id}): {reason}",
    )


def _move_flags(moderator: User, shop: Shop, kept: Shop) -> None:
    """The flags of a merge: reports that ``shop`` duplicates ``kept`` were right; reports on
    ``shop`` about the shop itself (closed, wrong information...) still need a look, on ``kept``."""
    open_ = Flag.status == FlagStatus.OPEN.value
    resolved = {
        "status": FlagStatus.UPHELD.value,
        "resolved_at": utcnow(),
        "resolved_by_id": moderator.id,
    }
    db.session.execute(
        update(Flag)
        .where(open_, Flag.shop_id == kept.id, Flag.duplicate_of_id == shop.id)
        .values(**resolved)
    )
    db.session.execute(
        update(Flag).where(Flag.duplicate_of_id == shop.id).values(duplicate_of_id=kept.id)
    )
    # The partial unique index allows one open flag per member on the kept shop: keep theirs.
    reporters_of_kept = select(Flag.reporter_id).where(open_, Flag.shop_id == kept.id)
    db.session.execute(
        update(Flag)
        .where(
            open_,
            Flag.shop_id == shop.id,
            Flag.reason != FlagReason.DUPLICATE.value,
            Flag.reporter_id.not_in(reporters_of_kept),
        )
        .values(shop_id=kept.id)
    )
    _resolve_flags(moderator, FlagStatus.UPHELD, shop_id=shop.id)


def dismiss_flag(actor: User | None, flag_id: int, reason: str) -> ModerationEntry:
    """Rule that a flag was not founded; it lowers its reporter's future weight."""
    moderator = require_moderator(actor)
    reason = moderation_reason(reason)
    flag = db.session.get(Flag, flag_id, with_for_update=True, populate_existing=True)
    if flag is None:
        raise NotFound(_("Ce signalement n'existe pas."))
    if flag.status != FlagStatus.OPEN.value:
        raise Conflict(_("Ce signalement a déjà été traité."), field="reason")
    flag.status = FlagStatus.DISMISSED.value
    flag.resolved_at = utcnow()
    flag.resolved_by_id = moderator.id
    if flag.shop_id is not None:
        shop = db.session.get_one(Shop, flag.shop_id)
        return log_action(moderator, Action.DISMISS, TargetType.SHOP, shop.id, shop.name, reason)
    tip = db.session.get_one(Tip, flag.tip_id)
    return log_action(moderator, Action.DISMISS, TargetType.TIP, tip.id, _tip_name(tip), reason)


def _tip_name(tip: Tip) -> str:
    # The public log names the tip's shop ("tip « Shop »"), never the tip's words (which may be
    # what was offensive), and in no language: it is read in all three.
    shop = db.session.get(Shop, tip.shop_id)
    return shop.name if shop else "?"


def delete_tip(actor: User | None, tip_id: int, reason: str) -> ModerationEntry:
    """Take a tip down for good, with a reason. The row stays, hidden, so its flags can be
    upheld: reporters who were right keep that to their credit (see ``trust.flag_weight``)."""
    moderator = require_moderator(actor)
    reason = moderation_reason(reason)
    tip = db.session.get(Tip, tip_id, with_for_update=True, populate_existing=True)
    if tip is None or tip.is_hidden:
        raise NotFound(_("Ce conseil n'existe pas ou n'est plus visible."))
    tip.is_hidden = True
    _resolve_flags(moderator, FlagStatus.UPHELD, tip_id=tip.id)
    return log_action(moderator, Action.DELETE_TIP, TargetType.TIP, tip.id, _tip_name(tip), reason)


def warn_member(actor: User | None, user: User, reason: str) -> ModerationEntry:
    """Warn a member (logged; the view mails them the reason once committed)."""
    moderator = require_moderator(actor)
    if user.id == moderator.id:
        raise PermissionDenied(_("Vous ne pouvez pas vous avertir vous-même."))
    reason = moderation_reason(reason)
    return log_action(moderator, Action.WARN, TargetType.USER, user.id, user.display_name, reason)
