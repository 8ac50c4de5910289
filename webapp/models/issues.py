"""Residents' local issues (地域課題), their support (共感), comments and status history."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

from .base import enum_column, not_blank, timestamp_column, utcnow
from .enums import IssueStatus, RecordSource


class Issue(SQLModel, table=True):
    __table_args__ = (not_blank("title"), not_blank("body"))

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    body: str = Field(sa_type=sa.Text)
    area_id: int = Field(foreign_key="area.id", index=True)
    reporter_id: int = Field(foreign_key="user_account.id", index=True)
    show_reporter_name: bool = Field(default=False)
    status: IssueStatus = Field(
        default=IssueStatus.OPEN, sa_column=enum_column(IssueStatus, "issue_status", index=True)
    )
    source: RecordSource = Field(
        default=RecordSource.WEB, sa_column=enum_column(RecordSource, "issue_source")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class IssueTheme(SQLModel, table=True):
    issue_id: int = Field(foreign_key="issue.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE", index=True)


class IssueSupport(SQLModel, table=True):
    """共感: at most one per user and issue (the primary key says so)."""

    issue_id: int = Field(foreign_key="issue.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class IssueFollow(SQLModel, table=True):
    """Someone who hears about an issue's updates: its poster (from the start; they may stop) and
    people who pressed 共感 and chose to follow (services/issue_followers.py)."""

    issue_id: int = Field(foreign_key="issue.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class Comment(SQLModel, table=True):
    __table_args__ = (not_blank("body"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", ondelete="CASCADE", index=True)
    author_id: int = Field(foreign_key="user_account.id", index=True)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class IssueStatusChange(SQLModel, table=True):
    """Public history of an issue's status; the first row records the opening."""

    __table_args__ = (not_blank("reason"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", ondelete="CASCADE", index=True)
    old_status: IssueStatus | None = Field(
        default=None, sa_column=enum_column(IssueStatus, "issue_status_old", nullable=True)
    )
    new_status: IssueStatus = Field(sa_column=enum_column(IssueStatus, "issue_status_new"))
    reason: str = Field(sa_type=sa.Text)
    changed_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class IssueEdit(SQLModel, table=True):
    """Public history of a poster's edits: per changed field, [before, after] (town and theme
    names as they were then; the body in full, so that the page can show what changed)."""

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", ondelete="CASCADE", index=True)
    edited_by_id: int = Field(foreign_key="user_account.id")
    changes: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class IssueCreate(SQLModel):
    """What a resident supplies when posting an issue."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=4000)
    area_id: int
    show_reporter_name: bool = False
    theme_ids: list[int] = Field(default_factory=list)


class IssueUpdate(SQLModel):
    """What the poster may change while nobody has acted on the issue yet."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=4000)
    area_id: int
    theme_ids: list[int] = Field(default_factory=list)
