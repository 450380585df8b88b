"""Issue 7: merging duplicates moves votes and tips, counts each member once, redirects the
old URL and drops the duplicate from search; concurrent moderators and voters stay consistent."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from directory.accounts.models import Role, User
from directory.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from directory.extensions import db
from directory.moderation.actions import dismiss_flag, hide_shop, merge_shops, restore_shop
from directory.moderation.flags import flag_shop
from directory.moderation.models import Flag, ModerationEntry
from directory.moderation.trust import flag_history
from directory.search.bridge import drain, get_index
from directory.shops.models import Shop
from directory.shops.services import delete_shop
from directory.tips.models import Tip
from directory.tips.services import add_tip
from directory.votes.models import Vote
from directory.votes.services import upvote
from tests.conftest import Browser


@pytest.fixture
def pair(make_shop, make_user):
    """Two listings of the same shop, by two members: (duplicate, kept)."""
    kept = make_shop(author=make_user("Auteure"), name="Les Péchés Mignons du Goethe")
    duplicate = make_shop(name="Péchés mignons Goethe", confirm_not_duplicate=True)
    return duplicate, kept


def as_user(user_id: int) -> User:
    return db.session.get(User, user_id)


def counts(app, *shop_ids: int) -> list[tuple[int, int]]:
    """(vote_count column, vote rows) of each shop."""
    with app.app_context():
        return [
            (
                db.session.get(Shop, i).vote_count,
                db.session.scalar(select(func.count()).where(Vote.shop_id == i)),
            )
            for i in shop_ids
        ]


def test_votes_and_tips_move_and_a_member_counts_once(app, pair, make_user, moderator):
    duplicate, kept = pair
    both, one, other = (make_user(n).id for n in ("Deux Fois", "Une Fois", "Autre"))
    with app.app_context():
        for voter in (both, one):
            upvote(as_user(voter), duplicate.id)
        for voter in (both, other):
            upvote(as_user(voter), kept.id)
        upvote(as_user(kept.author_id), duplicate.id)  # kept's author liked the other listing
        add_tip(as_user(one), duplicate.id, "Les éclairs au café !")
        db.session.commit()
        merge_shops(as_user(moderator.id), duplicate.id, str(kept.id), "même boutique")
        db.session.commit()
        voters = set(db.session.scalars(select(Vote.user_id).where(Vote.shop_id == kept.id)))
        assert voters == {both, one, other}
        assert db.session.scalar(select(Tip.shop_id)) == kept.id
        merged = db.session.get(Shop, duplicate.id)
        assert (merged.status, merged.merged_into_id) == ("merged", kept.id)
        entry = db.session.scalar(select(ModerationEntry))
        assert (entry.action, entry.target_id) == ("merge", duplicate.id)
        assert kept.name in entry.reason and "même boutique" in entry.reason
    assert counts(app, kept.id, duplicate.id) == [(3, 3), (0, 0)]


def test_the_old_url_answers_301_and_search_drops_the_duplicate(app, browser, pair, moderator):
    duplicate, kept = pair
    with app.app_context():
        drain(get_index(app))
    assert browser.get("/api/v1/search?q=goethe").get_json()["total"] == 2
    modo = Browser(app.test_client())
    modo.login(moderator.email)
    item = modo.get(f"/moderation/shops/{duplicate.id}").get_data(as_text=True)
    assert "Doublons probables" in item and f'value="{kept.id}"' in item  # side by side
    answer = modo.post(
        f"/moderation/shops/{duplicate.id}/merge", {"into": str(kept.id), "reason": "doublon"}
    )
    assert answer.status_code == 302
    for url in (f"/shops/{duplicate.id}", f"/shops/{duplicate.id}-{duplicate.slug}"):
        old = browser.get(url)
        assert old.status_code == 301
        assert old.headers["Location"].endswith(f"/shops/{kept.id}-{kept.slug}")
    found = browser.get("/api/v1/search?q=goethe").get_json()
    assert [r["id"] for r in found["results"]] == [kept.id]


def test_a_chain_of_merges_redirects_to_the_last_kept_shop(
    app, browser, pair, make_shop, moderator
):
    duplicate, kept = pair
    final = make_shop(name="Goethe, pâtisserie", town="Namur", postcode="5000")
    with app.app_context():
        merge_shops(as_user(moderator.id), duplicate.id, kept.id, "doublon")
        merge_shops(as_user(moderator.id), kept.id, final.id, "déménagé")
        db.session.commit()
    assert (
        browser.get(f"/shops/{duplicate.id}")
        .headers["Location"]
        .endswith(f"/shops/{final.id}-{final.slug}")
    )


@pytest.mark.parametrize(
    ("into", "message"),
    [("", 'id="merge-into-error"'), ("self", "avec elle-même"), ("hidden", "doit être publiée")],
)
def test_bad_merges_are_refused_and_change_nothing(app, pair, moderator, into, message):
    duplicate, kept = pair
    if into == "hidden":
        with app.app_context():
            db.session.get(Shop, kept.id).status = "hidden"
            db.session.commit()
    target = {"": "", "self": str(duplicate.id), "hidden": str(kept.id)}[into]
    modo = Browser(app.test_client())
    modo.login(moderator.email)
    answer = modo.post(f"/moderation/shops/{duplicate.id}/merge", {"into": target, "reason": "x"})
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Shop, duplicate.id).status == "visible"
        assert db.session.scalar(select(func.count()).select_from(ModerationEntry)) == 0


def test_a_merged_shop_cannot_be_merged_again_nor_kept(app, pair, make_shop, moderator):
    duplicate, kept = pair
    third = make_shop(name="Autre chose", town="Namur", postcode="5000")
    with app.app_context():
        merge_shops(as_user(moderator.id), duplicate.id, kept.id, "doublon")
        db.session.commit()
        with pytest.raises(Conflict):
            merge_shops(as_user(moderator.id), duplicate.id, third.id, "encore")
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            merge_shops(as_user(moderator.id), third.id, duplicate.id, "vers une fusionnée")


def run_together(app, *jobs: Callable[[], object]) -> list[str]:
    """Run each job in its own thread and transaction, started at the same instant."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = [""] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                job()
                db.session.commit()
                outcomes[i] = "done"
            except DomainError as error:
                db.session.rollback()
                outcomes[i] = type(error).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_merge_while_members_vote_on_both_keeps_counts_equal_to_rows(
    app, pair, make_user, moderator
):
    duplicate, kept = pair
    voters = [make_user(f"Votant {n}").id for n in range(6)]
    with app.app_context():
        upvote(as_user(voters[0]), duplicate.id)  # will vote for the kept shop during the merge
        db.session.commit()

    def vote(user_id: int, shop_id: int) -> Callable[[], object]:
        return lambda: upvote(as_user(user_id), shop_id)

    outcomes = run_together(
        app,
        lambda: merge_shops(as_user(moderator.id), duplicate.id, kept.id, "doublon"),
        vote(voters[0], kept.id),
        *(vote(v, duplicate.id) for v in voters[1:3]),
        *(vote(v, kept.id) for v in voters[3:]),
    )
    assert outcomes[0] == "done"
    # A vote on the duplicate lands before the merge (and moves) or after it (404); the
    # member who had voted for the duplicate counts once whatever the order.
    assert set(outcomes[2:4]) <= {"done", "NotFound"}
    assert outcomes[1] in {"done", "Conflict"}
    (kept_count, kept_rows), (dup_count, dup_rows) = counts(app, kept.id, duplicate.id)
    assert kept_count == kept_rows and (dup_count, dup_rows) == (0, 0)
    with app.app_context():
        voted = list(db.session.scalars(select(Vote.user_id).where(Vote.shop_id == kept.id)))
        assert len(voted) == len(set(voted))
        expected = {voters[0], *voters[3:]} | {
            v for v, o in zip(voters[1:3], outcomes[2:4], strict=True) if o == "done"
        }
        assert set(voted) == expected


