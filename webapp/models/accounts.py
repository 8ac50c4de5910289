"""People who log in."""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import enum_column, not_blank, optional_timestamp_column, timestamp_column, utcnow
from .enums import Role


class User(SQLModel, table=True):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        # Case-insensitive uniqueness holds even for rows written outside the app.
        sa.Index("uq_user_account_email_lower", sa.func.lower(sa.literal_column("email")), unique=True),
        not_blank("email"),
        not_blank("display_name"),
        sa.CheckConstraint("email LIKE '%_@_%'", name="email_has_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=80)
    password_hash: str = Field(max_length=255)
    role: Role = Field(default=Role.RESIDENT, sa_column=enum_column(Role, "user_role"))
    is_active: bool = Field(default=True)
    # Opt-in: one e-mail a day with everything new, instead of one e-mail per notification.
    email_digest: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # False: notifications stay in the app (お知らせ) and are never mailed, at once or in the digest.
    email_notifications: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # Unconfirmed accounts may read but not act (services call accounts.require_confirmed).
    email_confirmed_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())
    # Part of the login cookie's id: replacing it logs out every session of the account.
    session_token: str = Field(default_factory=lambda: secrets.token_hex(16), max_length=64)
    # Base32 TOTP secret once a staff member has enrolled a second factor.
    totp_secret: str | None = Field(default=None, max_length=64)
    # The newest TOTP time step accepted for this account: a code is good for one login only.
    totp_last_step: int | None = Field(default=None)
    deleted_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())

    # flask-login's user protocol; is_active is the column above.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class ConsentRecord(SQLModel, table=True):
    """That a person accepted a version of the 利用規約 or the プライバシーポリシー, and when."""

    __table_args__ = (sa.UniqueConstraint("user_id", "document", "version", name="uq_consent_record_version"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    document: str = Field(max_length=16)
    version: str = Field(max_length=40)
    accepted_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class RecoveryCode(SQLModel, table=True):
    """One unused two-factor recovery code of a staff member, stored as its SHA-256."""

    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash", name="uq_recovery_code_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    code_hash: str = Field(max_length=64)
