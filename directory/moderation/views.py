"""Moderation pages: the public log, and for moderators the review queue, each item's review
page, a member's page, and the action buttons (POST, each with a reason)."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from directory.accounts.models import User
from directory.errors import DomainError, NotFound, ValidationFailed
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.merchants import claims
from directory.merchants.claim_emails import send_decisions
from directory.moderation import actions
from directory.moderation.emails import send_warning
from directory.moderation.forms import BanForm, MergeForm, ReasonForm
from directory.moderation.models import ACTION_LABELS, REASON_LABELS, TARGET_LABELS, Flag
from directory.moderation.permissions import can_moderate
from directory.moderation.queue import queue_item, review_queue
from directory.moderation.services import (
    LogFilters,
    ban_member,
    member_record,
    moderation_log,
    parse_log_filters,
)
from directory.pagination import page_arg

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
FILTERS = ("moderator", "action", "since", "until")
PUBLIC_ENDPOINTS = frozenset({"moderation.log"})
SHOP_ACTIONS: dict[str, Callable] = {
    "approve": actions.approve_shop,
    "hide": actions.hide_shop,
    "restore": actions.restore_shop,
    "close": actions.close_shop,
}
DONE = {
    "approve": _l("Adresse approuvée et publiée."),
    "hide": _l("Adresse masquée."),
    "restore": _l("Adresse rétablie."),
    "close": _l("Fermeture confirmée."),
}


@bp.before_request
def _moderators_only():
    """Everything here but the public log is for moderators: 403, before any work is done."""
    if request.endpoint not in PUBLIC_ENDPOINTS and not can_moderate(current_user):
        abort(403)


@bp.route("/log")
def log():
    """Who did what to which item, when and why; filterable, paginated, public."""
    error = None
    try:
        filters = parse_log_filters(request.args)
    except ValidationFailed as failure:
        error, filters = failure, LogFilters()
    page = moderation_log(filters, page_arg(), current_app.config["PER_PAGE"])
    return render_template(
        "moderation/log.html",
        page=page,
        action_labels=ACTION_LABELS,
        target_labels=TARGET_LABELS,
        error=error,
        args=request.args,
        filter_args={k: request.args[k] for k in FILTERS if request.args.get(k)},
    ), (400 if error else 200)


@bp.route("/queue")
def queue():
    """Flagged items, posts waiting for approval, probable duplicates, closure reports."""
    return render_template(
        "moderation/queue.html", queue=review_queue(), reason_labels=REASON_LABELS
    )


Failed = tuple[str, FlaskForm] | None


def moderation_form(
    key: str, form_class: type[FlaskForm], failed: Failed = None, **data
) -> FlaskForm:
    """The form of action ``key`` on a page with several: the one that just failed (with its
    input and errors) or a fresh one, its fields' ids prefixed with ``key`` so each is unique
    (the field names stay the Contract's)."""
    if failed is not None and failed[0] == key:
        form = failed[1]
    else:
        form = form_class(formdata=None, **data)
    for field in form:
        field.id = f"{key}-{field.name}"
    return form


def _item_page(kind: str, item_id: int, failed: Failed = None, status: int = 200):
    found = queue_item(kind, item_id)
    if not found.items:
        abort(404)
    return render_template(
        "moderation/item.html",
        item=found.items[0],
        histories=found.histories,
        failed=failed,
        reason_labels=REASON_LABELS,
        moderation_form=moderation_form,
        ReasonForm=ReasonForm,
        MergeForm=MergeForm,
    ), status


@bp.route("/shops/<int:shop_id>")
def shop(shop_id: int):
    """One shop's review page: the post, its flags and reporters, candidate duplicates."""
    return _item_page("shop", shop_id)


@bp.route("/tips/<int:tip_id>")
def tip(tip_id: int):
    """One tip's review page."""
    return _item_page("tip", tip_id)


def _act(
    form: FlaskForm,
    run: Callable[[], object],
    done: str,
    back: Callable[[int], object],
    after: Callable[[], object] | None = None,
):
    """Validate ``form``, run the operation, commit, then ``after`` (a mail); on error show
    ``back`` with the input kept and the error's status (400, 403, 409)."""
    status = 400
    if form.validate_on_submit():
        try:
            run()
        except NotFound:
            db.session.rollback()
            abort(404)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            status = error.status_code
        else:
            db.session.commit()
            if after is not None:
                after()
            flash(done, "success")
            return redirect(url_for("moderation.queue"))
    return back(status)


@bp.route("/shops/<int:shop_id>/<any(approve, hide, restore, close):action>", methods=["POST"])
@limiter.limit(write_limit)
def shop_action(shop_id: int, action: str):
    """Approve, hide, restore, or confirm closed, with a reason."""
    form = ReasonForm()
    return _act(
        form,
        lambda: SHOP_ACTIONS[action](current_user._get_current_object(), shop_id, form.reason.data),
        str(DONE[action]),
        lambda status: _item_page("shop", shop_id, (action, form), status),
    )


@bp.route("/shops/<int:shop_id>/merge", methods=["POST"])
@limiter.limit(write_limit)
def merge(shop_id: int):
    """Merge this duplicate into the shop ``into``."""
    form = MergeForm()
    return _act(
        form,
        lambda: actions.merge_shops(
            current_user._get_current_object(), shop_id, form.into.data, form.reason.data
        ),
        _("Doublons fusionnés : votes et conseils ont rejoint l'adresse gardée."),
        lambda status: _item_page("shop", shop_id, ("merge", form), status),
    )


@bp.route("/flags/<int:flag_id>/dismiss", methods=["POST"])
@limiter.limit(write_limit)
def dismiss(flag_id: int):
    """Dismiss one flag, with a reason."""
    flag = db.session.get(Flag, flag_id)
    if flag is None:
        abort(404)
    kind, item_id = ("tip", flag.tip_id) if flag.tip_id else ("shop", flag.shop_id)
    form = ReasonForm()
    return _act(
        form,
        lambda: actions.dismiss_flag(current_user._get_current_object(), flag_id, form.reason.data),
        _("Signalement rejeté."),
        lambda status: _item_page(kind, item_id, (f"dismiss-{flag_id}", form), status),
    )


@bp.route("/tips/<int:tip_id>/delete", methods=["POST"])
@limiter.limit(write_limit)
def delete_tip(tip_id: int):
    """Delete a tip, with a reason."""
    form = ReasonForm()
    return _act(
        form,
        lambda: actions.delete_tip(current_user._get_current_object(), tip_id, form.reason.data),
        _("Conseil supprimé."),
        lambda status: _item_page("tip", tip_id, ("delete", form), status),
    )


def _claim_page(claim_id: int, failed: Failed = None, status: int = 200):
    try:
        claim = claims.claim_for_review(claim_id)
    except NotFound:
        abort(404)
    return render_template(
        "merchants/claim_review.html",
        claim=claim,
        failed=failed,
        moderation_form=moderation_form,
        ReasonForm=ReasonForm,
    ), status


@bp.route("/claims/<int:claim_id>")
def claim(claim_id: int):
    """A merchant's claim: the shop, the evidence, the claimant's record; accept or reject."""
    return _claim_page(claim_id)


CLAIM_DECISIONS: dict[str, Callable] = {
    "accept": claims.accept_claim,
    "reject": claims.reject_claim,
}


@bp.route("/claims/<int:claim_id>/<any(accept, reject):decision>", methods=["POST"])
@limiter.limit(write_limit)
def claim_action(claim_id: int, decision: str):
    """Accept (the shop is then verified by its merchant) or reject a claim, with a reason;
    the claimants are mailed the decision."""
    form = ReasonForm()
    decide = CLAIM_DECISIONS[decision]
    decided: list[claims.ClaimDecision] = []
    done = {
        "accept": _("Demande acceptée : la fiche est vérifiée par son commerçant."),
        "reject": _("Demande refusée."),
    }
    return _act(
        form,
        lambda: decided.append(
            decide(current_user._get_current_object(), claim_id, form.reason.data)
        ),
        done[decision],
        lambda status: _claim_page(claim_id, (decision, form), status),
        after=lambda: send_decisions(decided[0]),
    )


def _member(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        abort(404)
    return user


def _member_page(user: User, failed: Failed = None, status: int = 200):
    return render_template(
        "moderation/member.html",
        member=user,
        record=member_record(user),
        action_labels=ACTION_LABELS,
        failed=failed,
        moderation_form=moderation_form,
        ReasonForm=ReasonForm,
        BanForm=BanForm,
    ), status


@bp.route("/users/<int:user_id>")
def member(user_id: int):
    """A member's record for moderators: posts, flags, past actions; warn or ban."""
    return _member_page(_member(user_id))


@bp.route("/users/<int:user_id>/ban", methods=["POST"])
@limiter.limit(write_limit)
def ban(user_id: int):
    """Ban for good (``days`` empty) or suspend for ``days`` days, with a reason."""
    user = _member(user_id)
    form = BanForm()
    return _act(
        form,
        lambda: ban_member(
            current_user._get_current_object(), user, form.reason.data, form.days.data
        ),
        _("Compte suspendu : ses sessions sont fermées."),
        lambda status: _member_page(user, ("ban", form), status),
    )


@bp.route("/users/<int:user_id>/warn", methods=["POST"])
@limiter.limit(write_limit)
def warn(user_id: int):
    """Warn a member (logged publicly, and mailed to them), with a reason."""
    user = _member(user_id)
    form = ReasonForm()
    return _act(
        form,
        lambda: actions.warn_member(current_user._get_current_object(), user, form.reason.data),
        _("Avertissement envoyé."),
        lambda status: _member_page(user, ("warn", form), status),
        after=lambda: send_warning(user, form.reason.data),
    )
