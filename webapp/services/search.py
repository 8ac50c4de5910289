"""One search box over organizations and issues, through the text pipeline.

A query matches a text when each of its words (split at spaces) is found in it: as written after
normalization (ｺﾐｭﾆﾃｨ = コミュニティ, full/half width), as the same dictionary word (子ども = 子供 =
こども), or, ranked lower, by its reading (ごみ = ゴミ, ゆきかき = 雪かき) or through a synonym or the city
glossary (お年寄り ≈ 高齢者)."""
from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    Area,
    Issue,
    IssueStatus,
    IssueTheme,
    Organization,
    OrganizationArea,
    OrganizationTheme,
    OrgKind,
    OrgStatus,
)
from . import changes, index_snapshots, moderation
from .lookups import in_slices
from .pagination import PER_PAGE, Page, clamp_page
from .search_index import BUILD_CHUNK, ISSUE, ORG, SearchIndex
from .worker_cache import VersionedCache

# The search form's limit; longer queries are refused with a message (webapp/search/forms.py).
MAX_QUERY_LENGTH = 100
# Every issue but a withdrawn one (取り下げ: its page stays, it leaves the search).
SEARCHED_ISSUES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED, IssueStatus.CLOSED_UNRESOLVED)


def _org_text(org: Organization) -> str:
    return "\n".join([org.description, org.offers, org.needs])


def build_search_index(session: Session, *, chunk_size: int = BUILD_CHUNK) -> SearchIndex:
    """The index of every searched issue and organization, read and analysed `chunk_size` at a time."""
    issues = _pages(session, select(Issue.id, Issue.title, Issue.body).where(
        moderation.visible(Issue), Issue.status.in_(SEARCHED_ISSUES)), Issue.id, chunk_size)
    orgs = _pages(session, select(Organization.id, Organization.name, Organization.description,
                                  Organization.offers, Organization.needs).where(
        Organization.status != OrgStatus.DISSOLVED, moderation.visible(Organization)), Organization.id, chunk_size)
    # In key order (TYPES sorts issues first), so the rows need no sorting afterwards.
    return SearchIndex.from_documents(itertools.chain(
        (((ISSUE, id_), title, body) for id_, title, body in issues),
        (((ORG, id_), name, "\n".join(texts)) for id_, name, *texts in orgs)), chunk_size=chunk_size)


def _pages(session: Session, query, id_column, size: int) -> Iterator[tuple]:
    # Columns rather than ORM objects, a page at a time by id: only one page is held in memory.
    after = None
    while True:
        page = session.exec((query if after is None else query.where(id_column > after))
                            .order_by(id_column).limit(size)).all()
        yield from page
        if len(page) < size:
            return
        after = page[-1][0]


def _replay(session: Session, index: SearchIndex, changed: Mapping[str, set[int]]) -> SearchIndex:
    # Only names and texts are indexed; towns and themes are read from the database per search.
    org_ids, issue_ids = changed.get(changes.ORGANIZATION, set()), changed.get(changes.ISSUE, set())
    # A hidden item (services/moderation.py) is dropped like a deleted one, and comes back on restore.
    orgs = {o.id: o for part in in_slices(org_ids) for o in session.exec(select(Organization).where(
        Organization.id.in_(part), moderation.visible(Organization)))}
    for org_id in org_ids:
        org = orgs.get(org_id)
        if org is None or org.status == OrgStatus.DISSOLVED:
            index.remove((ORG, org_id))
        else:
            index.upsert((ORG, org_id), org.name, _org_text(org))
    issues = {i.id: i for part in in_slices(issue_ids) for i in session.exec(select(Issue).where(
        Issue.id.in_(part), moderation.visible(Issue)))}
    for issue_id in issue_ids:
        issue = issues.get(issue_id)
        if issue is None or issue.status not in SEARCHED_ISSUES:
            index.remove((ISSUE, issue_id))
        else:
            index.upsert((ISSUE, issue_id), issue.title, issue.body)
    return index


