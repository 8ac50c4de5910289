"""Registering, authenticating and looking up users."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import Role, User
from . import passwords
from .errors import Conflict

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(
        select(User).where(sa.func.lower(User.email) == normalize_email(email))
    ).first()


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def register_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.RESIDENT,
    hash_profile: str = "standard",
) -> User:
    """Create an account; Conflict (on the email field) when the address is taken."""
    email = normalize_email(email)
    if find_by_email(session, email) is not None:
        raise Conflict("このメールアドレスはすでに登録されています。", field="email")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=passwords.hash_password(password, profile=hash_profile),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


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
