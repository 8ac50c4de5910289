"""Registering, authenticating and looking up users; confirming addresses, changing settings."""
from __future__ import annotations

import secrets
from collections.abc import Mapping

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import ConsentRecord, Role, User, utcnow
from . import passwords
from .errors import Conflict, Forbidden

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
EMAIL_TAKEN = "このメールアドレスはすでに登録されています。"
NOT_CONFIRMED = ("メールアドレスの確認が済んでいないため、この操作はできません。"
                 "登録時にお送りしたメールのリンクを開いてください（アカウント設定から再送できます）。")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(
        select(User).where(sa.func.lower(User.email) == normalize_email(email))
    ).first()


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def load_session_user(session: Session, session_id: str) -> User | None:
    """The active user whose login cookie id ("<id>:<session token>") this is, else None: a
    replaced token (logout, password change, reset) ends every session that carried the old one."""
    user_id, _, token = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 12 and token):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def require_confirmed(user: User) -> None:
    """Forbidden unless the account's e-mail address is confirmed (services call this before acting)."""
    if not user.is_confirmed:
        raise Forbidden(NOT_CONFIRMED)


def register_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.RESIDENT,
    hash_profile: str = "standard",
    confirmed: bool = False,
    consents: Mapping[str, str] | None = None,
) -> User:
    """Create an account; Conflict (on the email field) when the address is taken. ``consents``
    maps each legal document the person accepted to its version."""
    email = normalize_email(email)
    if find_by_email(session, email) is not None:
        raise Conflict(EMAIL_TAKEN, field="email")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=passwords.hash_password(password, profile=hash_profile),
        role=role,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    session.flush()
    record_consents(session, user=user, versions=consents or {})
    return user


def record_consents(session: Session, *, user: User, versions: Mapping[str, str]) -> None:
    for document, version in versions.items():
        exists = session.exec(select(ConsentRecord.id).where(
            ConsentRecord.user_id == user.id, ConsentRecord.document == document, ConsentRecord.version == version
        )).first()
        if exists is None:
            session.add(ConsentRecord(user_id=user.id, document=document, version=version))
    session.flush()


def missing_consents(session: Session, *, user: User, versions: Mapping[str, str]) -> list[str]:
    """The documents whose current version this user has not accepted yet."""
    accepted = set(session.exec(select(ConsentRecord.document, ConsentRecord.version).where(
        ConsentRecord.user_id == user.id)).all())
    return [document for document, version in versions.items() if (document, version) not in accepted]


def authenticate(
    session: Session, *, email: str, password: str, hash_profile: str = "standard"
) -> User | None:
    """The active user with this e-mail and password, else None (same cost either way)."""
    user = find_by_email(session, email)
    if user is None or not user.is_active:
        passwords.burn_verification(password, profile=hash_profile)
        return None
    if not passwords.verify_password(user.password_hash, password, profile=hash_profile):
        return None
    return user


def set_role(session: Session, *, user: User, role: Role) -> User:
    user.role = role
    session.add(user)
    session.flush()
    return user


def end_all_sessions(session: Session, *, user: User) -> None:
    """Log the account out everywhere (every login cookie carries the old token)."""
    user.session_token = secrets.token_hex(16)
    session.add(user)
    session.flush()


def set_password(session: Session, *, user: User, password: str, hash_profile: str = "standard") -> None:
    """New password; other sessions end, and every reset link sent before dies with the old hash."""
    user.password_hash = passwords.hash_password(password, profile=hash_profile)
    end_all_sessions(session, user=user)


def change_password(
    session: Session, *, user: User, current: str, new: str, hash_profile: str = "standard"
) -> None:
    if not passwords.verify_password(user.password_hash, current, profile=hash_profile):
        raise Conflict("現在のパスワードが正しくありません。", field="current_password")
    set_password(session, user=user, password=new, hash_profile=hash_profile)


def set_display_name(session: Session, *, user: User, display_name: str) -> None:
    user.display_name = display_name.strip()
    session.add(user)
    session.flush()


def confirm_email(session: Session, *, user_id: int, email: str) -> User:
    """Mark ``email`` confirmed for the user (a changed address takes effect only now);
    Conflict if someone else took the address meanwhile."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise Conflict("このリンクは使えません。")
    email = normalize_email(email)
    if email != user.email:
        other = find_by_email(session, email)
        if other is not None and other.id != user.id:
            raise Conflict(EMAIL_TAKEN)
        user.email = email
    user.email_confirmed_at = utcnow()
    session.add(user)
    session.flush()
    return user
