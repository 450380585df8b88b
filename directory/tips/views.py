"""Posting, editing and deleting tips on a shop page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory.errors import DomainError, NotFound, ValidationFailed
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.shops.services import get_shop_for, get_visible_shop
from directory.shops.views import render_shop_page
from directory.tips.forms import TipForm
from directory.tips.services import (
    add_tip,
    can_delete_tip,
    can_edit_tip,
    delete_tip,
    edit_tip,
    get_tip_for,
)

bp = Blueprint("tips", __name__)
# The shop page asks, tip by tip, whether to offer "Modifier" and "Supprimer".
bp.add_app_template_global(can_edit_tip)
bp.add_app_template_global(can_delete_tip)


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


def _shop_page_url(shop_id: int, slug: str, anchor: str) -> str:
    return url_for("shops.detail", shop_id=shop_id, slug=slug) + anchor


@bp.route("/tips/<int:tip_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def edit(tip_id: int):
    """Edit a tip: its author or a moderator; on error, the form again with the text kept."""
    try:
        tip = get_tip_for(current_user, tip_id)
    except NotFound:
        abort(404)
    if not can_edit_tip(current_user, tip):
        abort(403)
    shop = get_shop_for(current_user, tip.shop_id)
    form = TipForm(obj=tip)
    if form.validate_on_submit():
        try:
            edit_tip(current_user._get_current_object(), tip_id, form.body.data)
        except ValidationFailed as error:
            db.session.rollback()
            show_domain_error(form, error)
        except DomainError as error:
            db.session.rollback()
            abort(error.status_code)
        else:
            db.session.commit()
            flash(_("Conseil modifié."), "success")
            return redirect(_shop_page_url(shop.id, shop.slug, f"#tip-{tip_id}"))
    status = 400 if form.errors else 200
    return render_template("tips/edit.html", form=form, tip=tip, shop=shop), status


@bp.route("/tips/<int:tip_id>/delete", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def delete(tip_id: int):
    """Delete one's own tip, back to the shop's tips."""
    try:
        shop = delete_tip(current_user._get_current_object(), tip_id)
    except DomainError as error:
        db.session.rollback()
        abort(error.status_code)
    shop_id, slug = shop.id, shop.slug
    db.session.commit()
    flash(_("Conseil supprimé."), "success")
    return redirect(_shop_page_url(shop_id, slug, "#tips"))
