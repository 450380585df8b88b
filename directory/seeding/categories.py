"""Load the category list from ``seed_data/categories.csv``."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from directory.extensions import db
from directory.shops.models import Category


def load_categories(seed_dir: Path) -> int:
    """Create or update every category by slug; return how many rows changed."""
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    changed = 0
    with (seed_dir / "categories.csv").open(encoding="utf-8", newline="") as handle:
        for position, row in enumerate(csv.DictReader(handle)):
            values = {
                "name_fr": row["name_fr"],
                "name_nl": row["name_nl"],
                "name_en": row["name_en"],
                "position": position,
            }
            category = existing.get(row["slug"])
            if category is None:
                db.session.add(Category(slug=row["slug"], **values))
                changed += 1
            elif any(getattr(category, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(category, key, value)
                changed += 1
    db.session.flush()
    return changed
