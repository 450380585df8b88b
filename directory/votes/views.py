"""Vote buttons: POST only, CSRF-protected, back to where the member was."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from directory.accounts.redirects import safe_next
from directory.errors import Conflict, NotFound, PermissionDenied
from directory.extensions import db, limiter, write_limit
from directory.votes.services import upvote, withdraw_vote

bp = Blueprint("votes", __name__)


def _back(shop_id: int):
    target = safe_next(request.form.get("next")) or url_for("shops.detail", shop_id=shop_id)
    return redirect(target)


def _vote(action, shop_id: int):
    try:
        action(current_user._get_current_object(), shop_id)
    except NotFound:
        db.session.rollback()
        abort(404)
    except (Conflict, PermissionDenied) as error:
        # Voting twice or for one's own shop is not worth a failure page: say so, change nothing.
        db.session.rollback()
        flash(error.message, "info")
    else:
        db.session.commit()
    return _back(shop_id)


@bp.route("/shops/<int:shop_id>/vote", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def vote(shop_id: int):
    """Upvote a shop."""
    return _vote(upvote, shop_id)


@bp.route("/shops/<int:shop_id>/unvote", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def unvote(shop_id: int):
    """Take back an upvote."""
    return _vote(withdraw_vote, shop_id)
