"""Register, log in, log out, profile pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from directory.accounts.emails import send_already_registered, send_confirmation
from directory.accounts.forms import LoginForm, RegisterForm
from directory.accounts.links_views import MAIL_LIMIT, recipient_key
from directory.accounts.models import User
from directory.accounts.redirects import safe_next
from directory.accounts.services import authenticate, end_all_sessions, sign_up
from directory.accounts.throttle import login_throttle
from directory.errors import DomainError, TooManyAttempts
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.i18n import follow_member_language
from directory.pagination import page_arg
from directory.shops.models import Shop, ShopStatus

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"], endpoint="register")
@limiter.limit(write_limit, methods=["POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"], key_func=recipient_key("email"))
def register_view():
    """Create an account and mail its confirmation link.

    The answer is the same whether or not the email already has an account (its owner gets
    a mail saying so instead), so the form cannot be used to find out who is a member.
    """
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            outcome = sign_up(
                form.email.data,
                form.display_name.data,
                form.password.data,
                language=get_locale().language,
                time_cost=current_app.config["ARGON2_TIME_COST"],
                memory_cost=current_app.config["ARGON2_MEMORY_COST"],
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            if outcome.user is not None:
                send_confirmation(outcome.user)
            else:
                send_already_registered(outcome.email, outcome.existing, get_locale().language)
            flash(
                _(
                    "Presque fini ! Nous avons envoyé un e-mail à %(email)s : suivez son lien "
                    "pour confirmer votre adresse. Vous pouvez déjà vous connecter.",
                    email=outcome.email,
                ),
                "success",
            )
            return redirect(url_for("accounts.login", next=safe_next(request.args.get("next"))))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(write_limit, methods=["POST"])
def login():
    """Log in with email and password; ``next`` may only point inside the site."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("pages.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(
                form.email.data,
                form.password.data,
                login_throttle(),
                time_cost=current_app.config["ARGON2_TIME_COST"],
                memory_cost=current_app.config["ARGON2_MEMORY_COST"],
            )
        except TooManyAttempts as error:
            show_domain_error(form, error)
            page = render_template("accounts/login.html", form=form)
            return page, 429, {"Retry-After": str(error.retry_after)}
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()  # a password rehashed with today's Argon2 parameters
            # A fresh session (and CSRF secret) at login: nothing planted before survives it.
            session.clear()
            login_user(user, remember=form.remember.data)
            flash(_("Vous êtes connecté."), "success")
            target = safe_next(request.args.get("next")) or url_for("pages.home")
            return follow_member_language(redirect(target), user)
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@limiter.limit(write_limit)
def logout():
    """Log out and revoke the session server-side, so a copied cookie stops working."""
    # CSRFProtect has already checked the token: logout cannot be forced by another site.
    if current_user.is_authenticated:
        end_all_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/users/<int:user_id>")
def profile(user_id: int):
    """A member's public page with their visible posts."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        abort(404)
    query = (
        select(Shop)
        .where(Shop.author_id == user.id)
        .order_by(Shop.created_at.desc(), Shop.id.desc())
    )
    is_owner = current_user.is_authenticated and current_user.id == user.id
    if not is_owner:  # the author also sees posts waiting for, or removed by, moderation
        query = query.where(Shop.status == ShopStatus.VISIBLE.value)
    shops = db.paginate(
        query, page=page_arg(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template("accounts/profile.html", user=user, shops=shops, is_owner=is_owner)


@bp.route("/me")
@login_required
def my_profile():
    """Shortcut to the logged-in member's profile."""
    return redirect(url_for("accounts.profile", user_id=current_user.id))
