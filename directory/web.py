"""Wiring of the web layer: login loading, error pages, template helpers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from directory.accounts.forms import ActionForm
from directory.accounts.redirects import safe_next
from directory.accounts.services import load_user_by_session_token
from directory.extensions import db, login_manager
from directory.i18n import without_lang

# The largest PostgreSQL INTEGER (SQLite stops at 2**63 - 1): a bigger id in a URL made the
# query itself fail with a 500.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in our URLs: an id no table can hold matches no route (404, not 500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_DATABASE_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PrintableConverter(UnicodeConverter):
    """Path segments with control characters (PostgreSQL refuses NUL) match no route."""

    def to_python(self, value: str) -> str:
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValidationError
        return value


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def page_path() -> str:
    """Where the user is, as a URL they can come back to with a GET.

    A page rendered by a POST (a form shown again with its errors) is at a URL that may not
    answer GET (``/shops/1/tips``): fall back to the page the form was on, then to the home page.
    """
    if request.method == "GET":
        path = request.full_path.rstrip("?")
    elif request.url_rule is not None and "GET" in request.url_rule.methods:
        path = request.path
    else:
        path = _same_site_referrer() or "/"
    return without_lang(path)


def _same_site_referrer() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def _login_redirect():
    """Anonymous users go to the login page and come back to where they were.

    A POST (a vote button) cannot be replayed after login, so it comes back to the page the
    button was on instead.
    """
    if _wants_json():
        return jsonify(error={"field": None, "message": "authentication required"}), 401
    target = safe_next(request.form.get("next")) if request.method != "GET" else None
    flash(_("Connectez-vous pour continuer."), "info")
    return redirect(url_for("accounts.login", next=target or page_path()))


def _error_page(error: HTTPException):
    if _wants_json():
        message = error.description or error.name
        return jsonify(error={"field": None, "message": message}), error.code
    if isinstance(error, CSRFError):
        message = _("Le formulaire a expiré ou n'a pas été envoyé par ce site. Réessayez.")
    else:
        message = None
    return render_template("error.html", error=error, message=message), error.code


def _server_error(_error):
    db.session.rollback()
    if _wants_json():
        return jsonify(error={"field": None, "message": "internal error"}), 500
    return render_template("error.html", error=None, message=None), 500


def init_web(app: Flask) -> None:
    """Register login loading, error handlers and template globals on ``app``."""
    # Before the blueprints register their rules, so every route uses these converters.
    app.url_map.converters.update(
        int=DatabaseIdConverter, default=PrintableConverter, string=PrintableConverter
    )
    login_manager.user_loader(load_user_by_session_token)
    login_manager.unauthorized_handler(_login_redirect)
    login_manager.login_message = _l("Connectez-vous pour continuer.")
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(500, _server_error)

    @app.context_processor
    def _template_helpers():
        return {
            # formdata=None: this form only carries a token, and must not read the request body
            # (an error page for a body too large would otherwise fail while rendering).
            "action_form": ActionForm(formdata=None),
            "current_path": page_path(),
            "get_locale": get_locale,
        }
