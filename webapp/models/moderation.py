"""Moderation (issue 11): reports (通報), the per-item moderation case (hidden or not, waiting for
staff or not) and the staff-edited NGワード list."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import enum_column, not_blank, optional_timestamp_column, timestamp_column, utcnow
from .enums import ReportReason


class ContentReport(SQLModel, table=True):
    """通報: at most one per person and item (the unique constraint holds under parallel requests).
    ``entity`` is "issue", "comment" or "organization" (the audit log's entity names)."""

    __table_args__ = (sa.UniqueConstraint("entity", "entity_id", "reporter_id", name="uq_contentreport_once"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=20)
    entity_id: int
    reporter_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    reason: ReportReason = Field(sa_column=enum_column(ReportReason, "report_reason"))
    text: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class ModerationCase(SQLModel, table=True):
    """One row per item that was ever reported, hidden or posted after a guard warning.

    ``hidden`` is what every page, search, suggestion, the API and the export obey;
    ``needs_review`` puts it in the staff queue; ``open_reports`` counts reports since staff last
    decided (the Nth hides the item automatically); ``version`` grows with every change, so a
    decision taken on a stale page is refused."""

    __table_args__ = (sa.UniqueConstraint("entity", "entity_id", name="uq_moderationcase_item"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=20)
    entity_id: int
    hidden: bool = Field(default=False, index=True)
    hidden_reason: str = Field(default="", sa_type=sa.Text)
    hidden_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    hidden_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())
    needs_review: bool = Field(default=False, index=True)
    cause: str = Field(default="", max_length=20)  # "report", "personal_info", "ng_word", "staff"
    open_reports: int = Field(default=0)
    version: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))


class NgWord(SQLModel, table=True):
    """A word staff do not want published; ``normalized`` (width and kana folded) is what matches."""

    __table_args__ = (not_blank("word"),)

    id: int | None = Field(default=None, primary_key=True)
    word: str = Field(max_length=50)
    normalized: str = Field(max_length=50, unique=True)
    added_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
