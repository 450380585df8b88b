"""Home page, about/sources and privacy pages, language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from directory.accounts.redirects import safe_next
from directory.i18n import remember_language, without_lang
from directory.pagination import choice_arg
from directory.shops.ranking import SORTS
from directory.shops.services import categories, visible_shops
from directory.shops.views import paginated

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    """The best-ranked recent recommendations, with the categories to browse."""
    sort = choice_arg("sort", SORTS, "hot")
    return render_template(
        "pages/home.html",
        shops=paginated(visible_shops(sort)),
        sort=sort,
        categories=categories(),
    )


@bp.route("/about")
def about():
    """What the site is, and the sources and licences of its data."""
    return render_template("pages/about.html")


@bp.route("/privacy")
def privacy():
    """What the site keeps about members, and how to see, correct or erase it."""
    return render_template("pages/privacy.html")


@bp.route("/lang/<code>")
def set_language(code: str):
    """Remember the chosen interface language in a cookie and go back."""
    target = safe_next(request.args.get("next"))
    response = redirect(without_lang(target) if target else url_for("pages.home"))
    if code in current_app.config["LANGUAGES"]:
        remember_language(response, code)
    return response
