"""Configuration comes from the environment, with safe defaults only for development."""

import pytest

from directory.config import ConfigError, load_config


def test_secret_key_is_required_outside_development(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_ENV", "production")
    with pytest.raises(ConfigError):
        load_config()


def test_production_uses_secure_cookies_and_the_external_indexer(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("FLASK_ENV", "production")
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
    assert load_config()["SESSION_COOKIE_SECURE"] is True


def test_unknown_search_sync_mode_is_refused(monkeypatch):
    monkeypatch.setenv("SEARCH_SYNC", "sometimes")
    with pytest.raises(ConfigError, match="SEARCH_SYNC"):
        load_config()
