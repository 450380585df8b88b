"""Demo practical information: opening hours, delivery zones, and two demo merchants whose
claimed listings have a shop window (``seed_data/demo_merchants.json``).

Idempotent: hours are only set where none are, merchants and their windows only once.
"""

from __future__ import annotations

import json
import random
import secrets
from pathlib import Path

from sqlalchemy import select

from directory.accounts.models import User
from directory.accounts.passwords import hash_password
from directory.config import PROJECT_ROOT
from directory.extensions import db
from directory.merchants.models import Claim, ClaimStatus
from directory.products.models import Product
from directory.shops.models import Shop, ShopStatus
from directory.timeutil import utcnow

DEMO_MERCHANTS = PROJECT_ROOT / "seed_data" / "demo_merchants.json"


def load_practical(
    time_cost: int = 1, memory_cost: int = 8192, seed: int = 2021, path: Path = DEMO_MERCHANTS
) -> dict[str, int]:
    """Give demo shops hours and delivery zones, and create the demo merchants once."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    demo_shops = list(
        db.session.scalars(
            select(Shop)
            .where(Shop.is_demo.is_(True), Shop.status == ShopStatus.VISIBLE.value)
            .order_by(Shop.id)
        )
    )
    hours = data["hours_by_category"]
    delivery = data["delivery"]
    with_hours = delivering = 0
    for shop in demo_shops:
        # Drawn for every shop, so one shop's data does not depend on which others had hours.
        delivers = rng.random() < delivery["share"]
        radius = rng.choice(delivery["radii_km"])
        if shop.opening_hours:
            continue
        shop.opening_hours = hours.get(shop.category.slug, hours["_default"])
        with_hours += 1
        if delivers and shop.category.slug in delivery["categories"]:
            shop.delivery, shop.delivery_radius_km = True, radius
            delivering += 1
    merchants = sum(_load_merchant(entry, time_cost, memory_cost) for entry in data["merchants"])
    db.session.flush()
    return {"hours": with_hours, "delivering": delivering, "merchants": merchants}


def _load_merchant(entry: dict, time_cost: int, memory_cost: int) -> int:
    """Create one demo merchant with an accepted claim and a window; 0 if already there."""
    if db.session.scalar(select(User.id).where(User.email == entry["email"])) is not None:
        return 0
    shop = db.session.scalar(
        select(Shop).where(
            Shop.is_demo.is_(True),
            Shop.name == entry["shop"]["name"],
            Shop.postcode == entry["shop"]["postcode"],
        )
    )
    if shop is None:
        return 0
    now = utcnow()
    merchant = User(
        email=entry["email"],
        display_name=entry["display_name"],
        # Nobody knows this password: demo accounts cannot be logged into.
        password_hash=hash_password(secrets.token_urlsafe(32), time_cost, memory_cost),
        is_demo=True,
        email_confirmed_at=now,
    )
    db.session.add(merchant)
    db.session.flush()
    db.session.add(
        Claim(
            shop_id=shop.id,
            user_id=merchant.id,
            status=ClaimStatus.ACCEPTED.value,
            note="Fiche de démonstration.",
            decided_at=now,
            decision_reason="Données de démonstration.",
        )
    )
    shop.merchant_id, shop.verified_at = merchant.id, now
    shop.opening_hours = entry["opening_hours"]
    for name, value in entry["services"].items():
        setattr(shop, name, value)
    shop.delivery_radius_km = entry["delivery_radius_km"]
    shop.merchant_answer, shop.merchant_answer_at = entry["answer"], now
    for product in entry["products"]:
        db.session.add(Product(shop_id=shop.id, author_id=merchant.id, **product))
    return 1
