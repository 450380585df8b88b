"""``flask set-role`` and ``flask ban``: the first admin, and bans from the server's shell."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from directory.accounts.models import Role, User
from directory.accounts.services import find_user_by_email
from directory.errors import DomainError
from directory.extensions import db
from directory.moderation.services import ban_member, set_role

ROLES = [role.value for role in Role]


def _member(email: str) -> User:
    user = find_user_by_email(email)
    if user is None or user.is_deleted:
        raise click.ClickException(f"No account has the email {email!r}.")
    return user


@click.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--reason", default="set from the command line", show_default=True)
@with_appcontext
def set_role_command(email: str, role: str, reason: str) -> None:
    """Make the account of EMAIL a member, moderator or admin (logged publicly)."""
    user = _member(email)
    try:
        set_role(None, user, Role(role), reason)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{user.email} ({user.display_name}) is now {role}.")


@click.command("ban")
@click.argument("email")
@click.option("--reason", required=True, help="Why; shown in the public moderation log.")
@click.option("--days", type=int, default=None, help="Suspend for this many days instead.")
@with_appcontext
def ban_command(email: str, reason: str, days: int | None) -> None:
    """Ban the account of EMAIL (for good, or --days): its sessions end at once."""
    user = _member(email)
    try:
        ban_member(None, user, reason, days)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    until = f" until {user.banned_until:%Y-%m-%d %H:%M} UTC" if user.banned_until else ""
    click.echo(f"{user.email} ({user.display_name}) is banned{until}.")


def init_moderation_cli(app: Flask) -> None:
    """Register the moderation commands on ``app``."""
    app.cli.add_command(set_role_command)
    app.cli.add_command(ban_command)
