"""A member's claim on a listing: the evidence form (``/shops/<id>/claim``), the page of the
claim (``/claims/<id>``), the code mailed to the shop's address, and the claim's buttons
(send a new code, send on without it, withdraw). Moderators decide from the review queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory.accounts.links_views import MAIL_LIMIT, recipient_key
from directory.errors import DomainError, NotFound, TooManyAttempts
from directory.extensions import db, limiter, write_limit
from directory.forms import show_domain_error
from directory.merchants import claims
from directory.merchants.claim_emails import send_claim_code
from directory.merchants.claim_forms import ClaimCodeForm, ClaimForm
from directory.merchants.models import CLAIM_NOTE_MAX_LENGTH, Claim, ClaimStatus
from directory.shops.services import get_visible_shop, merged_into

bp = Blueprint("claims", __name__)
# The shop page asks which claim link to show; the review queue shows each claim's evidence.
bp.add_app_template_global(claims.claim_link)
bp.add_app_template_global(claims.claim_evidence)

# Claims cost moderators' time, and a claim with an email sends a mail: a few an hour per
# member and per address (the per-recipient mail limit comes on top).
CLAIM_LIMIT = "10 per hour"
# Each code allows CODE_MAX_ATTEMPTS tries; this bounds the tries over every code of an account.
CODE_LIMIT = "30 per hour"


def _member_key() -> str:
    """A Flask-Limiter key function: the logged-in account (the address has its own limit)."""
    return f"claimant:{current_user.id if current_user.is_authenticated else 0}"


def _no_email() -> bool:
    # A claim without an email mails nobody: it must not share the empty address's counter.
    return not (request.form.get("email") or "").strip()


def _own_claim(claim_id: int) -> Claim:
    try:
        return claims.own_claim(current_user._get_current_object(), claim_id)
    except NotFound:
        abort(404)
    except DomainError as error:
        abort(error.status_code)


def _flash_code_sent(claim: Claim, sent: bool) -> None:
    if sent:
        flash(
            _(
                "Nous avons envoyé un code à %(email)s : saisissez-le ci-dessous.",
                email=claim.email,
            ),
            "success",
        )
    else:
        flash(
            _(
                "L'e-mail n'a pas pu être envoyé. Demandez un nouveau code dans un instant, ou "
                "envoyez la demande sans code."
            ),
            "error",
        )


@bp.route("/shops/<int:shop_id>/claim", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@limiter.limit(CLAIM_LIMIT, methods=["POST"])
@limiter.limit(CLAIM_LIMIT, methods=["POST"], key_func=_member_key)
@limiter.limit(MAIL_LIMIT, methods=["POST"], key_func=recipient_key("email"), exempt_when=_no_email)
def new(shop_id: int):
    """The evidence form; a claim with an email goes on to the code, one without to review."""
    kept = merged_into(shop_id)
    if kept is not None and request.method == "GET":
        return redirect(url_for("claims.new", shop_id=kept.id), 301)
    try:
        shop = get_visible_shop(shop_id)
    except NotFound:
        abort(404)
    member = current_user._get_current_object()
    link = claims.claim_link(member, shop)
    shop_url = url_for("shops.detail", shop_id=shop.id, slug=shop.slug)
    if link.state == "merchant":
        flash(_("Vous gérez déjà cette fiche."), "info")
        return redirect(shop_url)
    if link.claim is not None:
        flash(_("Vous avez déjà une demande en cours pour cette fiche."), "info")
        return redirect(url_for("claims.show", claim_id=link.claim.id))
    form = ClaimForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            started = claims.start_claim(
                member, shop.id, form.email.data, form.phone.data, form.note.data
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            status = error.status_code
        else:
            db.session.commit()
            if started.code is not None:
                _flash_code_sent(started.claim, send_claim_code(started.claim, started.code))
                return redirect(url_for("claims.code", claim_id=started.claim.id))
            flash(_("Merci : votre demande est en cours d'examen par la modération."), "success")
            return redirect(url_for("claims.show", claim_id=started.claim.id))
    return render_template(
        "merchants/claim_form.html",
        form=form,
        shop=shop,
        shop_url=shop_url,
        domain=claims.website_domain(shop),
        note_max=CLAIM_NOTE_MAX_LENGTH,
    ), status


@bp.route("/claims/<int:claim_id>")
@login_required
def show(claim_id: int):
    """The claimant's page of their claim: its state, the evidence given, what comes next."""
    claim = _own_claim(claim_id)
    return render_template("merchants/claim_status.html", claim=claim, superseded=claims.SUPERSEDED)


@bp.route("/claims/<int:claim_id>/code", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@limiter.limit(CODE_LIMIT, methods=["POST"], key_func=_member_key)
def code(claim_id: int):
    """Enter the code mailed to the shop's address: the email is then verified."""
    claim = _own_claim(claim_id)
    if claim.status != ClaimStatus.AWAITING_CODE.value:
        return redirect(url_for("claims.show", claim_id=claim.id))
    member = current_user._get_current_object()
    form = ClaimCodeForm()
    status = 400 if request.method == "POST" else 200
    headers = {}
    if form.validate_on_submit():
        try:
            claims.count_code_attempt(member, claim.id)
            db.session.commit()  # the try counts even when the code is wrong
            claims.confirm_code(member, claim.id, form.code.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            status = error.status_code
            if isinstance(error, TooManyAttempts):
                headers["Retry-After"] = str(error.retry_after)
        else:
            db.session.commit()
            flash(_("Adresse vérifiée : votre demande est transmise à la modération."), "success")
            return redirect(url_for("claims.show", claim_id=claim.id))
    return (
        render_template(
            "merchants/claim_code.html",
            form=form,
            claim=claim,
            minutes=int(claims.CODE_MAX_AGE.total_seconds() // 60),
        ),
        status,
        headers,
    )


def _run(claim_id: int, operation):
    """Run one of the claim's buttons and commit; on a refusal, flash why and return None."""
    _own_claim(claim_id)
    try:
        result = operation(current_user._get_current_object(), claim_id)
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    db.session.commit()
    return result


@bp.route("/claims/<int:claim_id>/resend", methods=["POST"])
@login_required
@limiter.limit(MAIL_LIMIT)
@limiter.limit(MAIL_LIMIT, key_func=_member_key)
def resend(claim_id: int):
    """Mail a new code (the previous one stops working)."""
    started = _run(claim_id, claims.resend_code)
    if started is not None:
        _flash_code_sent(started.claim, send_claim_code(started.claim, started.code))
    return redirect(url_for("claims.code", claim_id=claim_id))


@bp.route("/claims/<int:claim_id>/send", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def send_on(claim_id: int):
    """Send the claim to the moderators without the code (the email shows as unverified)."""
    if _run(claim_id, claims.send_without_code) is not None:
        flash(_("Votre demande est transmise à la modération, sans le code."), "success")
    return redirect(url_for("claims.show", claim_id=claim_id))


@bp.route("/claims/<int:claim_id>/withdraw", methods=["POST"])
@login_required
@limiter.limit(write_limit)
def withdraw(claim_id: int):
    """Take the claim back while it waits."""
    if _run(claim_id, claims.withdraw_claim) is not None:
        flash(_("Demande retirée."), "success")
    return redirect(url_for("claims.show", claim_id=claim_id))
