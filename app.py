"""Composition root: ``create_app`` builds the Bonnes Adresses web application."""

from __future__ import annotations

from flask import Flask

from directory import models  # noqa: F401 - registers every model on the metadata
from directory.accounts.links_views import bp as account_links_bp
from directory.accounts.mail import mail
from directory.accounts.settings_views import bp as settings_bp
from directory.accounts.throttle import init_login_throttle
from directory.accounts.views import bp as accounts_bp
from directory.api.views import bp as api_bp
from directory.config import INSTANCE_DIR, PROJECT_ROOT, load_config
from directory.database import configure_sqlite
from directory.embed.views import bp as embed_bp
from directory.extensions import babel, csrf, db, limiter, login_manager, migrate
from directory.feeds.views import bp as feeds_bp
from directory.health.views import bp as health_bp
from directory.i18n import keep_explicit_language, select_locale
from directory.merchants.claim_views import bp as claims_bp
from directory.merchants.views import bp as merchants_bp
from directory.moderation.cli import init_moderation_cli
from directory.moderation.flag_views import bp as flags_bp
from directory.moderation.views import bp as moderation_bp
from directory.opendata.views import bp as opendata_bp
from directory.pages.views import bp as pages_bp
from directory.products.views import bp as products_bp
from directory.search.bridge import init_search_sync
from directory.search.cli import init_search_cli
from directory.search.views import bp as search_bp
from directory.seeding.cli import init_cli
from directory.seo.views import bp as seo_bp
from directory.shops.views import bp as shops_bp
from directory.tips.views import bp as tips_bp
from directory.votes.views import bp as votes_bp
from directory.web import init_web

BLUEPRINTS = (
    pages_bp,
    accounts_bp,
    account_links_bp,
    settings_bp,
    moderation_bp,
    flags_bp,
    claims_bp,
    merchants_bp,
    shops_bp,
    votes_bp,
    tips_bp,
    products_bp,
    search_bp,
    api_bp,
    opendata_bp,
    feeds_bp,
    embed_bp,
    health_bp,
    seo_bp,
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides the environment (tests pass their database here)."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(config))
    INSTANCE_DIR.mkdir(exist_ok=True)

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    init_login_throttle(app)
    mail.init_app(app)

    init_web(app)
    app.after_request(keep_explicit_language)
    init_search_sync(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    init_cli(app)
    init_search_cli(app)
    init_moderation_cli(app)
    return app
