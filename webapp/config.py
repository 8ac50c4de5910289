"""Configuration from the environment, with safe defaults for the embedded SQLite demo."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("production", "development", "testing")
DEFAULT_CITY = "東久留米市"
# Secrets that appear in docs or code are as good as public; production refuses them.
KNOWN_WEAK_SECRETS = frozenset({"", "dev", "secret", "changeme", "change-me", "development-only-secret"})
DEVELOPMENT_SECRET = "development-only-secret"
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is unsafe or unusable; the message says which variable to fix."""


def normalize_database_url(url: str) -> str:
    """Accept Heroku-style ``postgres://`` and plain ``postgresql://`` URLs; use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(environ: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    env = environ.get("KYODO_ENV", "production")
    production = env == "production"
    database_url = environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "kyodo.sqlite3")
    )
    secret = environ.get("SECRET_KEY")
    if secret is None and not production:
        secret = DEVELOPMENT_SECRET
    return {
        "KYODO_ENV": env,
        "DEBUG": env == "development",
        "TESTING": env == "testing",
        "SECRET_KEY": secret,
        "DATABASE_URL": normalize_database_url(database_url),
        "KYODO_CITY": environ.get("KYODO_CITY") or DEFAULT_CITY,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(environ.get("KYODO_SECURE_COOKIES"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(environ.get("KYODO_SECURE_COOKIES"), production),
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        # Account-mail limits (flask-limiter) share the Redis of the login counters when one is set,
        # so that every worker and server counts together; an unreachable store never gives a 500.
        "RATELIMIT_STORAGE_URI": (environ.get("KYODO_RATELIMIT_STORAGE_URI") or environ.get("KYODO_REDIS_URL")
                                  or "memory://"),
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Failed logins, counted in Redis (KYODO_REDIS_URL) or else the database: see webapp/ratelimit.py.
        "KYODO_REDIS_URL": environ.get("KYODO_REDIS_URL", ""),
        "KYODO_LOGIN_LIMIT": environ.get("KYODO_LOGIN_LIMIT", "10 per minute;50 per hour"),
        "KYODO_LOGIN_ACCOUNT_LIMIT": environ.get("KYODO_LOGIN_ACCOUNT_LIMIT", "5 per minute;20 per hour"),
        # Accounts: "ログインしたままにする" lasts this many days; account mails (reset, confirmation)
        # are throttled per client address and per e-mail address.
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(environ.get("KYODO_REMEMBER_DAYS") or 30)),
        "KYODO_ACCOUNT_MAIL_LIMIT": environ.get("KYODO_ACCOUNT_MAIL_LIMIT", "10 per hour"),
        "KYODO_ACCOUNT_MAIL_ADDRESS_LIMIT": environ.get("KYODO_ACCOUNT_MAIL_ADDRESS_LIMIT", "3 per hour"),
        "KYODO_TWO_FACTOR_LIMIT": environ.get("KYODO_TWO_FACTOR_LIMIT", "5 per minute;20 per hour"),
        "KYODO_PASSWORD_HASH": environ.get("KYODO_PASSWORD_HASH", "standard"),
        "KYODO_PROXY_FIX": _flag(environ.get("KYODO_PROXY_FIX"), False),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # Snapshots of the fitted matching and search indexes (a disposable cache, not a backup):
        # a starting server loads them instead of refitting. Empty: no snapshots.
        "KYODO_INDEX_DIR": environ.get("KYODO_INDEX_DIR", str(Path(instance_path) / "indexes")),
        "KYODO_SUGGESTIONS_MAX_AGE": float(environ.get("KYODO_SUGGESTIONS_MAX_AGE") or 5),
        # Distinct reports (通報) after which an item is hidden until staff review it (issue 11).
        "KYODO_REPORTS_TO_HIDE": max(1, int(environ.get("KYODO_REPORTS_TO_HIDE") or 3)),
        "KYODO_IMPORT_MAX_BYTES": int(environ.get("KYODO_IMPORT_MAX_BYTES") or 5 * 1024 * 1024),
        # E-mail: sent through SMTP when KYODO_SMTP_HOST is set, otherwise written to the log.
        "KYODO_SMTP_HOST": environ.get("KYODO_SMTP_HOST", ""),
        "KYODO_SMTP_PORT": int(environ.get("KYODO_SMTP_PORT") or 587),
        "KYODO_SMTP_USER": environ.get("KYODO_SMTP_USER", ""),
        "KYODO_SMTP_PASSWORD": environ.get("KYODO_SMTP_PASSWORD", ""),
        "KYODO_SMTP_STARTTLS": _flag(environ.get("KYODO_SMTP_STARTTLS"), True),
        "KYODO_MAIL_FROM": environ.get("KYODO_MAIL_FROM", "kyodo@localhost"),
        "KYODO_BASE_URL": environ.get("KYODO_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
    }


def validate(config: Mapping[str, Any]) -> None:
    """Refuse to run with a configuration that would be unsafe in its environment."""
    env = config.get("KYODO_ENV")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"KYODO_ENV must be one of {', '.join(ENVIRONMENTS)} (got {env!r})")
    if env == "production":
        secret = config.get("SECRET_KEY") or ""
        if secret in KNOWN_WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                "SECRET_KEY is missing or a known default. Set a random value of at least "
                f"{MIN_SECRET_LENGTH} characters, e.g. "
                "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
    if config.get("KYODO_PASSWORD_HASH") not in ("standard", "fast"):
        raise ConfigError("KYODO_PASSWORD_HASH must be 'standard' or 'fast'")
    if config.get("KYODO_PASSWORD_HASH") == "fast" and env == "production":
        raise ConfigError("KYODO_PASSWORD_HASH=fast is for tests only")
