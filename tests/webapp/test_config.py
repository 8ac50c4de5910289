import pytest

from tests.conftest import app_config
from webapp import create_app
from webapp.config import ConfigError, from_environment, normalize_database_url, validate


def _production(**env):
    config = from_environment({"KYODO_ENV": "production", **env}, "/tmp/kyodo-instance")
    return config


def test_production_refuses_a_missing_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        validate(_production())


@pytest.mark.parametrize("secret", ["dev", "change-me", "development-only-secret", "short-but-random-1234"])
def test_production_refuses_default_or_short_secrets(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        validate(_production(SECRET_KEY=secret))


def test_production_accepts_a_real_secret():
    validate(_production(SECRET_KEY="9f" * 32))


def test_create_app_refuses_to_start_in_production_with_the_default_secret(database_url, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(app_config(database_url, KYODO_ENV="production", SECRET_KEY="development-only-secret"))


def test_development_runs_without_a_secret():
    config = from_environment({"KYODO_ENV": "development"}, "/tmp/x")
    validate(config)
    assert config["SECRET_KEY"]
    assert config["DEBUG"] is True


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="KYODO_ENV"):
        validate(from_environment({"KYODO_ENV": "staging", "SECRET_KEY": "x" * 40}, "/tmp/x"))


def test_fast_password_hashing_is_refused_in_production():
    with pytest.raises(ConfigError, match="KYODO_PASSWORD_HASH"):
        validate(_production(SECRET_KEY="a" * 64, KYODO_PASSWORD_HASH="fast"))


def test_database_url_defaults_to_sqlite_in_the_instance_folder():
    config = from_environment({}, "/srv/kyodo/instance")
    assert config["DATABASE_URL"] == "sqlite:////srv/kyodo/instance/kyodo.sqlite3"


@pytest.mark.parametrize(
    "given",
    ["postgres://u:p@db.example:5432/kyodo", "postgresql://u:p@db.example:5432/kyodo"],
)
def test_postgres_urls_use_psycopg3(given):
    assert normalize_database_url(given) == "postgresql+psycopg://u:p@db.example:5432/kyodo"
    assert from_environment({"DATABASE_URL": given}, "/tmp/x")["DATABASE_URL"].startswith(
        "postgresql+psycopg://"
    )


def test_cookies_are_httponly_samesite_and_secure_in_production():
    config = _production(SECRET_KEY="b" * 64)
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert _production(SECRET_KEY="b" * 64, KYODO_SECURE_COOKIES="0")["SESSION_COOKIE_SECURE"] is False


def test_city_defaults_to_higashikurume(app):
    assert app.config["KYODO_CITY_NAME"] == "東久留米市"
    assert app.config["KYODO_CITY_CODE"] == "13222"


@pytest.mark.parametrize("city", ["higashikurume", "13222", "東久留米市"])
def test_city_can_be_named_by_key_code_or_name(make_app, city):
    app = make_app(KYODO_CITY=city)
    assert app.config["KYODO_CITY_CODE"] == "13222"


def test_unknown_city_is_a_configuration_error(database_url):
    with pytest.raises(ConfigError, match="KYODO_CITY"):
        create_app(app_config(database_url, KYODO_CITY="存在しない市"))


def test_app_factory_builds_independent_apps(make_app):
    first = make_app()
    second = make_app(KYODO_LOGIN_LIMIT="1 per minute")
    assert first is not second
    assert first.config["KYODO_LOGIN_LIMIT"] != second.config["KYODO_LOGIN_LIMIT"]
    assert {"main", "auth", "orgs", "issues"} <= set(first.blueprints)
