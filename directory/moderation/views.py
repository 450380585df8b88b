"""The public moderation log (the review queue and actions come next, see issue 7)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from directory.errors import ValidationFailed
from directory.moderation.models import ACTION_LABELS, TARGET_LABELS
from directory.moderation.services import LogFilters, moderation_log, parse_log_filters
from directory.pagination import page_arg

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
FILTERS = ("moderator", "action", "since", "until")


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
