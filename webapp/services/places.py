"""Towns (町名) of the configured city and the activity themes."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlmodel import Session, select

from ..models import (
    ACTIVE_ISSUE_STATUSES,
    Area,
    Issue,
    Organization,
    OrganizationArea,
    OrgStatus,
    Theme,
)


def current_city_code() -> str | None:
    return current_app.config.get("KYODO_CITY_CODE") if has_app_context() else None


def _in_city(query, city_code: str | None):
    return query.where(Area.city_code == city_code) if city_code else query


def list_areas(session: Session, *, city_code: str | None = None) -> list[Area]:
    city_code = city_code or current_city_code()
    return list(session.exec(_in_city(select(Area), city_code).order_by(Area.postal_code, Area.id)))


def city_area_count(session: Session, *, city_code: str | None = None) -> int:
    city_code = city_code or current_city_code()
    return session.exec(_in_city(select(sa.func.count(Area.id)), city_code)).one()


def get_area(session: Session, area_id: int) -> Area | None:
    return session.get(Area, area_id)


def list_themes(session: Session) -> list[Theme]:
    return list(session.exec(select(Theme).order_by(Theme.number)))


@dataclass(frozen=True)
class TownSummary:
    area: Area
    organization_count: int
    open_issue_count: int


def town_summaries(session: Session, *, city_code: str | None = None) -> dict[str, list[TownSummary]]:
    """Each town with its organizations and open issues, grouped by district (for the top page)."""
    org_counts = dict(
        session.exec(
            select(OrganizationArea.area_id, sa.func.count())
            .join(Organization, Organization.id == OrganizationArea.organization_id)
            .where(Organization.status == OrgStatus.ACTIVE)
            .group_by(OrganizationArea.area_id)
        ).all()
    )
    issue_counts = dict(
        session.exec(
            select(Issue.area_id, sa.func.count())
            .where(Issue.status.in_(ACTIVE_ISSUE_STATUSES))
            .group_by(Issue.area_id)
        ).all()
    )
    grouped: dict[str, list[TownSummary]] = {}
    for area in list_areas(session, city_code=city_code):
        grouped.setdefault(area.district or "その他", []).append(
            TownSummary(area, org_counts.get(area.id, 0), issue_counts.get(area.id, 0))
        )
    return grouped


def group_by_district(areas: list[Area]) -> list[tuple[str, list[Area]]]:
    """Towns grouped by district, in the order the towns come (for checkbox groups)."""
    groups: dict[str, list[Area]] = {}
    for area in areas:
        groups.setdefault(area.district or "その他", []).append(area)
    return list(groups.items())
