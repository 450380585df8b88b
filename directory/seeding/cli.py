"""``flask seed`` and ``flask import-shops``: load the seed data, with progress output."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from directory.config import PROJECT_ROOT
from directory.database import refresh_statistics
from directory.extensions import db
from directory.places.loader import gazetteer_is_loaded, load_gazetteer, read_gazetteer
from directory.search.bridge import drain, get_index, reindex
from directory.seeding.categories import SeedFileError, load_categories
from directory.seeding.demo import load_demo
from directory.seeding.importer import ImportFileError, import_shops, load_category_map, summarise
from directory.shops.models import Category
from search_index import IndexMissingError

SEED_DIR = PROJECT_ROOT / "seed_data"
DEMO_SHOPS = SEED_DIR / "be_gaume_arlon_osm.csv"
CATEGORY_MAP = SEED_DIR / "osm_categories.csv"


def _import(path: Path, *, is_demo: bool, allow_duplicates: bool = False) -> None:
    with click.progressbar(length=_count_rows(path), label=f"Importing {path.name}") as bar:
        report = import_shops(
            path,
            load_category_map(CATEGORY_MAP),
            progress=bar.update,
            is_demo=is_demo,
            allow_duplicates=allow_duplicates,
        )
    db.session.commit()
    refresh_statistics(db.session)
    for line in summarise(report):
        click.echo(line)


def _sync_search() -> None:
    if current_app.config["SEARCH_SYNC"] == "request":
        # Development: bring the search index up to date now; in production the indexer does.
        try:
            click.echo(f"Search index: {drain(get_index())} changes applied")
        except IndexMissingError:
            # The first setup: only an explicit step like this one creates the index.
            db.session.rollback()
            click.echo(f"Search index: built with {reindex(current_app)} shops")
    else:
        click.echo("Search index: changes queued for the indexer (flask search-indexer)")


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


@click.command("seed")
@click.option(
    "--if-empty",
    is_flag=True,
    help=(
        "When categories and gazetteer are already loaded, only migrate and update the "
        "categories from the seed files (what `make run` does)."
    ),
)
@click.option(
    "--no-demo",
    is_flag=True,
    help="Load categories and gazetteer only: no demo shops or members (an empty directory).",
)
@with_appcontext
def seed_command(if_empty: bool, no_demo: bool) -> None:
    """Create or migrate the database, then load categories, gazetteer and demo data."""
    _seed(if_empty, no_demo)
    refresh_statistics(db.session)


def _seed(if_empty: bool, no_demo: bool) -> None:
    click.echo("Migrating the database...")
    upgrade(directory=str(PROJECT_ROOT / "migrations"))
    seeded = db.session.scalar(select(func.count()).select_from(Category)) and (
        gazetteer_is_loaded(SEED_DIR)
    )
    try:
        categories = load_categories(SEED_DIR)
    except SeedFileError as error:
        raise click.ClickException(str(error)) from None
    if if_empty and seeded:
        # Categories still follow the seed files (a new product word, a renamed category): the
        # shops they change are queued for the index like any other change.
        db.session.commit()
        if categories:
            click.echo(f"Categories: {categories} updated from the seed files")
            _sync_search()
        click.echo("The database is already seeded: nothing loaded (run `flask seed` to reload).")
        return
    click.echo(f"Categories: {categories} created or updated")
    if gazetteer_is_loaded(SEED_DIR):
        click.echo("Gazetteer: up to date")
    else:
        total = sum(1 for _ in read_gazetteer(SEED_DIR))
        with click.progressbar(length=total, label="Gazetteer") as bar:
            load_gazetteer(SEED_DIR, progress=bar.update)
        click.echo(f"Gazetteer: {total} places loaded")
    db.session.commit()
    if no_demo:
        click.echo("Demo data: none loaded (--no-demo)")
        _sync_search()
        return
    _import(DEMO_SHOPS, is_demo=True)
    demo = load_demo(
        current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"]
    )
    db.session.commit()
    click.echo(
        f"Demo data: {demo['members']} members, {demo['votes']} votes, {demo['tips']} tips added"
    )
    click.echo(
        f"Practical information: {demo['hours']} shops given opening hours, "
        f"{demo['delivering']} delivering, {demo['merchants']} demo merchants"
    )
    _sync_search()


@click.command("import-shops")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--allow-duplicates",
    is_flag=True,
    help="Also import new rows that look like a shop already listed (skipped by default).",
)
def import_shops_command(file: Path, allow_duplicates: bool) -> None:
    """Import shops from FILE (name,category,address,postcode,town,lat,lon,website,source_tag)."""
    try:
        _import(file, is_demo=False, allow_duplicates=allow_duplicates)
    except ImportFileError as error:
        raise click.ClickException(f"{file}: {error}") from None
    _sync_search()


def init_cli(app: Flask) -> None:
    """Register the seeding commands on ``app``."""
    app.cli.add_command(seed_command)
    app.cli.add_command(import_shops_command)
