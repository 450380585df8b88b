"""Demo members, votes and tips, so a fresh install shows a living directory.

Demo members have an unusable random password and ``is_demo`` set; the site labels them.
"""

from __future__ import annotations

import random
import secrets

from sqlalchemy import func, select

from directory.accounts.models import User
from directory.accounts.passwords import hash_password
from directory.extensions import db
from directory.seeding.practical import load_practical
from directory.shops.models import Shop, ShopStatus
from directory.timeutil import utcnow
from directory.tips.models import Tip
from directory.votes.models import Vote
from directory.votes.services import change_vote_count

DEMO_MEMBERS = (
    ("demo-amelie@example.org", "Amélie (démo)"),
    ("demo-bruno@example.org", "Bruno (démo)"),
    ("demo-chloe@example.org", "Chloé (démo)"),
    ("demo-david@example.org", "David (démo)"),
    ("demo-emma@example.org", "Emma (démo)"),
    ("demo-farid@example.org", "Farid (démo)"),
)
DEMO_TIPS = (
    "Demandez les pralines maison, elles partent vite le samedi.",
    "Accueil adorable, et ils livrent dans tout le village.",
    "Le click & collect marche très bien : commande le matin, prête à midi.",
    "Petit conseil : passez en semaine, c'est plus calme.",
    "Des produits locaux, des prix corrects, on y retourne.",
)


def load_demo(time_cost: int = 1, memory_cost: int = 8192, seed: int = 2020) -> dict[str, int]:
    """Create the demo members once, then give them votes and tips on imported shops.

    Demo shops also get their practical information and two demo merchants (``practical``).
    """
    practical = load_practical(time_cost, memory_cost)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    members = []
    created = 0
    for email, name in DEMO_MEMBERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            # Nobody knows this password: demo accounts cannot be logged into.
            unusable = hash_password(secrets.token_urlsafe(32), time_cost, memory_cost)
            user = User(
                email=email,
                display_name=name,
                password_hash=unusable,
                is_demo=True,
                email_confirmed_at=utcnow(),
            )
            db.session.add(user)
            created += 1
        members.append(user)
    db.session.flush()
    has_demo_votes = db.session.scalar(
        select(func.count()).select_from(Vote).join(User).where(User.is_demo.is_(True))
    )
    if has_demo_votes:
        return {"members": created, "votes": 0, "tips": 0, **practical}
    shop_ids = list(
        db.session.scalars(
            select(Shop.id).where(Shop.status == ShopStatus.VISIBLE.value).order_by(Shop.id)
        )
    )
    votes = tips = 0
    for shop_id in rng.sample(shop_ids, k=min(len(shop_ids), 60)):
        # A few shops get most votes, as on any real board.
        voters = rng.sample(members, k=rng.choice((1, 1, 2, 3, 4, 6)))
        for member in voters:
            db.session.add(Vote(user_id=member.id, shop_id=shop_id))
        db.session.flush()
        change_vote_count(shop_id, len(voters))
        votes += len(voters)
        if rng.random() < 0.25:
            db.session.add(Tip(shop_id=shop_id, author_id=voters[0].id, body=rng.choice(DEMO_TIPS)))
            tips += 1
    db.session.flush()
    return {"members": created, "votes": votes, "tips": tips, **practical}
