"""Shop-window pages: add, edit, delete a product; hide and restore it (moderators); photos."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from directory.errors import DomainError, NotFound, PermissionDenied
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.moderation.forms import ReasonForm
from directory.moderation.permissions import can_moderate
from directory.products.forms import ProductForm
from directory.products.links import shop_domains
from directory.products.models import PRODUCTS_PER_SHOP, Product
from directory.products.permissions import (
    can_add_product,
    can_hide_product,
    can_manage_product,
    can_restore_product,
)
from directory.products.photos import (
    PHOTO_MAX_BYTES,
    PHOTO_MAX_MEGABYTES,
    init_photo_cleanup,
    is_photo_name,
    photo_folder,
    photo_size,
    too_large_message,
)
from directory.products.prices import format_price
from directory.products.services import (
    add_product,
    delete_product,
    edit_product,
    get_product_for,
    hide_product,
    is_member_suggestion,
    restore_product,
)
from directory.shops.models import Shop
from directory.shops.services import get_visible_shop
from directory.web import render_error_page

bp = Blueprint("products", __name__)
# The shop window (templates/products/_window.html) asks, product by product, what to offer.
for _predicate in (
    can_add_product,
    can_manage_product,
    can_hide_product,
    can_restore_product,
    is_member_suggestion,
):
    bp.add_app_template_global(_predicate)
bp.add_app_template_global(photo_size, "product_photo_size")
bp.add_app_template_filter(format_price, "price")
bp.add_app_template_global(PRODUCTS_PER_SHOP, "products_per_shop")  # type: ignore[arg-type]

# The two forms that carry a photo may send more than the app's 1 MB: the photo limit and
# room for the text fields and the multipart envelope. Anything bigger is refused unread.
UPLOAD_ENDPOINTS = frozenset({"products.new", "products.edit"})
UPLOAD_REQUEST_MAX_BYTES = PHOTO_MAX_BYTES + 256 * 1024
# A photo's name is its content's hash: the file at a URL never changes.
PHOTO_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _allow_photo_uploads() -> None:
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = UPLOAD_REQUEST_MAX_BYTES


@bp.record_once
def _install(state) -> None:
    init_photo_cleanup()
    # CSRFProtect reads the form in an app-wide before_request, and those run before any
    # blueprint's own: the larger limit must be set before that first read of the body.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_photo_uploads)


def _account_key() -> str:
    """Limit per account too: the per-address limit alone lets one member post from many."""
    return f"account:{current_user.id if current_user.is_authenticated else 0}"


def _window_url(shop: Shop, anchor: str = "#vitrine") -> str:
    return url_for("shops.detail", shop_id=shop.id, slug=shop.slug) + anchor


def _visible_shop_or_404(shop_id: int) -> Shop:
    try:
        return get_visible_shop(shop_id)
    except NotFound:
        abort(404)


def _product_or_404(product_id: int) -> Product:
    try:
        return get_product_for(current_user, product_id)
    except NotFound:
        abort(404)


def _form_page(form: ProductForm, shop: Shop, product: Product | None, status: int):
    return render_template(
        "products/form.html",
        form=form,
        shop=shop,
        product=product,
        domains=shop_domains(shop),
        photo_max_bytes=PHOTO_MAX_BYTES,
        photo_max_megabytes=PHOTO_MAX_MEGABYTES,
    ), status


def _save(form: ProductForm, change, done: str, shop: Shop, product: Product | None):
    """Run ``change`` on a valid form and go back to the window; else the form again."""
    refused = False
    if form.validate_on_submit():
        try:
            saved = change(current_user._get_current_object(), form.to_input())
        except NotFound:
            db.session.rollback()
            abort(404)
        except PermissionDenied:
            db.session.rollback()
            abort(403)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            refused = True
        else:
            url = _window_url(shop, f"#product-{saved.id}")
            db.session.commit()
            flash(done, "success")
            return redirect(url)
    return _form_page(form, shop, product, 400 if refused or form.errors else 200)


@bp.route("/shops/<int:shop_id>/products/new", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@limiter.limit(write_limit, methods=["POST"], key_func=_account_key)
def new(shop_id: int):
    """Add a product: the shop's merchant, or a member's suggestion on an unclaimed shop."""
    shop = _visible_shop_or_404(shop_id)
    if not can_add_product(current_user, shop):
        abort(403)
    return _save(
        ProductForm(),
        lambda actor, data: add_product(actor, shop_id, data),
        _("Produit ajouté à la vitrine."),
        shop,
        None,
    )


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@limiter.limit(write_limit, methods=["POST"], key_func=_account_key)
def edit(product_id: int):
    """Edit a product: the shop's merchant, or the member who suggested it."""
    product = _product_or_404(product_id)
    if not can_manage_product(current_user, product):
        abort(403)
    return _save(
        ProductForm.for_product(product),
        lambda actor, data: edit_product(actor, product_id, data),
        _("Produit modifié."),
        product.shop,
        product,
    )


