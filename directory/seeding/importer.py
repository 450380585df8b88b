"""Import shops from a CSV file (the OpenStreetMap extract's column layout).

Columns: ``name,category,address,postcode,town,lat,lon,website,source_tag``; ``category`` is
an OSM value (``bakery``) or a directory category slug (``boulangerie``), used when the tag
maps to no category. A file may add the ``PRACTICAL_COLUMNS`` (the directory's own export,
``directory/opendata``): each is then checked as the shop form checks it, and a bad value skips
its row; other columns are ignored. Rows are keyed
on tag, name, postcode and position (to about 10 m, so a chain's shops stay apart): importing
the same file again updates instead of duplicating; a shop moved in the source comes in anew.
A new row that is a likely duplicate of a listed shop (``directory.shops.duplicates``) is
skipped, unless the import is asked to keep such rows.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from directory.errors import DomainError, ValidationFailed
from directory.extensions import db
from directory.places.gazetteer import (
    geocode,
    km_from_town,
    places_for_postcode,
    within_town_reach,
)
from directory.shops.duplicates import likely_duplicates
from directory.shops.hours import validate_hours
from directory.shops.limits import (
    ADDRESS_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    SHOP_DESCRIPTION_MAX_LENGTH,
    SHOP_NAME_MAX_LENGTH,
    SHOP_SLUG_MAX_LENGTH,
    SOURCE_KEY_MAX_LENGTH,
    TOWN_MAX_LENGTH,
)
from directory.shops.models import SERVICE_FIELDS, Category, Shop, ShopStatus
from directory.shops.ranking import hot_score
from directory.shops.services import PHONE_PATTERN, checked_delivery_radius, town_slug
from directory.text import slugify
from directory.timeutil import utcnow
from directory.validation import clean_text, clean_url, refuse_markup

COLUMNS = ("name", "category", "address", "postcode", "town", "lat", "lon", "website", "source_tag")
# Optional: a file without them leaves these fields as they are (or as the tag says).
# ``services`` holds SERVICE_FIELDS names separated by spaces ("takeaway delivery").
PRACTICAL_COLUMNS = (
    "services",
    "delivery_radius_km",
    "eshop_url",
    "phone",
    "opening_hours",
    "description",
)
TAKEAWAY_TAGS = frozenset({"amenity=fast_food", "amenity=ice_cream"})
# Gazetteer points are locality centres: a row of an unknown village further from every
# locality of its postcode is a wrong row.
MAX_KM_FROM_POSTCODE = 10.0


class ImportFileError(Exception):
    """The file cannot be imported at all (missing columns, not CSV)."""


@dataclass
class ImportReport:
    """What an import did, row by row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    # How many of the skipped rows were likely duplicates of a listed shop.
    duplicates: int = 0

    @property
    def total(self) -> int:
        """Rows read."""
        return self.created + self.updated + self.unchanged + len(self.skipped)


