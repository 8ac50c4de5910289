"""Starting a login session, and the settings account mails need (shared by auth and account views)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, request, session
from flask_login import login_user

from ..services import accounts, legal
from ..services.account_mail import AccountLinks

TWO_FACTOR_PENDING = "kyodo.two_factor"


def account_links() -> AccountLinks:
    # KYODO_BASE_URL, never the request's Host header: a forged Host must not make reset links
    # point at someone else's site.
    return AccountLinks(current_app.config["SECRET_KEY"], current_app.config["KYODO_BASE_URL"])


def hash_profile() -> str:
    return current_app.config["KYODO_PASSWORD_HASH"]


def complete_login(user, *, remember: bool = False) -> None:
    """Log in with a fresh CSRF token (one seen before login is no use after it)."""
    session.pop(TWO_FACTOR_PENDING, None)
    session.pop("csrf_token", None)
    login_user(user, remember=remember)


def email_key() -> str:
    """Rate-limit key: the e-mail address a form was submitted for."""
    return "account-mail:" + accounts.normalize_email(request.form.get("email", ""))


def city_directory() -> Path:
    return Path(current_app.config["KYODO_CITY_DIRECTORY"])


def legal_versions() -> dict[str, str]:
    return legal.current_versions(city_directory())
