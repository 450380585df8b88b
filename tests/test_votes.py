"""Upvotes: one per member, atomic counts, even under parallel requests."""

import threading

import pytest
from sqlalchemy import func, select

from directory.errors import Conflict, NotFound, PermissionDenied
from directory.extensions import db
from directory.shops.models import Shop
from directory.votes.models import Vote
from directory.votes.services import upvote, withdraw_vote


def vote_state(app, shop_id):
    """(stored count, number of vote rows) for a shop."""
    with app.app_context():
        count = db.session.scalar(select(Shop.vote_count).where(Shop.id == shop_id))
        rows = db.session.scalar(
            select(func.count()).select_from(Vote).where(Vote.shop_id == shop_id)
        )
        return count, rows


def test_member_upvotes_once_through_the_page(app, browser, other_member, shop_in_arlon):
    browser.login(other_member.email)
    response = browser.post(f"/shops/{shop_in_arlon.id}/vote")
    assert response.status_code == 302
    assert vote_state(app, shop_in_arlon.id) == (1, 1)
    page = browser.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Retirer mon vote" in page


def test_voting_twice_does_not_change_the_count(app, browser, other_member, shop_in_arlon):
    browser.login(other_member.email)
    browser.post(f"/shops/{shop_in_arlon.id}/vote")
    response = browser.post(f"/shops/{shop_in_arlon.id}/vote", follow_redirects=True)
    assert "déjà voté" in response.get_data(as_text=True)
    assert vote_state(app, shop_in_arlon.id) == (1, 1)


def test_member_takes_the_vote_back(app, browser, other_member, shop_in_arlon):
    browser.login(other_member.email)
    browser.post(f"/shops/{shop_in_arlon.id}/vote")
    browser.post(f"/shops/{shop_in_arlon.id}/unvote")
    assert vote_state(app, shop_in_arlon.id) == (0, 0)
    browser.post(f"/shops/{shop_in_arlon.id}/unvote")
    assert vote_state(app, shop_in_arlon.id) == (0, 0)


def test_anonymous_vote_redirects_to_login_and_changes_nothing(app, browser, shop_in_arlon):
    response = browser.post(
        f"/shops/{shop_in_arlon.id}/vote", {"next": f"/shops/{shop_in_arlon.id}"}
    )
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    assert vote_state(app, shop_in_arlon.id) == (0, 0)


def test_voting_on_a_hidden_shop_changes_nothing(app, member, shop_in_arlon):
    with app.app_context():
        db.session.get(Shop, shop_in_arlon.id).status = "hidden"
        db.session.commit()
        with pytest.raises(NotFound):
            upvote(db.session.merge(member), shop_in_arlon.id)
        db.session.rollback()
    assert vote_state(app, shop_in_arlon.id) == (0, 0)


def test_service_refuses_anonymous_and_banned_voters(app, make_user, shop_in_arlon):
    banned = make_user(is_banned=True)
    with app.app_context():
        with pytest.raises(PermissionDenied):
            upvote(None, shop_in_arlon.id)
        with pytest.raises(PermissionDenied):
            upvote(db.session.merge(banned), shop_in_arlon.id)


def test_service_reports_a_second_vote_as_conflict(app, other_member, shop_in_arlon):
    with app.app_context():
        user = db.session.merge(other_member)
        assert upvote(user, shop_in_arlon.id) == 1
        db.session.commit()
        with pytest.raises(Conflict):
            upvote(user, shop_in_arlon.id)
        db.session.rollback()
        assert withdraw_vote(user, shop_in_arlon.id) == 0


def test_vote_updates_the_hot_score(app, other_member, shop_in_arlon, reload):
    before = reload(Shop, shop_in_arlon.id).hot_score
    with app.app_context():
        upvote(db.session.merge(other_member), shop_in_arlon.id)
        db.session.commit()
    assert reload(Shop, shop_in_arlon.id).hot_score > before


def run_in_parallel(app, jobs):
    """Run each (user, action) in its own thread and app context, all released at once."""
    barrier = threading.Barrier(len(jobs))
    outcomes = []

    def work(user, action):
        with app.app_context():
            barrier.wait()
            try:
                action(db.session.merge(user))
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_votes_by_many_members_are_all_counted(app, make_user, shop_in_arlon):
    voters = [make_user() for _ in range(8)]
    outcomes = run_in_parallel(
        app, [(voter, lambda user: upvote(user, shop_in_arlon.id)) for voter in voters]
    )
    assert outcomes == ["ok"] * 8
    assert vote_state(app, shop_in_arlon.id) == (8, 8)


def test_parallel_double_votes_by_one_member_count_once(app, other_member, shop_in_arlon):
    outcomes = run_in_parallel(
        app, [(other_member, lambda user: upvote(user, shop_in_arlon.id)) for _ in range(6)]
    )
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"]
    assert vote_state(app, shop_in_arlon.id) == (1, 1)


def test_parallel_votes_and_withdrawals_keep_count_equal_to_rows(app, make_user, shop_in_arlon):
    voters = [make_user() for _ in range(6)]
    for voter in voters[:3]:
        with app.app_context():
            upvote(db.session.merge(voter), shop_in_arlon.id)
            db.session.commit()
    jobs = [(v, lambda user: withdraw_vote(user, shop_in_arlon.id)) for v in voters[:3]]
    jobs += [(v, lambda user: upvote(user, shop_in_arlon.id)) for v in voters[3:]]
    run_in_parallel(app, jobs)
    assert vote_state(app, shop_in_arlon.id) == (3, 3)
