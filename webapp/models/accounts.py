"""People who log in."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import enum_column, not_blank, timestamp_column, utcnow
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
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())

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

    def get_id(self) -> str:
        return str(self.id)
