"""The audit log: who changed what, when (organizations, 協議体, agreements, evaluations)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import timestamp_column, utcnow


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # NULL for changes made by the system itself (the `kyodo tick` lifecycle, imports from the CLI).
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    entity: str = Field(max_length=30, index=True)
    entity_id: int = Field(index=True)
    action: str = Field(max_length=40)
    summary: str = Field(sa_type=sa.Text)
    details: dict = Field(default_factory=dict, sa_type=sa.JSON)
    # A staff member acting for an organization without its own account (代理入力).
    proxy: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))


class LifecycleEvent(SQLModel, table=True):
    """What `kyodo tick` has already done for a 協議体's period, so running it again does nothing."""

    __table_args__ = (
        sa.UniqueConstraint("consortium_id", "kind", "period_end", name="uq_lifecycleevent_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    consortium_id: int = Field(foreign_key="consortium.id", ondelete="CASCADE")
    kind: str = Field(max_length=30)  # "reminder_30", "reminder_7", "ended"
    period_end: date
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
