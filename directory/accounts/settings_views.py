"""The member's settings: profile, email, password, download my data, delete my account.

One page holds every form; each form posts to its own URL and, on error, the page comes back
with that form's input and messages, the other forms fresh.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from directory.accounts import lifecycle
from directory.accounts.emails import send_already_registered, send_confirmation
from directory.accounts.forms import (
    DeleteAccountForm,
    EmailChangeForm,
    PasswordChangeForm,
    ProfileForm,
)
from directory.accounts.links_views import MAIL_LIMIT, recipient_key
from directory.accounts.throttle import login_throttle
from directory.errors import DomainError, TooManyAttempts
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.i18n import follow_member_language, forget_language

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _member():
    return current_user._get_current_object()


def _page(status: int = 200, **forms: FlaskForm):
    member = _member()
    forms.setdefault(
        "profile_form",
        ProfileForm(data={"display_name": member.display_name, "language": member.language or ""}),
    )
    forms.setdefault("email_form", EmailChangeForm(formdata=None))
    forms.setdefault("password_form", PasswordChangeForm(formdata=None))
    forms.setdefault("delete_form", DeleteAccountForm(formdata=None))
    return render_template("accounts/settings.html", **forms), status


def _refused(error: DomainError, form: FlaskForm, name: str):
    db.session.rollback()
    show_domain_error(form, error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyAttempts) else {}
    page, _status = _page(**{name: form})
    return page, error.status_code if error.status_code in (409, 429) else 400, headers


@bp.route("")
@login_required
def index():
    """The settings page."""
    return _page()


@bp.route("/profile", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def profile():
    """Change the display name and the language."""
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(400, profile_form=form)
    try:
        member = lifecycle.update_profile(
            _member(),
            form.display_name.data,
            form.language.data,
            current_app.config["LANGUAGES"],
        )
    except DomainError as error:
        return _refused(error, form, "profile_form")
    db.session.commit()
    flash(_("Vos réglages sont enregistrés."), "success")
    response = redirect(url_for("settings.index"))
    if member.language is None:  # "the browser's": the browser's wish counts again
        forget_language(response)
    return follow_member_language(response, member)


@bp.route("/email", methods=["POST"])
@login_required
@limiter.limit(MAIL_LIMIT)
@limiter.limit(MAIL_LIMIT, key_func=recipient_key("new_email-email"))
def email():
    """Ask to change the email: the new address must confirm it before it counts."""
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return _page(400, email_form=form)
    try:
        change = lifecycle.request_email_change(
            _member(), form.email.data, form.current_password.data, login_throttle()
        )
    except DomainError as error:
        return _refused(error, form, "email_form")
    db.session.rollback()  # nothing changed yet; end the read before mailing
    if change.token is None:
        send_already_registered(change.email, change.owner, None)
    else:
        send_confirmation(_member(), change.email)
    flash(
        _(
            "Nous avons envoyé un lien à %(email)s : votre adresse changera quand vous "
            "l'aurez suivi.",
            email=change.email,
        ),
        "success",
    )
    return redirect(url_for("settings.index"))


@bp.route("/password", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def password():
    """Change the password; sessions on other devices end, this one goes on."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _page(400, password_form=form)
    try:
        member = lifecycle.change_password(
            _member(), form.current_password.data, form.password.data, login_throttle()
        )
    except DomainError as error:
        return _refused(error, form, "password_form")
    db.session.commit()
    session.clear()
    login_user(member)  # the new session token: copies of the old cookies stop working
    flash(_("Votre mot de passe est changé ; vos autres sessions sont fermées."), "success")
    return redirect(url_for("settings.index"))


@bp.route("/export")
@login_required
@limiter.limit(write_limit)
def export():
    """Download everything the site holds about the member, as JSON."""
    data = lifecycle.export_data(_member())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="bonnes-adresses-mes-donnees.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/delete", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def delete():
    """Delete the account, then log out."""
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(400, delete_form=form)
    try:
        lifecycle.delete_account(_member(), form.current_password.data, login_throttle())
    except DomainError as error:
        return _refused(error, form, "delete_form")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Votre compte est supprimé. Merci d'avoir partagé vos bonnes adresses."), "success")
    return redirect(url_for("pages.home"))