def _save_snapshot(index: SearchIndex, directory: Path) -> dict:
    index.save(directory)
    return {}


def _load_snapshot(directory: Path, extra: dict) -> SearchIndex:
    # index_snapshots has checked every file's size and SHA-256 against the pointer already.
    return SearchIndex.load(directory, verify=False)


SNAPSHOT = index_snapshots.SnapshotKind("search", _save_snapshot, _load_snapshot)
_indexes = VersionedCache(build_search_index, _replay, SNAPSHOT)


def snapshot_cache() -> VersionedCache:
    """This process's cache of the index, for `kyodo build-index` and the server's warm-up."""
    return _indexes


def current_index(session: Session) -> SearchIndex:
    """This worker's search index, brought up to the database's index version first."""
    return _indexes.get(session)


@dataclass(frozen=True)
class SearchHit:
    type: str  # ORG or ISSUE
    id: int
    title: str
    snippet: str
    label: str  # 地縁型 / 目的型 / 地域課題（状態）
    town: str
    score: float


def search(
    session: Session,
    *,
    query: str,
    type_: str | None = None,
    kind: OrgKind | None = None,
    area_id: int | None = None,
    theme_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[SearchHit]:
    hits = current_index(session).search(query)
    if kind is not None:
        type_ = ORG
    if type_ in (ORG, ISSUE):
        hits = [h for h in hits if h[0][0] == type_]
    if kind is not None or area_id is not None or theme_id is not None:
        allowed_orgs, allowed_issues = _allowed(session, kind=kind, area_id=area_id, theme_id=theme_id)
        hits = [h for h in hits if h[0][1] in (allowed_orgs if h[0][0] == ORG else allowed_issues)]
    page = clamp_page(page)
    window = hits[(page - 1) * per_page: page * per_page]
    return Page(_describe(session, window), page, per_page, len(hits))


def _allowed(session: Session, *, kind, area_id, theme_id) -> tuple[set[int], set[int]]:
    orgs = select(Organization.id)
    if kind is not None:
        orgs = orgs.where(Organization.kind == kind)
    if area_id is not None:
        orgs = orgs.where(Organization.id.in_(select(OrganizationArea.organization_id).where(OrganizationArea.area_id == area_id)))
    if theme_id is not None:
        orgs = orgs.where(Organization.id.in_(select(OrganizationTheme.organization_id).where(OrganizationTheme.theme_id == theme_id)))
    issues = select(Issue.id)
    if kind is not None:
        issues = issues.where(sa.false())
    if area_id is not None:
        issues = issues.where(Issue.area_id == area_id)
    if theme_id is not None:
        issues = issues.where(Issue.id.in_(select(IssueTheme.issue_id).where(IssueTheme.theme_id == theme_id)))
    return set(session.exec(orgs).all()), set(session.exec(issues).all())


def _snippet(text: str, length: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length] + "…"


def _describe(session: Session, window) -> list[SearchHit]:
    org_ids = [key[1] for key, _ in window if key[0] == ORG]
    issue_ids = [key[1] for key, _ in window if key[0] == ISSUE]
    orgs = {o.id: o for o in session.exec(select(Organization).where(Organization.id.in_(org_ids)))} if org_ids else {}
    issues = {
        i.id: (i, name)
        for i, name in session.exec(select(Issue, Area.name).join(Area, Area.id == Issue.area_id).where(Issue.id.in_(issue_ids)))
    } if issue_ids else {}
    out = []
    for (type_, id_), score in window:
        if type_ == ORG and id_ in orgs:
            o = orgs[id_]
            out.append(SearchHit(ORG, id_, o.name, _snippet(o.description or o.offers), o.kind.label, "", round(score, 3)))
        elif type_ == ISSUE and id_ in issues:
            i, town = issues[id_]
            out.append(SearchHit(ISSUE, id_, i.title, _snippet(i.body), f"地域課題（{i.status.label}）", town, round(score, 3)))
    return out
