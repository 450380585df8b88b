"""Bulk seeding for the load test: synthetic shops and confirmed, trusted members.

The app's own seeding (``flask seed --no-demo``) runs first for the schema, the categories and
the gazetteer; this adds the volume through Core inserts in batches, which takes seconds where
one ORM object per row would take minutes. Every member shares one password, hashed once:
hashing 5,000 passwords with the app's Argon2 settings alone would take minutes.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select

from bench.synthetic_shops import generate, load_towns
from directory.accounts.models import User, new_session_token
from directory.accounts.names import name_key
from directory.accounts.passwords import hash_password
from directory.extensions import db
from directory.search.models import SearchOutbox
from directory.shops.models import Category, Shop, ShopStatus
from directory.shops.ranking import hot_score
from directory.shops.services import town_slug
from directory.text import slugify
from directory.timeutil import utcnow

PASSWORD = "load-test-password"  # noqa: S105 - synthetic accounts on a throwaway database
BATCH = 5_000
# Synthetic categories the seed list does not have, mapped to the closest one it has.
CATEGORY_OF = {
    "patisserie": "boulangerie",
    "traiteur": "epicerie-fine",
    "restaurant": "restauration",
    "cafe": "cafe-bar",
    "brocante": "seconde-main",
    "informatique": "loisirs",
}


def member_email(number: int) -> str:
    """The login of synthetic member ``number`` (1-based)."""
    return f"member{number}@load.test"


def seed_members(count: int) -> None:
    """``count`` confirmed members whose posts publish at once (one approved post each)."""
    password_hash = hash_password(PASSWORD)
    joined = utcnow() - timedelta(days=30)
    rows = [
        {
            "email": member_email(number),
            "display_name": f"Membre {number}",
            "name_key": name_key(f"Membre {number}"),
            "password_hash": password_hash,
            "role": "member",
            "session_token": new_session_token(),
            "is_banned": False,
            "is_demo": False,
            "created_at": joined,
            "email_confirmed_at": joined,
            "approved_posts": 1,
        }
        for number in range(1, count + 1)
    ]
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(User), rows[start : start + BATCH])
    db.session.commit()


def seed_shops(count: int, gazetteer_dir: Path) -> None:
    """``count`` visible synthetic shops, with no votes yet (vote rows are the load's own)."""
    categories = dict(db.session.execute(select(Category.slug, Category.id)).all())
    now = utcnow()
    rows = []
    for document in generate(count, load_towns(gazetteer_dir)):
        slug = CATEGORY_OF.get(document.category_slug, document.category_slug)
        created = document.created_at.replace(tzinfo=None)
        rows.append(
            {
                "slug": slugify(document.name, 80),
                "name": document.name,
                "category_id": categories[slug],
                "address": document.address,
                "postcode": document.postcode,
                "town": document.town,
                "town_slug": town_slug(document.town, document.country),
                "country": document.country,
                "lat": document.lat,
                "lon": document.lon,
                "description": document.description,
                "takeaway": "takeaway" in document.services,
                "click_collect": "click_collect" in document.services,
                "delivery": "delivery" in document.services,
                "delivery_radius_km": (
                    int(document.delivery_radius_km) if document.delivery_radius_km else None
                ),
                "eshop": "eshop" in document.services,
                "opening_hours": document.opening_hours,
                "status": ShopStatus.VISIBLE.value,
                "published_at": created,
                "vote_count": 0,
                "hot_score": hot_score(0, created),
                "merchant_answer": "",
                "is_demo": False,
                "created_at": created,
                "updated_at": now,
            }
        )
        if len(rows) == BATCH:
            db.session.execute(insert(Shop), rows)
            rows = []
    if rows:
        db.session.execute(insert(Shop), rows)
    # The index is built by `reindex` afterwards: nothing is pending.
    db.session.execute(delete(SearchOutbox))
    db.session.commit()
