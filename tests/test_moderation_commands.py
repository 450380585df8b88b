"""Issue 7, first part: roles and bans, from the command line and through the operations, each
written to the moderation log in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from directory.accounts.models import Role, User
from directory.errors import PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.moderation.models import ModerationEntry
from directory.moderation.services import ban_member, set_role
from directory.shops.models import Shop, ShopStatus
from directory.timeutil import utcnow
from tests.conftest import Browser


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def log_entries(app) -> list[tuple]:
    with app.app_context():
        return [
            (e.moderator_id, e.action, e.target_type, e.target_id, e.reason)
            for e in db.session.scalars(select(ModerationEntry).order_by(ModerationEntry.id))
        ]


def row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_set_role_makes_the_first_admin_and_logs_it(app, member):
    result = run(app, "set-role", member.email.upper(), "admin", "--reason", "fondatrice")
    assert result.exit_code == 0, result.output
    assert "is now admin" in result.output
    assert row(app, member.id).role == "admin"
    assert log_entries(app) == [(None, "set_role", "user", member.id, "admin: fondatrice")]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("set-role", "nobody@example.org", "moderator"), 1, "No account has the email"),
        (("set-role", "{email}", "emperor"), 2, "Invalid value"),
        (("ban", "{email}"), 2, "--reason"),
        (("ban", "{email}", "--reason", "spam", "--days", "0"), 1, "Entre 1 et"),
        (("ban", "{email}", "--reason", "   "), 1, "obligatoire"),
    ],
)
def test_the_commands_refuse_bad_input_and_change_nothing(app, member, args, code, message):
    result = run(app, *(arg.format(email=member.email) for arg in args))
    assert result.exit_code == code, result.output
    assert message in result.output
    assert row(app, member.id).role == "member" and not row(app, member.id).is_banned
    assert log_entries(app) == []


def test_a_ban_ends_the_sessions_at_once_and_empties_the_queue(app, member, make_shop):
    browser = Browser(app.test_client())
    browser.login(member.email)
    assert browser.get("/settings").status_code == 200
    waiting = make_shop(author=member, name="Épicerie en attente")
    with app.app_context():
        db.session.execute(
            update(Shop).where(Shop.id == waiting.id).values(status=ShopStatus.PENDING.value)
        )
        db.session.commit()
    result = run(app, "ban", member.email, "--reason", "publicités en série")
    assert result.exit_code == 0, result.output
    assert browser.get("/settings").status_code == 302  # the session ended
    refused = Browser(app.test_client()).login(member.email)
    assert refused.status_code == 400 and "suspendu" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Shop, waiting.id).status == ShopStatus.HIDDEN.value
    assert log_entries(app) == [(None, "ban", "user", member.id, "publicités en série")]


def test_a_suspension_ends_by_itself(app, member):
    result = run(app, "ban", member.email, "--reason", "insultes", "--days", "3")
    assert result.exit_code == 0 and "banned until" in result.output
    assert Browser(app.test_client()).login(member.email).status_code == 400
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.id == member.id)
            .values(banned_until=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    assert Browser(app.test_client()).login(member.email).status_code == 302
    assert log_entries(app)[0][1] == "suspend"


def test_only_admins_grant_roles_and_never_their_own(ctx, make_user):
    ids = [
        make_user(n, role=r).id
        for n, r in [("Modo", Role.MODERATOR), ("Admin", Role.ADMIN), ("Membre", Role.MEMBER)]
    ]
    modo, admin, member = (db.session.get(User, user_id) for user_id in ids)
    with pytest.raises(PermissionDenied):
        set_role(modo, member, Role.MODERATOR, "promotion")
    with pytest.raises(PermissionDenied):
        set_role(admin, admin, Role.MEMBER, "je me retire")
    set_role(admin, member, Role.MODERATOR, "aide précieuse")
    assert member.role == "moderator"


def test_moderators_ban_members_but_only_admins_ban_moderators(ctx, make_user):
    people = [
        ("Modo", Role.MODERATOR),
        ("Modo 2", Role.MODERATOR),
        ("Admin", Role.ADMIN),
        ("Membre", Role.MEMBER),
    ]
    ids = [make_user(name, role=role).id for name, role in people]  # before this session reads
    modo, other_modo, admin, member = (db.session.get(User, user_id) for user_id in ids)
    with pytest.raises(PermissionDenied):
        ban_member(member, modo, "revanche")
    with pytest.raises(PermissionDenied):
        ban_member(modo, other_modo, "désaccord")
    with pytest.raises(PermissionDenied):
        ban_member(modo, modo, "fatigue")
    with pytest.raises(ValidationFailed):
        ban_member(modo, member, "spam", days=-2)
    ban_member(modo, member, "spam", days=7)
    ban_member(admin, other_modo, "abus de pouvoir")
    assert member.is_banned_now and other_modo.is_banned_now
