"""``flask reindex``, ``flask search-check`` and ``flask search-indexer``."""

from __future__ import annotations

import errno
import logging
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from directory.database import refresh_statistics
from directory.extensions import db
from directory.search.bridge import (
    INDEXER_INTERVAL_S,
    check_drift,
    drain,
    get_index,
    index_problem,
    reindex,
    visible_shop_count,
)
from search_index import IndexMissingError, IndexUnavailableError

log = logging.getLogger(__name__)


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database and swap it in atomically.

    The database's planner statistics are refreshed too: a rebuild usually follows bulk
    changes.
    """
    refresh_statistics(db.session)
    total = visible_shop_count()
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        bar.update(count - done)
        done = count

    with click.progressbar(length=total, label="Indexing shops") as bar:
        count = reindex(current_app._get_current_object(), progress=advance)
    click.echo(f"Index rebuilt: {count} shops in {current_app.config['SEARCH_INDEX_DIR']}")


@click.command("search-check")
@with_appcontext
def search_check_command() -> None:
    """Report a missing, damaged or empty index, or shops missing from, stale in or extra in it.

    Exits 1 on any of them.
    """
    index = get_index()
    try:
        documents = index.verify()
        drift = check_drift(index)
    except IndexMissingError:
        click.echo(f"The search index is missing ({index.path}).")
        raise click.ClickException("no search index: run `flask reindex`") from None
    except IndexUnavailableError as error:
        click.echo(f"The search index is damaged: {error}")
        raise click.ClickException("damaged search index: run `flask reindex`") from None
    visible = visible_shop_count()
    if documents == 0 and visible:
        click.echo(f"The search index is empty but the database holds {visible} visible shops.")
    for label, ids in (("missing", drift.missing), ("stale", drift.stale), ("extra", drift.extra)):
        shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
        click.echo(f"{label}: {len(ids)}" + (f" ({shown})" if ids else ""))
    if not drift.clean:
        raise click.ClickException("the index has drifted from the database: run `reindex`")
    click.echo("The index matches the database.")


@click.command("search-indexer")
@click.option("--once", is_flag=True, help="Drain the outbox once and exit.")
@click.option(
    "--interval", default=INDEXER_INTERVAL_S, show_default=True, help="Seconds between polls."
)
@with_appcontext
def search_indexer_command(once: bool, interval: float) -> None:
    """Apply the search outbox to the index continuously (the production indexer).

    A missing, damaged or lost (empty) index is reported, never written into: the outbox keeps
    its rows until `flask reindex` repairs the index.
    """
    index = get_index()
    failures = 0
    check_index = True  # at start and after a failure; not every poll (it reopens the index)
    while True:
        if check_index:
            problem = index_problem(index)
            db.session.commit()
            if problem is not None:
                log.error("search indexer paused: %s", problem)
                click.echo(f"indexer paused: {problem}", err=True)
                if once:
                    raise click.ClickException(problem)
                failures += 1
                time.sleep(min(interval * 2**failures, 60))
                continue
        try:
            applied = drain(index)
        except Exception as error:
            # Keep going: the rows stay in the outbox, and a database or disk hiccup passes.
            db.session.rollback()
            failures += 1
            check_index = True
            log.exception("drain failed")
            problem = disk_problem(error)
            if problem:
                log.error(
                    "search indexer: %s (%s); the outbox keeps the changes", problem, index.path
                )
            click.echo(f"drain failed ({problem or error}); retrying", err=True)
            if once:
                raise click.ClickException("the outbox could not be applied") from error
            time.sleep(min(interval * 2**failures, 60))
            continue
        failures = 0
        check_index = False
        if applied:
            click.echo(f"applied {applied} outbox rows")
        if once:
            return
        time.sleep(interval)


def disk_problem(error: BaseException) -> str | None:
    """What a full or read-only disk under the index means, in words; None for other errors."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return "the disk holding the search index is full"
        if isinstance(seen, OSError) and seen.errno == errno.EROFS:
            return "the search index is on a read-only file system"
        seen = seen.__cause__ or seen.__context__
    return None


def init_search_cli(app: Flask) -> None:
    """Register the search commands on ``app``."""
    for command in (reindex_command, search_check_command, search_indexer_command):
        app.cli.add_command(command)
