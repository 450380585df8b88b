"""Directory pages: categories, towns, a shop, posting and editing a shop."""

from __future__ import annotations

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
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from directory.errors import DomainError
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.merchants.editing import can_edit_practical_info, can_view_history
from directory.pagination import choice_arg, page_arg
from directory.products.services import window_products
from directory.shops.duplicates import PossibleDuplicate
from directory.shops.forms import COUNTRY_CHOICES, ShopForm
from directory.shops.hours import shop_hours
from directory.shops.models import Category, Shop
from directory.shops.ranking import SORTS
from directory.shops.services import (
    can_delete_shop,
    can_edit,
    can_see,
    categories,
    create_shop,
    delete_shop,
    get_shop_for,
    merged_into,
    update_shop,
    visible_shops,
)
from directory.timeutil import current_moment
from directory.tips.forms import TipForm
from directory.tips.services import visible_tips
from directory.votes.services import has_voted

bp = Blueprint("shops", __name__)


def paginated(query):
    """Paginate ``query`` with the request's page number; never 404s on a page too far."""
    return db.paginate(
        query, page=page_arg(), per_page=current_app.config["PER_PAGE"], error_out=False
    )


def _category_choices(form: ShopForm) -> None:
    form.category_id.choices = [SelectChoice(0, _("— choisir —"))] + [
        SelectChoice(c.id, c.name) for c in categories()
    ]


@bp.route("/categories")
def category_index():
    """Every category with its number of visible shops."""
    counts = dict(
        db.session.execute(
            select(Shop.category_id, func.count())
            .where(Shop.status == "visible")
            .group_by(Shop.category_id)
        ).all()
    )
    return render_template("shops/categories.html", categories=categories(), counts=counts)


@bp.route("/categories/<slug>")
def category(slug: str):
    """Visible shops of one category."""
    found = db.session.scalar(select(Category).where(Category.slug == slug))
    if found is None:
        abort(404)
    sort = choice_arg("sort", SORTS, "hot")
    shops = paginated(visible_shops(sort).where(Shop.category_id == found.id))
    return render_template("shops/category.html", category=found, shops=shops, sort=sort)


@bp.route("/towns/<slug>")
def town(slug: str):
    """Visible shops of one town (all its postcodes)."""
    sort = choice_arg("sort", SORTS, "hot")
    shops = paginated(visible_shops(sort).where(Shop.town_slug == slug))
    if shops.total == 0:
        abort(404)
    first = (
        shops.items[0]
        if shops.items
        else db.session.scalar(select(Shop).where(Shop.town_slug == slug).limit(1))
    )
    return render_template(
        "shops/town.html", town=first.town, country=first.country, slug=slug, shops=shops, sort=sort
    )


@bp.route("/shops/<int:shop_id>")
@bp.route("/shops/<int:shop_id>-<slug>")
def detail(shop_id: int, slug: str | None = None):
    """One shop, its services, votes and tips; moderators also see the ones not visible.

    A merged duplicate's URL answers 301 to the shop it was merged into, for everyone.
    """
    kept = merged_into(shop_id)
    if kept is not None:
        return redirect(url_for("shops.detail", shop_id=kept.id, slug=kept.slug), 301)
    try:
        shop = get_shop_for(current_user, shop_id)
    except DomainError:
        abort(404)
    if slug != shop.slug:
        return redirect(url_for("shops.detail", shop_id=shop.id, slug=shop.slug), 301)
    return render_shop_page(shop, TipForm())


def render_shop_page(shop: Shop, tip_form: TipForm) -> str:
    """The shop page; the tip view renders it again with the member's rejected tip."""
    return render_template(
        "shops/detail.html",
        shop=shop,
        tips=visible_tips(shop.id),
        tip_form=tip_form,
        voted=has_voted(current_user, shop.id),
        can_edit=can_edit(current_user, shop),
        hours=shop_hours(shop, current_moment()),
        can_edit_practical=can_edit_practical_info(current_user, shop),
        can_see_history=can_view_history(current_user),
        products=window_products(current_user, shop.id),
    )


def render_form(form: ShopForm, shop: Shop | None, duplicate: PossibleDuplicate | None) -> str:
    """The posting or editing form, with the likely duplicates the service found, if any.

    A match the member may not open (another member's post waiting for approval) is counted,
    not named.
    """
    matches = duplicate.matches if duplicate else []
    shown = [match for match in matches if can_see(current_user, match)]
    return render_template(
        "shops/form.html",
        form=form,
        shop=shop,
        duplicates=shown,
        unseen_duplicates=len(matches) - len(shown),
    )


def _prefill_place(form: ShopForm, args) -> None:
    """Fill town, postcode and country from the query string (values are only suggestions)."""
    for name in ("town", "postcode"):
        value = (args.get(name) or "").strip()
        if value:
            getattr(form, name).data = value[:120]
    if args.get("country") in [choice.value for choice in COUNTRY_CHOICES]:
        form.country.data = args["country"]


@bp.route("/shops/new", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def new():
    """Post a new shop recommendation."""
    form = ShopForm()
    _category_choices(form)
    if request.method == "GET":
        # From "be the first to recommend a shop in Limoges": the town is already known.
        _prefill_place(form, request.args)
    duplicate: PossibleDuplicate | None = None
    if form.validate_on_submit():
        try:
            shop = create_shop(current_user._get_current_object(), form.to_input())
        except PossibleDuplicate as error:
            db.session.rollback()
            duplicate = error
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            if shop.is_visible:
                flash(_("Merci ! Votre bonne adresse est publiée."), "success")
            else:
                flash(
                    _(
                        "Merci ! Comme c'est l'une de vos premières adresses, un modérateur "
                        "la relit avant publication. Vous la voyez ici en attendant."
                    ),
                    "success",
                )
            return redirect(url_for("shops.detail", shop_id=shop.id, slug=shop.slug))
    status = 400 if form.errors else 200
    return render_form(form, None, duplicate), status


@bp.route("/shops/<int:shop_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def edit(shop_id: int):
    """Edit a shop: its author or a moderator."""
    try:
        shop = get_shop_for(current_user, shop_id)
    except DomainError:
        abort(404)
    if not can_edit(current_user, shop):
        abort(403)
    form = ShopForm(obj=shop)
    _category_choices(form)
    duplicate: PossibleDuplicate | None = None
    if form.validate_on_submit():
        try:
            update_shop(current_user._get_current_object(), shop, form.to_input())
        except PossibleDuplicate as error:
            db.session.rollback()
            duplicate = error
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Adresse mise à jour."), "success")
            return redirect(url_for("shops.detail", shop_id=shop.id, slug=shop.slug))
    status = 400 if form.errors else 200
    return render_form(form, shop, duplicate), status


# The shop page asks whether to offer its author "Supprimer cette adresse".
bp.add_app_template_global(can_delete_shop)


@bp.route("/shops/<int:shop_id>/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def delete(shop_id: int):
    """Delete a shop, its author only: GET asks to confirm (no script needed), POST deletes."""
    try:
        shop = get_shop_for(current_user, shop_id)
    except DomainError:
        abort(404)
    if not can_delete_shop(current_user, shop):
        abort(403)
    if request.method == "GET":
        return render_template("shops/delete.html", shop=shop, tip_count=len(visible_tips(shop.id)))
    name = shop.name
    try:
        delete_shop(current_user._get_current_object(), shop)
    except DomainError as error:
        db.session.rollback()
        abort(error.status_code)
    db.session.commit()
    flash(_("« %(name)s » a été supprimée.", name=name), "success")
    return redirect(url_for("accounts.profile", user_id=current_user.id))
