"""The merchant's edit of a listing's practical information; its history and reverts for
moderators."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory.errors import DomainError, NotFound, PermissionDenied
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.merchants.editing import (
    FIELD_LABELS,
    can_edit_practical_info,
    can_view_history,
    describe_changes,
    revert_revision,
    shop_history,
    update_practical_info,
)
from directory.merchants.forms import PracticalInfoForm
from directory.merchants.models import ShopRevision
from directory.moderation.forms import ReasonForm
from directory.moderation.views import Failed, moderation_form
from directory.shops.hours import HOURS_EXAMPLE, shop_hours
from directory.shops.models import Shop
from directory.shops.services import get_shop_for

bp = Blueprint("merchants", __name__)


def _shop_or_404(shop_id: int) -> Shop:
    try:
        return get_shop_for(current_user, shop_id)
    except DomainError:
        abort(404)


def _shop_url(shop: Shop) -> str:
    return url_for("shops.detail", shop_id=shop.id, slug=shop.slug)


@bp.route("/shops/<int:shop_id>/merchant", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def edit(shop_id: int):
    """The verified merchant edits hours, services, delivery radius, e-shop link and answer."""
    shop = _shop_or_404(shop_id)
    if not can_edit_practical_info(current_user, shop):
        abort(403)
    form = PracticalInfoForm(obj=shop)
    if form.validate_on_submit():
        try:
            revision = update_practical_info(
                current_user._get_current_object(), shop, form.to_input()
            )
        except (NotFound, PermissionDenied) as error:
            db.session.rollback()
            abort(error.status_code)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            if revision is None:
                flash(_("Rien n'a changé."), "success")
            else:
                flash(_("Informations pratiques mises à jour."), "success")
            return redirect(_shop_url(shop))
    status = 400 if form.errors else 200
    return render_template(
        "merchants/edit.html",
        form=form,
        shop=shop,
        hours=shop_hours(shop, datetime.now(UTC)),
        hours_example=HOURS_EXAMPLE,
    ), status


def _history_page(shop: Shop, failed: Failed = None, status: int = 200):
    return render_template(
        "merchants/history.html",
        shop=shop,
        revisions=shop_history(current_user, shop),
        describe_changes=describe_changes,
        moderation_form=moderation_form,
        ReasonForm=ReasonForm,
        failed=failed,
    ), status


# No login_required on these two: like every moderators' route, they answer 403 to whoever is
# not a moderator, visitors included, rather than offering a login.
@bp.route("/shops/<int:shop_id>/history")
def history(shop_id: int):
    """Every merchant edit of a listing, newest first, each revertible (moderators)."""
    if not can_view_history(current_user):
        abort(403)
    return _history_page(_shop_or_404(shop_id))


@bp.route("/revisions/<int:revision_id>/revert", methods=["POST"])
@limiter.limit(write_limit)
def revert(revision_id: int):
    """Restore what an edit changed, with a public reason; the history page again on error."""
    if not can_view_history(current_user):
        abort(403)
    revision = db.session.get(ShopRevision, revision_id)
    if revision is None:
        abort(404)
    shop_id = revision.shop_id
    form = ReasonForm()
    status = 400
    if form.validate_on_submit():
        try:
            result = revert_revision(
                current_user._get_current_object(), revision_id, form.reason.data
            )
        except NotFound:
            db.session.rollback()
            abort(404)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            status = error.status_code
        else:
            db.session.commit()
            if result.kept:
                kept = ", ".join(str(FIELD_LABELS.get(name, name)) for name in result.kept)
                flash(
                    _(
                        "Modification annulée, sauf ces champs, modifiés depuis : %(fields)s.",
                        fields=kept,
                    ),
                    "success",
                )
            else:
                flash(_("Modification annulée."), "success")
            return redirect(url_for("merchants.history", shop_id=shop_id))
    return _history_page(_shop_or_404(shop_id), (f"revert-{revision_id}", form), status)
