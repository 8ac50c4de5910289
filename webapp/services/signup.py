"""Registration and password-reset requests that answer the same whether or not the address is
known: what differs is only who gets which mail."""
from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from . import account_mail, accounts, passwords
from .account_mail import AccountLinks


def request_registration(
    session: Session, links: AccountLinks, *, email: str, display_name: str, password: str,
    hash_profile: str, consents: Mapping[str, str],
) -> None:
    existing = accounts.find_by_email(session, email)
    if existing is not None:
        passwords.hash_password(password, profile=hash_profile)  # the same work as a new account
        if existing.is_active:
            account_mail.send_already_registered(session, links, existing)
        return
    user = accounts.register_user(session, email=email, display_name=display_name, password=password,
                                  hash_profile=hash_profile, consents=consents)
    account_mail.send_confirmation(session, links, user)


def request_password_reset(session: Session, links: AccountLinks, *, email: str) -> None:
    user = accounts.find_by_email(session, email)
    if user is not None and user.is_active:
        account_mail.send_reset(session, links, user)
