"""The city's towns (町名), their 町丁目, and the 20 activity themes of the NPO law."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import not_blank


class Area(SQLModel, table=True):
    """A town (町名) of the city, with a centroid used for distances."""

    __table_args__ = (
        sa.UniqueConstraint("city_code", "name", name="uq_area_city_code_name"),
        not_blank("name"),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("lng BETWEEN -180 AND 180", name="lng_range"),
        sa.CheckConstraint("length(postal_code) = 7", name="postal_code_7_digits"),
    )

    id: int | None = Field(default=None, primary_key=True)
    city_code: str = Field(max_length=6, index=True)
    name: str = Field(max_length=60)
    kana: str = Field(default="", max_length=120)
    postal_code: str = Field(max_length=7)
    district: str = Field(default="", max_length=60)
    lat: float
    lng: float


class Chome(SQLModel, table=True):
    """A 町丁目 of a town, with its representative point."""

    __table_args__ = (
        sa.UniqueConstraint("area_id", "name", name="uq_chome_area_id_name"),
        not_blank("name"),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("lng BETWEEN -180 AND 180", name="lng_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=60)
    postal_code: str = Field(default="", max_length=7)
    lat: float
    lng: float


class Theme(SQLModel, table=True):
    """One of the 20 activity fields of 特定非営利活動促進法 別表."""

    __table_args__ = (
        sa.CheckConstraint("number BETWEEN 1 AND 99", name="number_range"),
        not_blank("name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=60, unique=True)
    legal_name: str = Field(default="", max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    keywords: list[str] = Field(default_factory=list, sa_type=sa.JSON)
