"""Members' flag pages: ``/shops/<id>/flag`` and ``/tips/<id>/flag`` (a page of their own, so
the form works on a phone without JavaScript and re-renders with its input on error)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory.errors import DomainError, NotFound
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.moderation.flags import flag_shop, flag_tip
from directory.moderation.forms import FlagForm
from directory.moderation.models import TIP_REASONS, FlagReason
from directory.shops.services import get_visible_shop
from directory.tips.models import Tip

bp = Blueprint("flags", __name__)


def _shop_reasons(shop_author_id: int | None) -> tuple[FlagReason, ...]:
    # An author may only say their own shop closed; anything else they can edit themselves.
    if current_user.is_authenticated and shop_author_id == current_user.id:
        return (FlagReason.CLOSED,)
    return tuple(FlagReason)


@bp.route("/shops/<int:shop_id>/flag", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def shop(shop_id: int):
    """Flag a shop (or, for its author, report it closed for good)."""
    try:
        found = get_visible_shop(shop_id)
    except NotFound:
        abort(404)
    form = FlagForm().offer(_shop_reasons(found.author_id))
    offered = {value for value, _label in form.reason.choices}
    if request.method == "GET" and request.args.get("reason") in offered:
        form.reason.data = request.args["reason"]
    if form.validate_on_submit():
        try:
            flag_shop(
                current_user._get_current_object(),
                found.id,
                form.reason.data,
                form.note.data,
                form.duplicate_of.data,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Merci : la modération va examiner votre signalement."), "success")
            return redirect(url_for("shops.detail", shop_id=found.id, slug=found.slug))
    status = 400 if form.errors else 200
    return render_template("moderation/flag.html", form=form, shop=found, tip=None), status


@bp.route("/tips/<int:tip_id>/flag", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def tip(tip_id: int):
    """Flag a member's tip."""
    found = db.session.get(Tip, tip_id)
    try:
        if found is None or found.is_hidden:
            raise NotFound("")
        shop = get_visible_shop(found.shop_id)
    except NotFound:
        abort(404)
    form = FlagForm().offer(TIP_REASONS)
    if form.validate_on_submit():
        try:
            flag_tip(current_user._get_current_object(), found.id, form.reason.data, form.note.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Merci : la modération va examiner votre signalement."), "success")
            return redirect(url_for("shops.detail", shop_id=shop.id, slug=shop.slug) + "#tips")
    status = 400 if form.errors else 200
    return render_template("moderation/flag.html", form=form, shop=shop, tip=found), status