@bp.errorhandler(413)
def _body_too_large(error):
    """A body over the upload limit, left unread: for who may use the form, the form again
    (the product's own values when editing), its photo field saying why; else the 413 page."""
    if request.endpoint not in UPLOAD_ENDPOINTS:
        return render_error_page(413, error)
    # This runs before the view (the limit trips while CSRFProtect reads the form), so the
    # view's own checks are made here; formdata=None: the form must not read the body.
    args = request.view_args or {}
    try:
        if request.endpoint == "products.new":
            product = None
            shop = get_visible_shop(args["shop_id"])
            allowed = can_add_product(current_user, shop)
            form = ProductForm(formdata=None)
        else:
            product = get_product_for(current_user, args["product_id"])
            shop = product.shop
            allowed = can_manage_product(current_user, product)
            form = ProductForm.for_product(product, formdata=None)
    except NotFound:
        allowed = False
    if not allowed:
        return render_error_page(413, error, too_large_message())
    form.photo.errors = [too_large_message()]
    return _form_page(form, shop, product, 413)


@bp.route("/products/<int:product_id>/delete", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def delete(product_id: int):
    """Delete a product, back to the shop's window."""
    try:
        shop = delete_product(current_user._get_current_object(), product_id)
    except DomainError as error:
        db.session.rollback()
        abort(error.status_code)
    url = _window_url(shop)
    db.session.commit()
    flash(_("Produit retiré de la vitrine."), "success")
    return redirect(url)


MODERATION = {
    "hide": (hide_product, can_hide_product, _l("Produit masqué.")),
    "restore": (restore_product, can_restore_product, _l("Produit rétabli.")),
}


@bp.route("/products/<int:product_id>/<any(hide, restore):action>", methods=["GET", "POST"])
@limiter.limit(write_limit, methods=["POST"])
def moderate(product_id: int, action: str):
    """Hide or restore a product (moderators only, 403 for everyone else), with a reason:
    GET asks for it, POST acts."""
    if not can_moderate(current_user):
        abort(403)
    product = _product_or_404(product_id)
    change, allowed, done = MODERATION[action]
    form = ReasonForm()
    refused = False
    if form.validate_on_submit():
        try:
            change(current_user._get_current_object(), product_id, form.reason.data)
        except NotFound:
            db.session.rollback()
            abort(404)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            refused = True
        else:
            url = _window_url(product.shop, f"#product-{product_id}")
            db.session.commit()
            flash(str(done), "success")
            return redirect(url)
    elif request.method == "GET" and not allowed(current_user, product):
        # Already hidden (or shown): say so rather than offer an action that would fail.
        return redirect(_window_url(product.shop, f"#product-{product_id}"))
    status = 400 if refused or form.errors else 200
    return render_template(
        "products/moderate.html", form=form, product=product, action=action
    ), status


@bp.route("/media/products/<name>")
def photo(name: str):
    """A product photo, cached for good (its name is its content's hash); 404 for any other
    name, so no path ever reaches the file system."""
    if not is_photo_name(name):
        abort(404)
    response = send_from_directory(photo_folder(), name, mimetype="image/jpeg")
    response.headers["Cache-Control"] = PHOTO_CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
