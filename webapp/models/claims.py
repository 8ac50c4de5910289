"""Requests to become an association's 代表 (owner), decided by staff (and asked of its owners first)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import enum_column, optional_timestamp_column, timestamp_column, utcnow
from .enums import ClaimStatus

_OPEN = "status IN ('pending', 'owners_asked')"


class OrgClaim(SQLModel, table=True):
    __table_args__ = (
        # One open request per person and association, even under parallel submissions.
        sa.Index("uq_orgclaim_open", "organization_id", "user_id", unique=True,
                 sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN)),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    status: ClaimStatus = Field(
        default=ClaimStatus.PENDING, sa_column=enum_column(ClaimStatus, "claim_status", index=True)
    )
    # What the claimant says about their office (e.g. 「令和8年度の会長です」).
    message: str = Field(default="", sa_type=sa.Text)
    # The owners' answer (when asked) and staff's reason for the decision.
    owner_answer: str = Field(default="", sa_type=sa.Text)
    reason: str = Field(default="", sa_type=sa.Text)
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    decided_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())
