"""Wiring of the web layer: login loading, error pages, template helpers."""

from __future__ import annotations

import math
import time
from datetime import datetime
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from directory.accounts.forms import ActionForm
from directory.accounts.permissions import needs_confirmation
from directory.accounts.redirects import safe_next
from directory.accounts.services import load_user_by_session_token
from directory.extensions import db, limiter, login_manager
from directory.i18n import around, distance_km, number, relative_date, without_lang
from directory.security import init_security

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
    """Where the user is, as a local URL they can come back to with a GET.

    A page rendered by a POST (a form shown again with its errors) is at a URL that may not
    answer GET (``/shops/1/tips``): fall back to the page the form was on, then to the home page.
    """
    if request.method == "GET":
        path = request.full_path.rstrip("?")
    elif request.url_rule is not None and "GET" in request.url_rule.methods:
        path = request.path
    else:
        path = _same_site_referrer()
    # A requested path such as ``//[x/`` (a 404) is no link to come back to, nor parsable.
    return without_lang(safe_next(path) or "/")


def _same_site_referrer() -> str | None:
    """The local path of the Referer when it is a page of this site, else None.

    The header is whatever the client sent: one that cannot be parsed (``http://[x/``, where
    ``urlsplit`` raises ValueError on the brackets) counts as no Referer at all.
    """
    try:
        referrer = urlsplit(request.referrer or "")
    except ValueError:
        return None
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


# The answer when even the error page cannot be rendered (a broken template, a request so
# malformed that no URL can be built): plain HTML that needs nothing but the status code.
STATIC_ERROR_PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>{code} · Bonnes Adresses</title></head>
<body>
<h1>{code}</h1>
<p>Une erreur s'est produite. Réessayez dans un instant.</p>
<p><a href="/">Retour à l'accueil</a></p>
</body>
</html>
"""


def static_error_page(code: int) -> Response:
    """A minimal error page built without templates, translations or URL building."""
    return Response(STATIC_ERROR_PAGE.format(code=int(code)), status=code, mimetype="text/html")


def retry_after_seconds(error: HTTPException | None) -> int | None:
    """For a 429: how many seconds until the client may try again, when known."""
    if error is None or error.code != 429:
        return None
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, datetime):
        return max(1, math.ceil((retry_after - datetime.now(retry_after.tzinfo)).total_seconds()))
    if isinstance(retry_after, int):
        return max(1, retry_after)
    limit = limiter.current_limit
    if limit is None:
        return None
    # Rounded as Flask-Limiter rounds its Retry-After header, so the page and the header agree.
    return max(1, int(limit.reset_at - time.time()))


def render_error_page(code: int, error: HTTPException | None = None, message: str | None = None):
    """The friendly error page in the site's layout; the static one if that fails."""
    try:
        page = render_template(
            "error.html",
            code=code,
            message=message,
            retry_after=retry_after_seconds(error),
        )
    except Exception:  # an error page must answer, whatever went wrong
        current_app.logger.exception("The %s error page could not be rendered", code)
        return static_error_page(code)
    return page, code


def _error_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers the error itself carries (``Allow`` on a 405), without its body's type."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def _error_page(error: HTTPException):
    code = error.code or 500
    if _wants_json():
        message = error.description or error.name
        return jsonify(error={"field": None, "message": message}), code, _error_headers(error)
    if isinstance(error, CSRFError):
        message = _("Le formulaire a expiré ou n'a pas été envoyé par ce site. Réessayez.")
    else:
        message = None
    page = render_error_page(code, error, message)
    if isinstance(page, Response):  # the static fallback page
        page.headers.extend(_error_headers(error))
        return page
    return (*page, _error_headers(error))


def _server_error(_error):
    try:
        db.session.rollback()
    except Exception:  # the database may be what failed
        current_app.logger.exception("Rollback failed while answering a server error")
    if _wants_json():
        return jsonify(error={"field": None, "message": "internal error"}), 500
    return render_error_page(500)


# Seconds a client is asked to wait when the database cannot be reached (a restart takes a few).
DATABASE_RETRY_AFTER_S = 5


def _database_unavailable(error: Exception):
    """The database cannot be reached (restarting, or down): 503, and retry shortly.

    Nothing was written: the request's transaction is rolled back, and the pool's pre-ping
    replaces the broken connections once the database is back.
    """
    current_app.logger.warning("Database unavailable: %s", error)
    try:
        db.session.rollback()
    except Exception:  # the database may refuse the rollback too
        current_app.logger.debug("Rollback failed while the database is unavailable")
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER_S)}
    if _wants_json():
        message = "the database is unavailable, retry shortly"
        return jsonify(error={"field": None, "message": message}), 503, headers
    page = render_error_page(503)
    if isinstance(page, Response):
        page.headers.update(headers)
        return page
    return (*page, headers)


def _close_session(_error: BaseException | None) -> None:
    """End the request's session even when its connection died under it.

    Flask-SQLAlchemy's own teardown closes the session with a ROLLBACK; on a connection the
    database dropped meanwhile (a PostgreSQL restart terminates every session) that ROLLBACK
    raises after the page was made, and gunicorn answered 500. The database rolls back what
    a dropped connection had begun, so the connection is thrown away instead (the pool opens
    a new one), and the page already made goes out.
    """
    try:
        db.session.remove()
    except (OperationalError, DisconnectionError) as error:
        current_app.logger.warning("Database connection lost at the end of a request: %s", error)
        db.session().invalidate()
        db.session.remove()


def favicon():
    """``/favicon.ico``, asked for by browsers and feed readers whatever the page links to."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon"
    )


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
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(DisconnectionError, _database_unavailable)
    # Registered after Flask-SQLAlchemy's teardown, so it runs first (Flask runs them last
    # registered first): the session is closed here, and theirs finds nothing left to close.
    app.teardown_appcontext(_close_session)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    init_security(app)

    app.add_template_filter(distance_km, "km")
    app.add_template_filter(number, "number")
    app.add_template_filter(relative_date, "ago")

    @app.context_processor
    def _template_helpers():
        return {
            # formdata=None: this form only carries a token, and must not read the request body
            # (an error page for a body too large would otherwise fail while rendering).
            "action_form": ActionForm(formdata=None),
            "around": around,
            "current_path": page_path(),
            "get_locale": get_locale,
            "needs_confirmation": needs_confirmation,
        }
