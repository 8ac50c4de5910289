"""Rows that guard against doing something twice or too often: a register upload that has been
imported, and failed-login counters shared by every server worker (when Redis is not used)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import timestamp_column, utcnow


class RegisterUpload(SQLModel, table=True):
    """A register file whose import was confirmed: the same upload is never imported twice."""

    token: str = Field(primary_key=True, max_length=64)
    imported_by_id: int = Field(foreign_key="user_account.id")
    imported_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class RateLimitCounter(SQLModel, table=True):
    """Failed logins counted in a fixed window; ``expires_at`` is a Unix time (old rows pruned)."""

    key: str = Field(primary_key=True, max_length=200)
    count: int = Field(default=0)
    expires_at: int = Field(index=True)