def test_two_moderators_acting_at_once_end_in_a_serial_state(
    app, shop_in_arlon, make_user, other_member
):
    first, second = (make_user(n, role=Role.MODERATOR).id for n in ("Modo A", "Modo B"))
    with app.app_context():
        flag_id = flag_shop(as_user(other_member.id), shop_in_arlon.id, "spam").id
        db.session.commit()
    # Hide and dismiss are both possible in either order: both happen, both are logged.
    outcomes = run_together(
        app,
        lambda: hide_shop(as_user(first), shop_in_arlon.id, "pub"),
        lambda: dismiss_flag(as_user(second), flag_id, "rien"),
    )
    with app.app_context():
        actions = sorted(db.session.scalars(select(ModerationEntry.action)))
        shop = db.session.get(Shop, shop_in_arlon.id)
        assert shop.status == "hidden"
    # The dismissal either came first (then hide found no open flag) or after the hide, which
    # had already upheld the flag: then it is refused as already decided.
    assert outcomes[0] == "done" and outcomes[1] in {"done", "Conflict"}
    assert actions == sorted(["hide", "dismiss"] if outcomes[1] == "done" else ["hide"])
    # Hide against restore: one order or the other, never a half state; both logged.
    outcomes = run_together(
        app,
        lambda: restore_shop(as_user(first), shop_in_arlon.id, "erreur"),
        lambda: hide_shop(as_user(second), shop_in_arlon.id, "pub encore"),
    )
    with app.app_context():
        final = db.session.get(Shop, shop_in_arlon.id).status
        logged = list(
            db.session.scalars(
                select(ModerationEntry.action).order_by(ModerationEntry.id).offset(len(actions))
            )
        )
    if outcomes == ["done", "done"]:
        assert logged == ["restore", "hide"] and final == "hidden"
    else:
        assert outcomes == ["done", "Conflict"] and logged == ["restore"] and final == "visible"


