"""振り返り: each member organization, and the city, evaluate a 協議体 once."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

from .base import enum_column, timestamp_column, utcnow
from .enums import EvaluationSide, Principle


class Evaluation(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint("goal_score BETWEEN 1 AND 5", name="goal_score_range"),
        sa.CheckConstraint("cost_score BETWEEN 1 AND 5", name="cost_score_range"),
        # The citizens' side is one evaluation per member organization, the city's side one in all.
        sa.CheckConstraint(
            "(side = 'citizen' AND organization_id IS NOT NULL) OR (side = 'city' AND organization_id IS NULL)",
            name="side_matches_organization",
        ),
        sa.Index("uq_evaluation_consortium_org", "consortium_id", "organization_id", unique=True,
                 sqlite_where=sa.text("organization_id IS NOT NULL"),
                 postgresql_where=sa.text("organization_id IS NOT NULL")),
        sa.Index("uq_evaluation_consortium_city", "consortium_id", unique=True,
                 sqlite_where=sa.text("side = 'city'"), postgresql_where=sa.text("side = 'city'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    consortium_id: int = Field(foreign_key="consortium.id", ondelete="CASCADE", index=True)
    side: EvaluationSide = Field(sa_column=enum_column(EvaluationSide, "evaluation_side"))
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    submitted_by_id: int = Field(foreign_key="user_account.id")
    goal_score: int
    goal_comment: str = Field(default="", sa_type=sa.Text)
    cost_score: int
    cost_comment: str = Field(default="", sa_type=sa.Text)
    lessons: str = Field(default="", sa_type=sa.Text)
    # Entered by staff for a member organization without an account of its own (代理).
    proxy: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class PrincipleRating(SQLModel, table=True):
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    evaluation_id: int = Field(foreign_key="evaluation.id", primary_key=True, ondelete="CASCADE")
    principle: Principle = Field(sa_column=enum_column(Principle, "principle", primary_key=True))
    score: int
    comment: str = Field(default="", sa_type=sa.Text)


class EvaluationCreate(SQLModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    goal_score: int = Field(ge=1, le=5)
    goal_comment: str = Field(default="", max_length=2000)
    cost_score: int = Field(ge=1, le=5)
    cost_comment: str = Field(default="", max_length=2000)
    principles: dict[Principle, int]
    principle_comments: dict[Principle, str] = Field(default_factory=dict)
    lessons: str = Field(default="", max_length=4000)
