"""Column helpers shared by every table: UTC timestamps, enum columns, naming convention."""
from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import SQLModel

# Named constraints let Alembic alter them later, also on SQLite (batch mode).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timestamp_column(**kwargs) -> sa.Column:
    return sa.Column(UTCDateTime(), nullable=False, **kwargs)


def optional_timestamp_column(**kwargs) -> sa.Column:
    return sa.Column(UTCDateTime(), nullable=True, **kwargs)


def enum_column(enum_cls: type[Enum], name: str, *, nullable: bool = False, **kwargs) -> sa.Column:
    """A VARCHAR + CHECK enum: portable, and new values need no ALTER TYPE on PostgreSQL."""
    return sa.Column(
        sa.Enum(
            enum_cls,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        nullable=nullable,
        **kwargs,
    )


def not_blank(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"length(trim({column})) > 0", name=f"{column}_not_blank")
