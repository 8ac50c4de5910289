"""In-app notifications (and whether they have been mailed), and pending editor invitations."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import enum_column, optional_timestamp_column, timestamp_column, utcnow
from .enums import InvitationStatus, MemberRole, NotificationKind


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    kind: NotificationKind = Field(sa_column=enum_column(NotificationKind, "notification_kind"))
    message: str = Field(sa_type=sa.Text)
    link: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    read_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())
    # Set when the notification went out by e-mail, alone or in a daily digest.
    emailed_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())


class OrgInvitation(SQLModel, table=True):
    """An invitation to become an editor of an organization, addressed by e-mail (the person may
    not have an account yet; it waits for them)."""

    __table_args__ = (sa.CheckConstraint("email LIKE '%_@_%'", name="email_has_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE", index=True)
    email: str = Field(max_length=254, index=True)
    role: MemberRole = Field(default=MemberRole.EDITOR, sa_column=enum_column(MemberRole, "org_invitation_role"))
    status: InvitationStatus = Field(
        default=InvitationStatus.INVITED, sa_column=enum_column(InvitationStatus, "org_invitation_status")
    )
    invited_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    responded_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())


class IndexChange(SQLModel, table=True):
    """One row per change to a matchable record (any entity kind). ``version`` comes from the
    ChangeLogVersion counter, taken in the writing transaction, so versions become visible in
    order; AUTOINCREMENT keeps SQLite from reusing the id of a rolled-back or pruned row."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(index=True)
    entity: str = Field(max_length=20)
    entity_id: int
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class ChangeLogVersion(SQLModel, table=True):
    """The single row holding the change log's latest version (the matching index version).
    Writers increment it in their own transaction: the row lock orders them, so version N is
    never visible before every version below it has committed or rolled back."""

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0)
    # Random, set when the database is created (migration 0011): index snapshots on disk name the
    # database they reflect, so a different database never loads them (services/index_snapshots).
    database_id: str | None = Field(default=None, max_length=32)
