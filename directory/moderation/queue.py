"""The one review queue: flagged shops and tips, posts waiting for approval, probable duplicates,
closure reports and merchants' claims, heaviest and oldest first, each with the context a
moderator needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.extensions import db
from directory.merchants.claims import open_claims
from directory.merchants.models import Claim
from directory.moderation.models import Flag, FlagReason, FlagStatus
from directory.moderation.trust import FlagHistory, flag_history
from directory.shops.duplicates import duplicates_of
from directory.shops.models import Shop, ShopStatus
from directory.tips.models import Tip

# A post waiting for approval weighs like one flag; a probable duplicate of it like another.
PENDING_WEIGHT = 1.0
DUPLICATE_WEIGHT = 1.0
# A merchant's claim waits like a pending post: oldest first among items of equal weight.
CLAIM_WEIGHT = 1.0
QUEUE_LIMIT = 200


@dataclass
class QueueItem:
    """One shop, tip or merchant's claim that needs a moderator, with what makes it need one."""

    shop: Shop
    tip: Tip | None = None
    claim: Claim | None = None
    flags: list[Flag] = field(default_factory=list)
    duplicates: list[Shop] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        """A post waiting for approval."""
        return (
            self.tip is None and self.claim is None and self.shop.status == ShopStatus.PENDING.value
        )

    @property
    def weight(self) -> float:
        """Open flags' weights, plus a pending post's, a probable duplicate's or a claim's."""
        weight = sum(flag.weight for flag in self.flags)
        if self.claim is not None:
            weight += CLAIM_WEIGHT
        if self.pending:
            weight += PENDING_WEIGHT
        if self.duplicates:
            weight += DUPLICATE_WEIGHT
        return round(weight, 2)

    @property
    def since(self) -> datetime:
        """When the item first needed attention."""
        if self.claim is not None:
            return self.claim.created_at
        times = [flag.created_at for flag in self.flags]
        if self.pending or not times:
            times.append(self.shop.created_at)
        return min(times)

    @property
    def reasons(self) -> set[str]:
        """The flags' reasons, for the item's labels."""
        return {flag.reason for flag in self.flags}

    @property
    def closure_reported(self) -> bool:
        """Someone (often the author) says the shop closed for good."""
        return self.tip is None and FlagReason.CLOSED.value in self.reasons

    @property
    def key(self) -> tuple[str, int]:
        """("tip", id), ("claim", id) or ("shop", id): one item per tip, claim or shop."""
        if self.claim is not None:
            return ("claim", self.claim.id)
        return ("tip", self.tip.id) if self.tip is not None else ("shop", self.shop.id)


@dataclass
class ReviewQueue:
    """The items, in order, and each reporter's record for the context."""

    items: list[QueueItem]
    histories: dict[int, FlagHistory]


def _open_flags(**target: int) -> list[Flag]:
    query = (
        select(Flag)
        .where(Flag.status == FlagStatus.OPEN.value)
        .options(
            selectinload(Flag.reporter),
            selectinload(Flag.shop),
            selectinload(Flag.tip).selectinload(Tip.author),
            selectinload(Flag.duplicate_of),
        )
        .order_by(Flag.created_at, Flag.id)
    )
    for column, value in target.items():
        query = query.where(getattr(Flag, column) == value)
    return list(db.session.scalars(query))


def _shop_duplicates(shop: Shop, flags: list[Flag]) -> list[Shop]:
    named = [f.duplicate_of for f in flags if f.duplicate_of is not None]
    found = duplicates_of(shop)
    seen: dict[int, Shop] = {}
    for other in (*named, *found):
        if other.id != shop.id and other.status != ShopStatus.MERGED.value:
            seen.setdefault(other.id, other)
    return list(seen.values())


def _build(flags: list[Flag], pending: list[Shop]) -> list[QueueItem]:
    items: dict[tuple[str, int], QueueItem] = {}
    for flag in flags:
        if flag.tip is not None:
            tip_shop = db.session.get_one(Shop, flag.tip.shop_id)
            item = items.setdefault(("tip", flag.tip.id), QueueItem(shop=tip_shop, tip=flag.tip))
        elif flag.shop is not None:
            item = items.setdefault(("shop", flag.shop.id), QueueItem(shop=flag.shop))
        else:
            continue
        item.flags.append(flag)
    for shop in pending:
        items.setdefault(("shop", shop.id), QueueItem(shop=shop))
    for item in items.values():
        if item.tip is None and (item.pending or FlagReason.DUPLICATE.value in item.reasons):
            item.duplicates = _shop_duplicates(item.shop, item.flags)
    return sorted(items.values(), key=_queue_order)


def _queue_order(item: QueueItem) -> tuple:
    """Heaviest first, then oldest; the key keeps the order stable."""
    return (-item.weight, item.since, item.key)


def review_queue(limit: int = QUEUE_LIMIT) -> ReviewQueue:
    """Everything that needs a moderator now, heaviest first, then oldest."""
    pending = list(
        db.session.scalars(
            select(Shop)
            .where(Shop.status == ShopStatus.PENDING.value)
            .options(selectinload(Shop.author))
            .order_by(Shop.created_at)
        )
    )
    claims = [QueueItem(shop=claim.shop, claim=claim) for claim in open_claims()]
    items = sorted([*_build(_open_flags(), pending), *claims], key=_queue_order)[:limit]
    reporters = sorted({flag.reporter_id for item in items for flag in item.flags})
    return ReviewQueue(items=items, histories=flag_history(reporters))


def queue_item(kind: str, item_id: int) -> ReviewQueue:
    """One shop or tip with its open flags and context, for its review page (even when no
    flag is open any more: the moderator may still act on it)."""
    if kind == "tip":
        tip = db.session.get(Tip, item_id)
        if tip is None:
            return ReviewQueue(items=[], histories={})
        flags = _open_flags(tip_id=tip.id)
        items = _build(flags, []) or [
            QueueItem(shop=db.session.get_one(Shop, tip.shop_id), tip=tip)
        ]
    else:
        shop = db.session.get(Shop, item_id)
        if shop is None:
            return ReviewQueue(items=[], histories={})
        flags = _open_flags(shop_id=shop.id)
        pending = [shop] if shop.status == ShopStatus.PENDING.value else []
        items = _build(flags, pending) or [QueueItem(shop=shop)]
        item = items[0]
        # _build looked for duplicates of pending and duplicate-flagged shops only.
        searched = item.pending or FlagReason.DUPLICATE.value in item.reasons
        if not searched and shop.status != ShopStatus.MERGED.value:
            item.duplicates = _shop_duplicates(shop, flags)
    reporters = sorted({flag.reporter_id for flag in items[0].flags})
    return ReviewQueue(items=items, histories=flag_history(reporters))
