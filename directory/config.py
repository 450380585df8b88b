"""Application configuration, read from the environment in one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


class ConfigError(RuntimeError):
    """Raised when the environment does not provide a usable configuration."""


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'bonnes_adresses.sqlite3'}"
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


DEVELOPMENT_ENVIRONMENTS = ("development", "testing")
DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - development default only
TRUE_VALUES = ("1", "true", "yes", "on")


def _refuse_development_settings(env: str, secret: str, overrides: dict) -> None:
    """Production must not start with the development secret or the debugger on."""
    if secret == DEVELOPMENT_SECRET_KEY:
        raise ConfigError(
            f"SECRET_KEY is the development key: set a secret of your own (FLASK_ENV={env})."
        )
    debug = overrides.get("DEBUG", os.environ.get("FLASK_DEBUG", "").strip().lower())
    if debug is True or debug in TRUE_VALUES:
        raise ConfigError(
            f"Debug mode runs code sent by visitors: unset FLASK_DEBUG outside development "
            f"(FLASK_ENV={env})."
        )


def _proxy_hops() -> int:
    value = os.environ.get("PROXY_FIX", "0").strip() or "0"
    if not value.isdigit():
        raise ConfigError("PROXY_FIX must be the number of reverse proxies in front (0 for none).")
    return int(value)


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number (0 or more).")
    return int(value)


SEARCH_SYNC_MODES = ("request", "worker")
OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
GEOCODERS = ("none", "nominatim", "ban")


def _geocoder() -> str:
    name = os.environ.get("GEOCODER", "").strip().lower() or "none"
    if name not in GEOCODERS:
        raise ConfigError(f"GEOCODER must be one of {', '.join(GEOCODERS)}.")
    return name


def _public_url(production: bool, testing: bool) -> str | None:
    """The site's address for links in mails; production needs it (see accounts/emails.py)."""
    url = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError("PUBLIC_URL must be the site's address, such as https://example.org.")
    if not url and production and not testing:
        raise ConfigError(
            "PUBLIC_URL must be set outside development: mailed links are built on it."
        )
    return url or None


def _flag(name: str, *, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in TRUE_VALUES


def _mail_settings(production: bool) -> dict:
    """Flask-Mailman settings: SMTP from the environment, a file backend in development."""
    server = os.environ.get("MAIL_SERVER", "").strip()
    backend = "smtp" if (production or server) else "file"
    return {
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", backend),
        "MAIL_FILE_PATH": str(INSTANCE_DIR / "mail"),
        "MAIL_SERVER": server or "localhost",
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587") or "587"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", default=bool(server)),
        "MAIL_TIMEOUT": 10,
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Bonnes Adresses <noreply@bonnes-adresses.local>"
        ),
    }


