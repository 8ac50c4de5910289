"""What city staff (the brokers) look at: issues still without a 協議体, where issues pile up with
nobody working on their theme, a map of the towns, and the 協議体 board."""
from __future__ import annotations

import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    ACTIVE_ISSUE_STATUSES,
    Area,
    Consortium,
    ConsortiumIssue,
    ConsortiumStatus,
    Issue,
    IssueTheme,
    Organization,
    OrganizationArea,
    OrganizationTheme,
    OrgStatus,
    Theme,
    User,
)
from . import consortia as consortium_service
from . import suggestions
from .pagination import Page, clamp_page


@dataclass(frozen=True)
class UnservedIssue:
    issue_id: int
    title: str
    area_name: str
    team: list  # suggestions.OrgSuggestion
    team_note: str


def _served_issue_ids():
    return select(ConsortiumIssue.issue_id).join(Consortium, Consortium.id == ConsortiumIssue.consortium_id).where(
        Consortium.status != ConsortiumStatus.CLOSED)


def issues_without_consortium(session: Session, *, page: int = 1, per_page: int = 10) -> Page[UnservedIssue]:
    """Open issues that no 協議体 works on yet, oldest first, each with its proposed team."""
    query = select(Issue, Area.name).join(Area, Area.id == Issue.area_id).where(
        Issue.status.in_(ACTIVE_ISSUE_STATUSES), Issue.id.not_in(_served_issue_ids()))
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    page = clamp_page(page)
    rows = session.exec(query.order_by(Issue.created_at, Issue.id).offset((page - 1) * per_page).limit(per_page)).all()
    items = []
    for issue, area_name in rows:
        proposal = suggestions.for_issue(session, issue_id=issue.id)
        items.append(UnservedIssue(issue.id, issue.title, area_name, proposal.team, proposal.team_note))
    return Page(items, page, per_page, total)


# ---------------------------------------------------------------- themes, declared or suggested
_theme_cache: dict[tuple[str, int, str], tuple[str, ...]] = {}
_theme_lock = threading.Lock()


def _themes_of(kind: str, row_id: int, stamp: str, declared: list[str], text: str, k: int) -> tuple[str, ...]:
    """Declared theme codes, or the text pipeline's best `k` when none are declared (cached)."""
    if declared:
        return tuple(declared)
    key = (kind, row_id, stamp)
    with _theme_lock:
        if key in _theme_cache:
            return _theme_cache[key]
    import nlp

    codes = tuple(t.code for t in nlp.suggest_themes(text, k=k))
    with _theme_lock:
        _theme_cache[key] = codes
    return codes


def _declared(session: Session, link, owner: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    column = getattr(link, owner)
    for owner_id, code in session.exec(select(column, Theme.code).join(Theme, Theme.id == link.theme_id)):
        out.setdefault(owner_id, []).append(code)
    return out


@dataclass(frozen=True)
class Heatmap:
    towns: list[Area]
    themes: list[Theme]
    issues: dict[tuple[int, str], int]  # (area id, theme code) -> open issues
    orgs: dict[tuple[int, str], int]  # (area id, theme code) -> active organizations working there on it
    max_issues: int

    def gap(self, area_id: int, code: str) -> bool:
        """Issues pile up and no organization works on that theme in that town."""
        return self.issues.get((area_id, code), 0) > 0 and self.orgs.get((area_id, code), 0) == 0


def heatmap(session: Session) -> Heatmap:
    towns = list(session.exec(select(Area).order_by(Area.postal_code, Area.id)))
    themes = list(session.exec(select(Theme).order_by(Theme.number)))
    declared_issue = _declared(session, IssueTheme, "issue_id")
    declared_org = _declared(session, OrganizationTheme, "organization_id")
    issues: dict[tuple[int, str], int] = {}
    for issue in session.exec(select(Issue).where(Issue.status.in_(ACTIVE_ISSUE_STATUSES))):
        codes = _themes_of("issue", issue.id, issue.updated_at.isoformat(), declared_issue.get(issue.id, []),
                           f"{issue.title}\n{issue.body}", 1)
        for code in codes:
            issues[(issue.area_id, code)] = issues.get((issue.area_id, code), 0) + 1
    towns_of: dict[int, list[int]] = {}
    for org_id, area_id in session.exec(select(OrganizationArea.organization_id, OrganizationArea.area_id)):
        towns_of.setdefault(org_id, []).append(area_id)
    orgs: dict[tuple[int, str], int] = {}
    for org in session.exec(select(Organization).where(Organization.status == OrgStatus.ACTIVE)):
        codes = _themes_of("org", org.id, org.updated_at.isoformat(), declared_org.get(org.id, []),
                           f"{org.name}\n{org.description}\n{org.offers}", 2)
        for area_id in towns_of.get(org.id, []):
            for code in codes:
                orgs[(area_id, code)] = orgs.get((area_id, code), 0) + 1
    return Heatmap(towns, themes, issues, orgs, max(issues.values(), default=0))


# ---------------------------------------------------------------- the town map
@dataclass(frozen=True)
class TownPoint:
    area: Area
    open_issues: int
    organizations: int
    unserved: int = 0  # open issues no 協議体 (other than a closed one) works on


def town_points(session: Session) -> list[TownPoint]:
    issue_counts = dict(session.exec(
        select(Issue.area_id, sa.func.count()).where(Issue.status.in_(ACTIVE_ISSUE_STATUSES)).group_by(Issue.area_id)).all())
    org_counts = dict(session.exec(
        select(OrganizationArea.area_id, sa.func.count())
        .join(Organization, Organization.id == OrganizationArea.organization_id)
        .where(Organization.status == OrgStatus.ACTIVE).group_by(OrganizationArea.area_id)).all())
    unserved = dict(session.exec(
        select(Issue.area_id, sa.func.count()).where(Issue.status.in_(ACTIVE_ISSUE_STATUSES),
                                                     Issue.id.not_in(_served_issue_ids())).group_by(Issue.area_id)).all())
    return [TownPoint(a, issue_counts.get(a.id, 0), org_counts.get(a.id, 0), unserved.get(a.id, 0))
            for a in session.exec(select(Area).order_by(Area.postal_code))]


# ---------------------------------------------------------------- the board
def board(session: Session, *, viewer: User) -> dict[ConsortiumStatus, list]:
    """Every 協議体 by status (the lists are short: a city has tens, not thousands)."""
    page = consortium_service.list_consortia(session, viewer=viewer, page=1, per_page=10_000)
    columns: dict[ConsortiumStatus, list] = {status: [] for status in ConsortiumStatus}
    for item in page.items:
        columns[item.status].append(item)
    return columns
