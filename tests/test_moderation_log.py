"""Issue 7: the public moderation log, as a page and as JSON."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from directory.accounts.models import Role, User
from directory.extensions import db
from directory.moderation.models import ModerationEntry
from directory.moderation.services import ban_member, set_role


@pytest.fixture
def logged(app, make_user):
    """Three logged actions: two by the moderator "Modo", one from the command line."""
    ids = [
        make_user(n, role=r).id
        for n, r in [
            ("Modo", Role.MODERATOR),
            ("Spammeur", Role.MEMBER),
            ("Troll", Role.MEMBER),
            ("Aide", Role.MEMBER),
        ]
    ]
    with app.app_context():
        modo, spammer, troll, helper = (db.session.get(User, i) for i in ids)
        ban_member(modo, spammer, "publicités en série")
        ban_member(modo, troll, "insultes", days=3)
        entry = set_role(None, helper, Role.MODERATOR, "renfort pour Arlon")
        entry.private_note = "ami de la patronne, à surveiller"
        db.session.commit()
        # Give them distinct days, so the date filters have something to tell apart.
        for entry_id, day in ((1, "2026-11-01"), (2, "2026-11-15"), (3, "2026-12-01")):
            db.session.execute(
                update(ModerationEntry)
                .where(ModerationEntry.id == entry_id)
                .values(at=datetime.fromisoformat(day + "T10:00:00"))
            )
        db.session.commit()
    return ids


def test_the_log_is_public_newest_first_without_private_notes(browser, logged):
    response = browser.get("/moderation/log")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.index("renfort pour Arlon") < page.index("insultes") < page.index("publicités")
    assert "Modo" in page and "Spammeur" in page
    assert "à surveiller" not in page


def test_the_log_as_json_has_the_contract_shape(browser, logged):
    data = browser.get("/api/v1/moderation/log").get_json()
    assert data["total"] == 3 and data["page"] == 1
    newest = data["entries"][0]
    assert set(newest) == {"id", "at", "moderator", "action", "target", "reason"}
    assert newest["moderator"] is None  # the command line
    assert newest["target"] == {"type": "user", "id": logged[3], "name": "Aide"}
    assert [e["action"] for e in data["entries"]] == ["set_role", "suspend", "ban"]
    assert "surveiller" not in str(data)


@pytest.mark.parametrize(
    ("query", "reasons"),
    [
        ("moderator=modo", ["insultes", "publicités en série"]),
        ("action=ban", ["publicités en série"]),
        ("since=2026-11-10", ["moderator: renfort pour Arlon", "insultes"]),
        ("until=2026-11-15", ["insultes", "publicités en série"]),
        ("since=2026-11-10&until=2026-11-30&moderator=Modo", ["insultes"]),
        ("moderator=personne", []),
        # The last day there is: a 500 once (no day after it to compare with).
        ("until=9999-12-31", ["moderator: renfort pour Arlon", "insultes", "publicités en série"]),
        ("since=0001-01-01", ["moderator: renfort pour Arlon", "insultes", "publicités en série"]),
    ],
)
def test_the_log_filters_by_moderator_action_and_date(browser, logged, query, reasons):
    data = browser.get(f"/api/v1/moderation/log?{query}").get_json()
    assert [e["reason"] for e in data["entries"]] == reasons
    assert data["total"] == len(reasons)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("action=pardon", "action"),
        ("since=hier", "since"),
        ("until=2026-13-45", "until"),
        ("since=2026-12-02&until=2026-12-01", "until"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(browser, logged, query, field):
    response = browser.get(f"/api/v1/moderation/log?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    page = browser.get(f"/moderation/log?{query}")
    assert page.status_code == 400
    assert f'id="{field}-error"' in page.get_data(as_text=True)


def test_the_log_pages(app, browser, logged):
    app.config["PER_PAGE"] = 2
    first = browser.get("/api/v1/moderation/log").get_json()
    second = browser.get("/api/v1/moderation/log?page=2").get_json()
    assert len(first["entries"]) == 2 and len(second["entries"]) == 1
    assert first["total"] == second["total"] == 3
    assert "page=2" in browser.get("/moderation/log").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_log_reads_in_the_three_languages(browser, logged, lang):
    page = browser.get(f"/moderation/log?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    titles = {"fr": "Journal de modération", "nl": "Moderatielogboek", "en": "Moderation log"}
    assert titles[lang] in page
