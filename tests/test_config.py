"""Configuration comes from the environment, with safe defaults only for development."""

import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from directory.config import DEVELOPMENT_SECRET_KEY, PROJECT_ROOT, ConfigError, load_config

GUNICORN = Path(sys.executable).parent / "gunicorn"
# What the app and gunicorn.conf.py read: the tests below set them explicitly.
SETTINGS = {
    "FLASK_ENV",
    "APP_ENV",
    "FLASK_DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "SEARCH_INDEX_DIR",
    "SEARCH_SYNC",
    "PROXY_FIX",
    "PORT",
    "HOST",
    "WEB_CONCURRENCY",
    "PUBLIC_URL",
}
PUBLIC_URL = "https://bonnes-adresses.example"


def test_secret_key_is_required_outside_development(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_ENV", "production")
    with pytest.raises(ConfigError):
        load_config()


def test_production_uses_secure_cookies_and_the_external_indexer(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("PUBLIC_URL", PUBLIC_URL)
    monkeypatch.delenv("SEARCH_SYNC", raising=False)
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SEARCH_SYNC"] == "worker"


def test_development_defaults_to_embedded_sqlite(monkeypatch):
    for name in ("DATABASE_URL", "SECRET_KEY", "FLASK_ENV", "APP_ENV", "PORT"):
        monkeypatch.delenv(name, raising=False)
    config = load_config()
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["PORT"] == 5000


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_use_psycopg3(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    assert load_config()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_environment_sets_index_dir_and_port(monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path))
    monkeypatch.setenv("PORT", "8123")
    config = load_config()
    assert (config["SEARCH_INDEX_DIR"], config["PORT"]) == (str(tmp_path), 8123)


def test_any_environment_but_development_is_treated_as_production(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "staging")
    monkeypatch.delenv("FLASK_ENV", raising=False)
    with pytest.raises(ConfigError):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("PUBLIC_URL", PUBLIC_URL)
    assert load_config()["SESSION_COOKIE_SECURE"] is True


def test_production_needs_the_public_url_of_mailed_links(monkeypatch):
    """Links in mails are not built from the Host header there (reset link poisoning)."""
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    with pytest.raises(ConfigError, match="PUBLIC_URL must be set"):
        load_config()
    monkeypatch.setenv("PUBLIC_URL", "bonnes-adresses.example")
    with pytest.raises(ConfigError, match="PUBLIC_URL must be the site's address"):
        load_config()
    monkeypatch.setenv("PUBLIC_URL", PUBLIC_URL + "/")
    assert load_config()["PUBLIC_URL"] == PUBLIC_URL


def test_unknown_search_sync_mode_is_refused(monkeypatch):
    monkeypatch.setenv("SEARCH_SYNC", "sometimes")
    with pytest.raises(ConfigError, match="SEARCH_SYNC"):
        load_config()


def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    with pytest.raises(ConfigError, match="SECRET_KEY is the development key"):
        load_config()


@pytest.mark.parametrize("value", ["1", "true", "on"])
def test_production_refuses_debug_mode(monkeypatch, value):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("FLASK_DEBUG", value)
    with pytest.raises(ConfigError, match="FLASK_DEBUG"):
        load_config()


def test_production_refuses_debug_mode_asked_for_in_the_overrides(monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="Debug mode"):
        load_config({"DEBUG": True})


def test_development_may_debug_with_its_own_key(monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "development")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert load_config()["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY


@pytest.mark.parametrize(("value", "hops"), [("", 0), ("0", 0), ("1", 1), ("2", 2)])
def test_proxy_fix_counts_the_trusted_proxies(monkeypatch, value, hops):
    monkeypatch.setenv("PROXY_FIX", value)
    assert load_config()["PROXY_FIX"] == hops


@pytest.mark.parametrize("value", ["yes", "-1", "1.5"])
def test_proxy_fix_must_be_a_number_of_proxies(monkeypatch, value):
    monkeypatch.setenv("PROXY_FIX", value)
    with pytest.raises(ConfigError, match="PROXY_FIX"):
        load_config()


def test_no_proxy_fix_by_default(monkeypatch):
    monkeypatch.delenv("PROXY_FIX", raising=False)
    assert load_config()["PROXY_FIX"] == 0


# --- gunicorn, as `make serve` starts it -------------------------------------------------------


def gunicorn(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run gunicorn with the project's gunicorn.conf.py, the environment replaced by ``env``."""
    base = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    return subprocess.run(  # noqa: S603 - our own gunicorn, arguments written here
        [str(GUNICORN), "-c", "gunicorn.conf.py", *args],
        cwd=PROJECT_ROOT,
        env=base | {"PORT": "0"} | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FLASK_ENV": "production"}, "SECRET_KEY must be set outside development"),
        (
            {"FLASK_ENV": "production", "SECRET_KEY": DEVELOPMENT_SECRET_KEY},
            "SECRET_KEY is the development key",
        ),
        ({"FLASK_ENV": "production", "SECRET_KEY": "s3cret", "FLASK_DEBUG": "1"}, "Debug mode"),
    ],
    ids=["no-secret", "development-secret", "debug"],
)
def test_gunicorn_refuses_to_start_on_a_development_configuration(env, message):
    result = gunicorn(env)
    assert result.returncode != 0
    assert f"Refusing to start: {message}" in result.stderr


def production_env(tmp_path) -> dict:
    return {
        "FLASK_ENV": "production",
        "SECRET_KEY": "a real secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "PUBLIC_URL": PUBLIC_URL,
    }


def test_gunicorn_loads_the_app_with_a_production_configuration(tmp_path):
    """Control for the test above: the same command with a real secret gets past the checks."""
    result = gunicorn(production_env(tmp_path), "--check-config")
    assert result.returncode == 0, result.stderr


def printed_setting(output: str, name: str) -> str:
    return re.search(rf"^{name}\s*=\s*(.*)$", output, re.M).group(1).strip()


def test_gunicorn_serves_on_port_with_workers_from_web_concurrency(tmp_path):
    env = production_env(tmp_path) | {"PORT": "5077", "WEB_CONCURRENCY": "3"}
    output = gunicorn(env, "--print-config").stdout
    assert printed_setting(output, "workers") == "3"
    assert printed_setting(output, "bind") == "['127.0.0.1:5077']"
    assert printed_setting(output, "wsgi_app") == "app:create_app()"
    assert printed_setting(output, "accesslog") == "-"


def test_gunicorn_runs_two_workers_per_core_plus_one_by_default(tmp_path):
    output = gunicorn(production_env(tmp_path), "--print-config").stdout
    assert printed_setting(output, "workers") == str(2 * multiprocessing.cpu_count() + 1)