def test_members_cannot_merge(app, pair, member):
    duplicate, kept = pair
    with app.app_context(), pytest.raises(PermissionDenied):
        merge_shops(as_user(member.id), duplicate.id, kept.id, "moi aussi")
    assert counts(app, duplicate.id) == [(0, 0)]
    with app.app_context():
        assert db.session.get(Shop, duplicate.id).status == "visible"


def test_a_merge_upholds_the_flags_that_named_it_and_moves_the_others(
    app, pair, make_user, moderator
):
    duplicate, kept = pair
    right, closing = (make_user(n).id for n in ("Juste", "Fermeture"))
    with app.app_context():
        flag_shop(as_user(right), kept.id, "duplicate", "", str(duplicate.id))
        flag_shop(as_user(closing), duplicate.id, "closed", "Rideau baissé")
        db.session.commit()
        merge_shops(as_user(moderator.id), duplicate.id, kept.id, "x" * 500)  # the longest
        db.session.commit()
        flags = {
            f.reporter_id: (f.shop_id, f.status)
            for f in db.session.scalars(select(Flag).where(Flag.reporter_id.in_([right, closing])))
        }
        entry = db.session.scalar(select(ModerationEntry))
        assert len(entry.reason) > 500  # the kept shop's name comes on top of the reason
    # Who said "duplicate" was right; the closure report is about the kept shop now.
    assert flags == {right: (kept.id, "upheld"), closing: (kept.id, "open")}
    with app.app_context():
        assert flag_history([right])[right].upheld == 1  # it counts for them, not against
        # A later flag naming the merged listing names the kept one.
        named = select(func.count()).where(Flag.duplicate_of_id == duplicate.id)
        assert db.session.scalar(named) == 0


def test_deleting_the_kept_shop_leaves_the_merged_listings_rows(app, browser, pair, moderator):
    duplicate, kept = pair
    with app.app_context():
        merge_shops(as_user(moderator.id), duplicate.id, kept.id, "doublon")
        db.session.commit()
        delete_shop(as_user(kept.author_id), db.session.get(Shop, kept.id))
        db.session.commit()
        assert db.session.get(Shop, duplicate.id).status == "merged"
    assert browser.get(f"/shops/{duplicate.id}").status_code == 404