def load_config(overrides: dict | None = None) -> dict:
    """Return the configuration mapping: defaults, then the environment, then ``overrides``.

    ``FLASK_ENV``/``APP_ENV`` default to development (for ``make run``); any other value, such
    as ``production`` or ``staging``, is treated as production: secret key required, secure
    cookies, the external search indexer.
    """
    env = os.environ.get("FLASK_ENV") or os.environ.get("APP_ENV") or "development"
    production = env not in DEVELOPMENT_ENVIRONMENTS
    overrides = dict(overrides or {})
    testing = bool(overrides.get("TESTING"))
    secret = os.environ.get("SECRET_KEY")
    if not secret and "SECRET_KEY" not in overrides:
        if production and not testing:
            raise ConfigError(f"SECRET_KEY must be set outside development (FLASK_ENV={env}).")
        secret = DEVELOPMENT_SECRET_KEY
    if production and not testing:
        _refuse_development_settings(env, overrides.get("SECRET_KEY", secret), overrides)
    search_sync = os.environ.get("SEARCH_SYNC", "worker" if production else "request")
    if search_sync not in SEARCH_SYNC_MODES:
        raise ConfigError(f"SEARCH_SYNC must be one of {', '.join(SEARCH_SYNC_MODES)}.")
    config = {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search_index")),
        # Members' uploads (shop-window photos under products/), re-encoded by the server.
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", "").strip() or str(INSTANCE_DIR / "uploads"),
        "PORT": int(os.environ.get("PORT", "5000")),
        # Links in mails start with this address (production); else with the request's host.
        "PUBLIC_URL": _public_url(production, testing),
        # "request": drain the search outbox after each writing request (development, tests);
        # "worker": leave it to `flask search-indexer`, one process (production).
        "SEARCH_SYNC": search_sync,
        # /healthz fails when the oldest pending outbox row is older than this.
        "SEARCH_MAX_LAG_SECONDS": 300,
        # Below this, /healthz says index_disk_full: the indexer's next merge may not fit.
        "SEARCH_MIN_FREE_MB": _count("SEARCH_MIN_FREE_MB", 64),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": ("fr", "nl", "en"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down: each worker limits in its own memory until Redis answers again (README).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "WRITE_RATE_LIMIT": os.environ.get("WRITE_RATE_LIMIT", "30 per minute"),
        # Failed logins per account (any address) before a back-off: see accounts/throttle.py.
        "LOGIN_THROTTLE_ENABLED": _flag("LOGIN_THROTTLE_ENABLED", default=True),
        "LOGIN_FAILURE_LIMITS": os.environ.get(
            "LOGIN_FAILURE_LIMITS", "5 per minute; 10 per 10 minutes"
        ),
        "PER_PAGE": 20,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Reverse proxies whose X-Forwarded-For/Proto/Host/Port/Prefix are trusted (ProxyFix).
        "PROXY_FIX": _proxy_hops(),
        # Argon2id parameters: the library's defaults (RFC 9106 low-memory profile).
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "WTF_CSRF_TIME_LIMIT": None,
        # Mail: SMTP in production; development writes each message under instance/mail.
        **_mail_settings(production),
        # Unconfirmed members may browse and vote; posting waits for the link unless this is 0.
        "REQUIRE_EMAIL_CONFIRMATION": _flag("REQUIRE_EMAIL_CONFIRMATION", default=True),
        # How many of a member's posts a moderator approves before theirs publish at once
        # (0: every post publishes at once); see directory/moderation/trust.py.
        "NEW_MEMBER_REVIEW_POSTS": _count("NEW_MEMBER_REVIEW_POSTS", 1),
        # How long a mailed link (confirmation, password reset) stays valid.
        "EMAIL_TOKEN_MAX_AGE": 2 * 24 * 3600,
        # Map tiles: OpenStreetMap's standard tiles by default, with the attribution their
        # tile usage policy requires. The page works without them (markers and the list).
        "TILE_URL": os.environ.get("TILE_URL", "").strip() or OSM_TILE_URL,
        "TILE_ATTRIBUTION": os.environ.get("TILE_ATTRIBUTION", "").strip() or OSM_ATTRIBUTION,
        # What "now" is for opening hours (directory.timeutil.current_moment): None is the system
        # clock; tests set a callable returning an aware datetime.
        "CLOCK": None,
        # Online geocoding of a posted address (through geopy): off unless asked for.
        "GEOCODER": _geocoder(),
        # Another address for that service (``http://127.0.0.1:8080``: a mirror, or a test's
        # loopback server); empty means the service's public one.
        "GEOCODER_URL": os.environ.get("GEOCODER_URL", "").strip().rstrip("/") or None,
        # Nominatim's usage policy asks for an identifying user agent.
        "GEOCODER_USER_AGENT": os.environ.get("GEOCODER_USER_AGENT", "").strip()
        or "bonnes-adresses/1.0",
        # Seconds a posting waits for the geocoder before placing the shop at its town's centre.
        "GEOCODER_TIMEOUT": 3,
    }
    if production:
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    config.update(overrides)
    return config
