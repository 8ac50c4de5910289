"""協議体: standing teams of territorial and thematic organizations working on local issues."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from pydantic import ConfigDict, model_validator
from sqlmodel import Field, SQLModel

from .base import enum_column, not_blank, optional_timestamp_column, timestamp_column, utcnow
from .enums import CollaborationDomain, ConsortiumStatus, InvitationStatus


class Consortium(SQLModel, table=True):
    __table_args__ = (
        not_blank("name"),
        not_blank("purpose"),
        # 時限性: every 協議体 has an end, and it is not before its start.
        sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    purpose: str = Field(sa_type=sa.Text)
    domain: CollaborationDomain = Field(
        sa_column=enum_column(CollaborationDomain, "consortium_domain")
    )
    start_date: date
    end_date: date
    status: ConsortiumStatus = Field(
        default=ConsortiumStatus.PROPOSED,
        sa_column=enum_column(ConsortiumStatus, "consortium_status", index=True),
    )
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # The day its 振り返り began (None: not evaluating, or it began before this was recorded,
    # when the end date stands in for it); evaluations are overdue some weeks after.
    evaluating_since: date | None = Field(default=None)


class ConsortiumMember(SQLModel, table=True):
    """An organization's place in a 協議体: invited, then accepted or declined; later it may leave."""

    consortium_id: int = Field(foreign_key="consortium.id", primary_key=True, ondelete="CASCADE")
    organization_id: int = Field(
        foreign_key="organization.id", primary_key=True, ondelete="CASCADE", index=True
    )
    status: InvitationStatus = Field(
        default=InvitationStatus.INVITED,
        sa_column=enum_column(InvitationStatus, "consortium_member_status"),
    )
    invited_by_id: int = Field(foreign_key="user_account.id")
    invited_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    responded_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())
    message: str = Field(default="", sa_type=sa.Text)
    # Who answered (or left) for the organization, and whether that was staff acting for it (代理).
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    proxy: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class ConsortiumArea(SQLModel, table=True):
    consortium_id: int = Field(foreign_key="consortium.id", primary_key=True, ondelete="CASCADE")
    area_id: int = Field(foreign_key="area.id", primary_key=True, ondelete="CASCADE")


class ConsortiumTheme(SQLModel, table=True):
    consortium_id: int = Field(foreign_key="consortium.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")


class ConsortiumIssue(SQLModel, table=True):
    consortium_id: int = Field(foreign_key="consortium.id", primary_key=True, ondelete="CASCADE")
    issue_id: int = Field(foreign_key="issue.id", primary_key=True, ondelete="CASCADE", index=True)


class ConsortiumCreate(SQLModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    purpose: str = Field(min_length=1, max_length=4000)
    domain: CollaborationDomain
    start_date: date
    end_date: date
    area_ids: list[int] = Field(default_factory=list)
    theme_ids: list[int] = Field(default_factory=list)
    issue_ids: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ends_after_start(self):
        if self.end_date < self.start_date:
            raise ValueError("終了日は開始日より後にしてください。")
        return self
