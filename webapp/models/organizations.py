"""Civic organizations (地縁型 and 目的型), who may edit them, and where and on what they work."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import ConfigDict, field_validator
from sqlmodel import Field, SQLModel

from .base import enum_column, not_blank, optional_timestamp_column, timestamp_column, utcnow
from .enums import MemberRole, OrgCategory, OrgKind, OrgStatus, RecordSource


class Organization(SQLModel, table=True):
    __table_args__ = (
        not_blank("name"),
        sa.CheckConstraint("member_count IS NULL OR member_count >= 0", name="member_count_nonneg"),
        sa.CheckConstraint("capacity BETWEEN 0 AND 50", name="capacity_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: OrgKind = Field(sa_column=enum_column(OrgKind, "org_kind", index=True))
    category: OrgCategory = Field(sa_column=enum_column(OrgCategory, "org_category"))
    name: str = Field(max_length=120, index=True)
    description: str = Field(default="", sa_type=sa.Text)
    offers: str = Field(default="", sa_type=sa.Text)
    needs: str = Field(default="", sa_type=sa.Text)
    member_count: int | None = Field(default=None)
    activity_days: str = Field(default="", max_length=200)
    # How many 協議体 the organization can take part in at the same time.
    capacity: int = Field(default=2)
    public_contact: str = Field(default="", max_length=300)
    private_contact: str = Field(default="", max_length=300)
    website: str = Field(default="", max_length=300)
    status: OrgStatus = Field(
        default=OrgStatus.ACTIVE, sa_column=enum_column(OrgStatus, "org_status")
    )
    source: RecordSource = Field(
        default=RecordSource.WEB, sa_column=enum_column(RecordSource, "org_source")
    )
    # 確認済み: staff checked that this is the real association (e.g. on the 自治会連合会 list).
    verified: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    verified_at: datetime | None = Field(default=None, sa_column=optional_timestamp_column())
    verified_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Registered anyway, after a warning, under the same or a variant name of this association.
    twin_of_id: int | None = Field(default=None, foreign_key="organization.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class Membership(SQLModel, table=True):
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    organization_id: int = Field(
        foreign_key="organization.id", primary_key=True, ondelete="CASCADE", index=True
    )
    role: MemberRole = Field(sa_column=enum_column(MemberRole, "member_role"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class OrganizationArea(SQLModel, table=True):
    organization_id: int = Field(foreign_key="organization.id", primary_key=True, ondelete="CASCADE")
    area_id: int = Field(foreign_key="area.id", primary_key=True, ondelete="CASCADE", index=True)


class OrganizationTheme(SQLModel, table=True):
    organization_id: int = Field(foreign_key="organization.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE", index=True)


class OrganizationCreate(SQLModel):
    """What a profile form (or an import, or the demo loader) supplies; validated on creation."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kind: OrgKind
    category: OrgCategory
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=4000)
    offers: str = Field(default="", max_length=2000)
    needs: str = Field(default="", max_length=2000)
    member_count: int | None = Field(default=None, ge=0, le=10_000_000)
    activity_days: str = Field(default="", max_length=200)
    capacity: int = Field(default=2, ge=0, le=50)
    public_contact: str = Field(default="", max_length=300)
    private_contact: str = Field(default="", max_length=300)
    website: str = Field(default="", max_length=300)
    area_ids: list[int] = Field(default_factory=list)
    theme_ids: list[int] = Field(default_factory=list)

    @field_validator("website")
    @classmethod
    def _http_only(cls, value: str) -> str:
        # Rendered as a link: anything but http(s) (e.g. javascript:) would be a script injection.
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError("ウェブサイトは http:// または https:// で始まるURLを入力してください。")
        return value