def load_category_map(path: Path) -> dict[str, str]:
    """Read ``osm_tag → category slug`` from the mapping table."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["osm_tag"]: row["category_slug"] for row in csv.DictReader(handle)}


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read the CSV rows, checking the header first."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ImportFileError(f"missing columns: {', '.join(missing)}")
            return list(reader)
    except UnicodeDecodeError as error:
        raise ImportFileError(f"not UTF-8 text: {error}") from None
    except csv.Error as error:
        raise ImportFileError(f"not a CSV file: {error}") from None


def _row_values(row: dict[str, str], categories: dict[str, int], tag_map: dict[str, str]) -> dict:
    """Validate one row and return the shop's column values; raise DomainError to skip it."""
    tag = (row.get("source_tag") or "").strip()
    category = (row.get("category") or "").strip()
    slug = tag_map.get(tag) or tag_map.get(f"shop={category}")
    if not slug and category in categories:
        slug = category
    if not slug or slug not in categories:
        raise DomainError(f"category not in the directory: {tag or category!r}")
    name = refuse_markup(
        clean_text(row.get("name"), "name", SHOP_NAME_MAX_LENGTH, required=True),
        "name",
        "contains HTML tags",
    )
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (TypeError, ValueError):
        raise DomainError("lat/lon are not numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise DomainError(f"lat/lon out of range: {row['lat']},{row['lon']}")
    postcode, town, country = _locate(row, lat, lon)
    website = clean_url(row.get("website"), "website")
    return {
        "name": name,
        "slug": slugify(name, SHOP_SLUG_MAX_LENGTH),
        "category_id": categories[slug],
        "address": refuse_markup(
            clean_text(row.get("address"), "address", ADDRESS_MAX_LENGTH),
            "address",
            "contains HTML tags",
        ),
        "postcode": postcode,
        "town": town,
        "town_slug": town_slug(town, country),
        "country": country,
        "lat": lat,
        "lon": lon,
        "website": website,
        **_practical_values(row, tag),
    }


def format_services(shop: Shop) -> str:
    """The ``services`` cell of ``shop``: its SERVICE_FIELDS names, space-separated."""
    return " ".join(shop.services)


def _practical_values(row: dict[str, str], tag: str) -> dict:
    """The practical information of the columns the file has, checked as the shop form does."""
    values: dict = {}
    if "services" in row:
        names = row["services"].replace(",", " ").split()
        unknown = [name for name in names if name not in SERVICE_FIELDS]
        if unknown:
            raise DomainError(
                f"unknown services {' '.join(unknown)!r} (known: {' '.join(SERVICE_FIELDS)})",
                field="services",
            )
        values.update({name: name in names for name in SERVICE_FIELDS})
    else:
        values["takeaway"] = tag in TAKEAWAY_TAGS
    if "delivery_radius_km" in row:
        values["delivery_radius_km"] = checked_delivery_radius(
            values.get("delivery", False), _whole_number(row["delivery_radius_km"])
        )
    if "eshop_url" in row:
        values["eshop_url"] = clean_url(row["eshop_url"], "eshop_url")
        if values["eshop_url"]:
            values["eshop"] = True  # as the form: an e-shop's address means an e-shop
    if "phone" in row:
        phone = clean_text(row["phone"], "phone", PHONE_MAX_LENGTH)
        if phone and not PHONE_PATTERN.match(phone):
            raise DomainError(f"not a phone number: {phone!r}", field="phone")
        values["phone"] = phone or None
    if "opening_hours" in row:
        values["opening_hours"] = validate_hours(row["opening_hours"])
    if "description" in row:
        values["description"] = clean_text(
            row["description"], "description", SHOP_DESCRIPTION_MAX_LENGTH
        )
    return values


def _whole_number(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise DomainError(
            f"not a whole number of km: {text!r}", field="delivery_radius_km"
        ) from None


def _locate(row: dict[str, str], lat: float, lon: float) -> tuple[str, str, str]:
    """Return (postcode, town, country) for a row, checked against the gazetteer.

    A position must lie within ``TOWN_REACH_KM`` of a known town's centre, as on the shop form.
    The gazetteer lists localities, not every village: a row whose town is unknown is still
    accepted when its postcode exists (Arlon's 6706 is Autelbas) and its mapped position lies within
    ``MAX_KM_FROM_POSTCODE`` of one of that postcode's localities (Marbehan, 6724).
    """
    postcode = row.get("postcode", "").strip()
    country = "BE" if len(postcode) == 4 else "FR"
    try:
        place = geocode(country, postcode, row.get("town", ""))
    except ValidationFailed as error:
        if error.field not in ("town", "postcode"):
            raise
        town = clean_text(row.get("town"), "town", TOWN_MAX_LENGTH, required=True)
        nearby = [
            p
            for p in places_for_postcode(postcode, country)
            if km_from_town(p, lat, lon) <= MAX_KM_FROM_POSTCODE
        ]
        if not nearby:
            raise
        return postcode, town, country
    # A known town takes what the shop form takes, so the directory's export reads back whole.
    if not within_town_reach(place, lat, lon):
        raise DomainError(f"position {lat},{lon} is far from {place.name}")
    return place.postcode, place.name, place.country


def import_shops(
    path: Path,
    tag_map: dict[str, str],
    *,
    progress: Callable[[int], None] | None = None,
    is_demo: bool = False,
    allow_duplicates: bool = False,
) -> ImportReport:
    """Create or update a shop per valid row of ``path``; the caller commits.

    ``allow_duplicates`` keeps new rows that look like a shop already listed.
    """
    rows = read_rows(path)
    categories = dict(db.session.execute(select(Category.slug, Category.id)).all())
    report = ImportReport()
    for line, raw in enumerate(rows, start=2):
        # A short row leaves None in the missing columns, a long one a list under None.
        row = {key: (value if isinstance(value, str) else "") for key, value in raw.items() if key}
        _import_row(line, row, categories, tag_map, report, is_demo, allow_duplicates)
        if progress:
            progress(1)
    db.session.flush()
    return report


def _import_row(
    line, row, categories, tag_map, report: ImportReport, is_demo: bool, allow_duplicates: bool
) -> None:
    try:
        values = _row_values(row, categories, tag_map)
    except DomainError as error:
        field_note = f" ({error.field})" if error.field else ""
        report.skipped.append((line, f"{error.message}{field_note}"))
        return
    # Chains have several shops of one name in a town: the position tells them apart.
    key = (
        f"import:{row['source_tag'].strip()}:{values['slug']}:{values['postcode']}:"
        f"{values['lat']:.4f},{values['lon']:.4f}"
    )[:SOURCE_KEY_MAX_LENGTH]
    shop = db.session.scalar(select(Shop).where(Shop.source_key == key))
    if shop is None and not allow_duplicates and _skip_duplicate(line, values, report):
        return
    if shop is None:
        now = utcnow()
        db.session.add(
            Shop(
                source_key=key,
                status=ShopStatus.VISIBLE.value,
                is_demo=is_demo,
                created_at=now,
                published_at=now,
                updated_at=now,
                vote_count=0,
                hot_score=hot_score(0, now),
                **values,
            )
        )
        report.created += 1
    elif any(getattr(shop, k) != v for k, v in values.items()):
        for name, value in values.items():
            setattr(shop, name, value)
        report.updated += 1
    else:
        report.unchanged += 1


def _skip_duplicate(line: int, values: dict, report: ImportReport) -> bool:
    """Skip a new row that looks like a listed shop, naming it in the report."""
    matches = likely_duplicates(
        name=values["name"],
        town_slug=values["town_slug"],
        lat=values["lat"],
        lon=values["lon"],
        website=values["website"],
        exact_position=True,
        limit=1,
    )
    if not matches:
        return False
    match = matches[0]
    report.skipped.append(
        (line, f"likely duplicate of shop {match.id} {match.name!r} in {match.town}")
    )
    report.duplicates += 1
    return True


def summarise(report: ImportReport) -> Iterable[str]:
    """Human-readable lines describing ``report``."""
    yield (
        f"{report.total} rows: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped"
        f" ({report.duplicates} likely duplicates)"
    )
    for line, reason in report.skipped:
        yield f"  line {line}: skipped, {reason}"
