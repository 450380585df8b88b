"""``GET /healthz``: for load balancers and monitors (JSON, never rate limited)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from directory.extensions import limiter
from directory.health.services import health_report

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """200 when the database and the index are sound and in step, 503 otherwise."""
    report = health_report(current_app._get_current_object())
    return jsonify(report.as_dict()), (200 if report.healthy else 503)
