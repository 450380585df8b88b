"""Pages reached from mailed links: confirm an email, resend it, reset a forgotten password."""

from __future__ import annotations

import hashlib

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from directory.accounts import lifecycle
from directory.accounts.emails import (
    send_confirmation,
    send_email_changed,
    send_no_account,
    send_password_reset,
)
from directory.accounts.forms import ActionForm, ForgotPasswordForm, ResetPasswordForm
from directory.accounts.permissions import needs_confirmation
from directory.errors import DomainError
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.i18n import follow_member_language

bp = Blueprint("account_links", __name__)

# Mails cost the recipient's attention: a few per hour per visitor, per account and per
# recipient (keyed on a digest of the address the form names).
MAIL_LIMIT = "5 per hour"


def recipient_key(field: str):
    """A Flask-Limiter key function: the address typed in ``field``, normalised and digested."""

    def key() -> str:
        email = (request.form.get(field) or "").strip().lower()
        return "mail-to:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:32]

    return key


def _account_key() -> str:
    """Limit per account too (the per-address limit alone allows one per address)."""
    return f"account:{current_user.id if current_user.is_authenticated else 0}"


def _start_session(user) -> None:
    """Log ``user`` in on a fresh session (nothing planted in the old one survives)."""
    session.clear()
    login_user(user)


def _bad_link(error: DomainError):
    return render_template("accounts/bad_link.html", message=error.message), 400


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@limiter.limit(write_limit, methods=["POST"])
def confirm_link(token: str):
    """Show a button that confirms the address; only the POST confirms.

    Mail scanners open links to check them: a GET that confirmed (and logged in) would let
    them do it in the member's place.
    """
    try:
        user, email = lifecycle.user_for_confirmation(token)
    except DomainError as error:
        db.session.rollback()
        return _bad_link(error)
    form = ActionForm()
    if form.validate_on_submit():
        # Who this browser is, read before an email change rotates the session token.
        viewer = current_user.id if current_user.is_authenticated else None
        try:
            confirmed = lifecycle.confirm_email(token)
        except DomainError as error:
            db.session.rollback()
            return _bad_link(error)
        db.session.commit()
        if confirmed.previous_email:
            send_email_changed(confirmed.previous_email, confirmed.user)
        if viewer == confirmed.user.id:
            _start_session(confirmed.user)  # the new session token of an email change
            flash(_("Merci, votre adresse e-mail est confirmée."), "success")
            target = (
                url_for("settings.index") if confirmed.previous_email else url_for("pages.home")
            )
            return redirect(target)
        # A link never logs in: it could be someone else's, planted to log this browser into
        # their account, and links outlive the sessions a password change ends.
        flash(_("Merci, votre adresse e-mail est confirmée : connectez-vous."), "success")
        return redirect(url_for("accounts.login"))
    change = email != user.email
    return render_template("accounts/confirm.html", form=form, email=email, change=change)


@bp.route("/confirm-email", methods=["GET", "POST"])
@login_required
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"], key_func=_account_key)
def resend_confirmation():
    """Where an unconfirmed member asks for the link again."""
    form = ActionForm()
    member = current_user._get_current_object()
    if form.validate_on_submit() and not member.is_confirmed:
        send_confirmation(member)
        flash(_("Nous avons renvoyé le lien à %(email)s.", email=member.email), "success")
        return redirect(url_for("account_links.resend_confirmation"))
    return render_template(
        "accounts/confirm_pending.html", form=form, pending=needs_confirmation(member)
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"], key_func=recipient_key("email"))
def forgot_password():
    """Mail a reset link, or say there is no account for that address.

    Either way one mail leaves, so neither the answer nor its timing tells who is a member.
    """
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = lifecycle.user_for_password_reset(form.email.data)
        db.session.rollback()  # a read only: end it before talking to the mail server
        if user is not None:
            send_password_reset(user)
        else:
            send_no_account(form.email.data.strip(), get_locale().language)
        flash(
            _(
                "Si un compte existe pour %(email)s, nous venons d'y envoyer un lien pour "
                "choisir un nouveau mot de passe.",
                email=form.email.data.strip(),
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(write_limit, methods=["POST"])
def reset_link(token: str):
    """Choose a new password from a mailed link; every session ends, then this one starts."""
    try:
        lifecycle.user_for_reset_token(token)
    except DomainError as error:
        db.session.rollback()
        return _bad_link(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = lifecycle.reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            if error.field is None:
                return _bad_link(error)
            show_domain_error(form, error)
        else:
            db.session.commit()
            _start_session(user)
            flash(_("Votre mot de passe est changé ; vous êtes connecté."), "success")
            return follow_member_language(redirect(url_for("pages.home")), user)
    status = 400 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form), status
