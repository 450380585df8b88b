"""Posting tips on a shop page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory.errors import DomainError, NotFound
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.shops.services import get_visible_shop
from directory.shops.views import render_shop_page
from directory.tips.forms import TipForm
from directory.tips.services import add_tip

bp = Blueprint("tips", __name__)


@bp.route("/shops/<int:shop_id>/tips", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def create(shop_id: int):
    """Add a tip; on error, show the shop page again with the text kept."""
    form = TipForm()
    if form.validate_on_submit():
        try:
            add_tip(current_user._get_current_object(), shop_id, form.body.data)
        except NotFound:
            abort(404)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Merci pour votre conseil !"), "success")
            return redirect(url_for("shops.detail", shop_id=shop_id) + "#tips")
    try:
        shop = get_visible_shop(shop_id)
    except NotFound:
        abort(404)
    return render_shop_page(shop, form), 400
