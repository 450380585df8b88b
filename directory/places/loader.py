"""Load the gazetteer CSV files shipped in ``seed_data/`` into the ``places`` table."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from directory.extensions import db
from directory.places.models import Place
from directory.text import name_key

GAZETTEER_FILES = (
    ("be.csv", False),
    ("fr.csv", False),
    ("be_fr_aliases.csv", True),  # Anvers, Gand... for French speakers
    ("be_nl_aliases.csv", True),  # Luik, Namen, Bergen... for Dutch speakers
)


def read_gazetteer(seed_dir: Path) -> Iterator[dict]:
    """Yield one row dict per place in the shipped gazetteer files."""
    for filename, is_alias in GAZETTEER_FILES:
        with (seed_dir / filename).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield {
                    "country": row["country"],
                    "postcode": row["postcode"],
                    "name": row["name"],
                    "name_key": name_key(row["name"]),
                    "admin": row["admin"],
                    "lat": float(row["lat"]),
                    "lon": float(row["lon"]),
                    "is_alias": is_alias,
                }


def gazetteer_is_loaded(seed_dir: Path) -> bool:
    """True when the places table already holds as many rows as the shipped files."""
    expected = sum(1 for _ in read_gazetteer(seed_dir))
    return db.session.scalar(select(func.count()).select_from(Place)) == expected


def load_gazetteer(seed_dir: Path, progress: Callable[[int], None] | None = None) -> int:
    """Make the places table hold exactly the gazetteer; return how many rows were written."""
    if gazetteer_is_loaded(seed_dir):
        return 0
    rows = list(read_gazetteer(seed_dir))
    db.session.execute(delete(Place))
    batch = 5000
    for start in range(0, len(rows), batch):
        db.session.execute(insert(Place), rows[start : start + batch])
        if progress:
            progress(min(batch, len(rows) - start))
    db.session.flush()
    return len(rows)
