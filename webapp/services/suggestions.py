"""Suggestions with reasons, from the matching engine, for the pages and the API.

Each server worker keeps its own fitted `matching.MatchingIndex` in memory, with the change-log
version it reflects (services/changes.py); before answering, a worker compares that with the
database and replays only the organizations and issues changed since (upsert or remove) and the
towns `kyodo seed` corrected, so an edited profile shows in every worker on its next request.
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlmodel import Session, select

import matching
from matching import IssueProfile, OrgProfile, Town

from ..models import (
    ACTIVE_ISSUE_STATUSES,
    Area,
    Issue,
    IssueStatus,
    IssueSupport,
    IssueTheme,
    NotificationKind,
    Organization,
    OrganizationArea,
    OrganizationTheme,
    OrgKind,
    OrgStatus,
    Theme,
    User,
)
from . import changes, index_snapshots, moderation
from . import consortia as consortium_service
from . import notifications
from . import organizations as org_service
from . import suggestion_cache
from .lookups import in_slices
from .worker_cache import VersionedCache


# ---------------------------------------------------------------- what the pages get
@dataclass(frozen=True)
class ReasonView:
    type: str  # "terms" | "themes" | "towns" | "distance"
    text: str  # a Japanese sentence for the page
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrgSuggestion:
    organization_id: int
    name: str
    kind: OrgKind
    score: float
    reasons: list[ReasonView]
    verified: bool = False  # 確認済み by staff


@dataclass(frozen=True)
class IssueSuggestion:
    issue_id: int
    title: str
    area_name: str
    score: float
    reasons: list[ReasonView]


@dataclass(frozen=True)
class SimilarIssue:
    issue_id: int
    title: str
    area_name: str
    support_count: int
    score: float
    shared_terms: list[str]


@dataclass(frozen=True)
class IssueSuggestions:
    territorial: list[OrgSuggestion]
    thematic: list[OrgSuggestion]
    team: list[OrgSuggestion]
    team_note: str


@dataclass(frozen=True)
class OrganizationSuggestions:
    partners: list[OrgSuggestion]
    issues: list[IssueSuggestion]


# ---------------------------------------------------------------- rows → matching profiles
def _codes_by(session: Session, link_model, owner_column: str, ids: list[int]) -> dict[int, list[str]]:
    owner = getattr(link_model, owner_column)
    out: dict[int, list[str]] = {}
    for part in in_slices(ids):
        for owner_id, code in session.exec(
            select(owner, Theme.code).join(Theme, Theme.id == link_model.theme_id).where(owner.in_(part))
        ):
            out.setdefault(owner_id, []).append(code)
    return out


def _org_profiles(session: Session, orgs) -> list[OrgProfile]:
    """Profiles of organizations given as rows or as `_ORG_COLUMNS` tuples."""
    ids = [o.id for o in orgs]
    towns: dict[int, list[str]] = {}
    joined: dict[int, int] = {}
    for part in in_slices(ids):
        for org_id, name in session.exec(
            select(OrganizationArea.organization_id, Area.name)
            .join(Area, Area.id == OrganizationArea.area_id)
            .where(OrganizationArea.organization_id.in_(part))
        ):
            towns.setdefault(org_id, []).append(name)
        joined.update(consortium_service.participation(session, org_ids=part))
    themes = _codes_by(session, OrganizationTheme, "organization_id", ids)
    return [
        OrgProfile(
            id=o.id, kind=o.kind.value, name=o.name, description=o.description, offers=o.offers,
            needs=o.needs, towns=tuple(towns.get(o.id, ())), themes=tuple(themes.get(o.id, ())),
            capacity=o.capacity, active_teams=joined.get(o.id, 0),
        )
        for o in orgs
    ]


def _issue_profiles(session: Session, issues) -> list[IssueProfile]:
    """Profiles of issues given as rows or as `_ISSUE_COLUMNS` tuples."""
    if not issues:  # a replay of organizations only: no query for the towns' names
        return []
    ids = [i.id for i in issues]
    area_names = dict(session.exec(select(Area.id, Area.name)).all())
    themes = _codes_by(session, IssueTheme, "issue_id", ids)
    return [
        IssueProfile(id=i.id, title=i.title, body=i.body, town=area_names.get(i.area_id, ""),
                     themes=tuple(themes.get(i.id, ())))
        for i in issues
    ]


def _towns(session: Session, *, area_ids: set[int] | None = None) -> list[Town]:
    query = select(Area) if area_ids is None else select(Area).where(Area.id.in_(area_ids))
    return [Town(a.name, a.lat, a.lng, a.district) for a in session.exec(query)]


# ---------------------------------------------------------------- the per-worker index
# Incremental updates keep the document frequencies of the last fit. They are a good estimate
# while the collection is large and stable; a young city that starts with a handful of profiles
# refits once as many profiles have changed as half of those it was fitted on.
REFIT_BELOW = 200
REFIT_AFTER_CHANGED_SHARE = 0.5


_generations = itertools.count(1)


@dataclass
class _Fitted:
    index: object  # matching.MatchingIndex
    fitted: int  # profiles in the fit
    changed: int = 0  # profiles upserted or removed since
    generation: int = field(default_factory=lambda: next(_generations))  # a new one per fit
    # The sum, over the replays since the fit, of the largest change of any organization's hub
    # mean (matching.reach.hub_means): kept suggestions tell from it how far scores can have moved.
    drift: float = 0.0


# A fit reads only these columns: whole rows (with contacts, dates and ORM state) are ≈ 2.8 KB
# each and would stay in memory through the fit's peak (0.8 GB at 300,000 organizations).
_ORG_COLUMNS = (Organization.id, Organization.kind, Organization.name, Organization.description,
                Organization.offers, Organization.needs, Organization.capacity)
_ISSUE_COLUMNS = (Issue.id, Issue.title, Issue.body, Issue.area_id)


def _build(session: Session) -> _Fitted:
    """A fitted index of every active organization and every open issue (a full refit)."""
    orgs = session.exec(select(*_ORG_COLUMNS).where(Organization.status == OrgStatus.ACTIVE,
                                                    moderation.visible(Organization))).all()
    issues = session.exec(select(*_ISSUE_COLUMNS).where(Issue.status.in_(ACTIVE_ISSUE_STATUSES),
                                                        moderation.visible(Issue))).all()
    org_profiles, issue_profiles = _org_profiles(session, orgs), _issue_profiles(session, issues)
    del orgs, issues
    index = matching.MatchingIndex().fit(org_profiles, issue_profiles, _towns(session))
    return _Fitted(index, len(org_profiles) + len(issue_profiles))


def _replay(session: Session, fitted: _Fitted, changed: Mapping[str, set[int]]) -> _Fitted:
    org_ids, issue_ids = changed.get(changes.ORGANIZATION, set()), changed.get(changes.ISSUE, set())
    fitted.changed += len(org_ids) + len(issue_ids)
    if fitted.fitted < REFIT_BELOW and fitted.changed > max(1, fitted.fitted) * REFIT_AFTER_CHANGED_SHARE:
        return _build(session)
    # The theme model is fitted on the themes' names, descriptions and keywords: a corrected theme
    # (`kyodo seed`) needs a refit. Profiles hold theme codes and town names, which seed never
    # changes (it matches rows by them), so only the towns' centroids are replayed in place.
    if changed.get(changes.THEME):
        return _build(session)
    from matching import reach

    index = fitted.index
    area_ids = changed.get(changes.AREA)
    if area_ids:
        for town in _towns(session, area_ids=area_ids):
            index.upsert_town(town)
    # Hidden items (services/moderation.py) leave the index as removed ones do, and come back on restore.
    orgs = [o for part in in_slices(org_ids) for o in session.exec(select(Organization).where(
        Organization.id.in_(part), moderation.visible(Organization)))]
    live_orgs = [o for o in orgs if o.status == OrgStatus.ACTIVE]
    profiles = _org_profiles(session, live_orgs)
    # The hub means move only when a request (an organization's stated needs, or an issue) is
    # added, removed or reworded; computing them for every organization twice is most of a
    # replay's cost otherwise (issue 14).
    requests_kept = not issue_ids and len(profiles) == len(org_ids) and all(
        _same_needs(index, p) for p in profiles)
    means = None if requests_kept else reach.hub_means(index)
    for profile in profiles:
        index.upsert_org(profile)
    for org_id in org_ids - {o.id for o in live_orgs}:
        index.remove_org(org_id)
    issues = [i for part in in_slices(issue_ids) for i in session.exec(
        select(Issue).where(Issue.id.in_(part), moderation.visible(Issue)))]
    live_issues = [i for i in issues if i.status in ACTIVE_ISSUE_STATUSES]
    for profile in _issue_profiles(session, live_issues):
        index.upsert_issue(profile)
    for issue_id in issue_ids - {i.id for i in live_issues}:
        index.remove_issue(issue_id)
    if means is not None:
        fitted.drift += reach.largest_move(index, means)
    return fitted


def _same_needs(index, profile) -> bool:
    """Whether the index holds this organization, alive, with the same stated needs."""
    slot = index.orgs_.slot.get(profile.id)
    return slot is not None and index.orgs_.profiles[slot].needs == profile.needs


def _save_snapshot(fitted: _Fitted, directory) -> dict:
    from matching.persist import save_index
    from nlp.theme_scoring import default_classifier

    # The theme classifier (suggest_theme_ids) goes with it: the snapshot's key covers the code
    # and data that train it, and a start from the snapshot then trains nothing.
    save_index(fitted.index, directory, theme_classifier=default_classifier())
    return {"fitted": fitted.fitted, "changed": fitted.changed}


def _load_snapshot(directory, extra: dict) -> _Fitted:
    from matching.persist import SnapshotError, load_snapshot
    from nlp.theme_scoring import use_default_classifier

    # index_snapshots has checked every file against the hashes it wrote.
    snapshot = load_snapshot(directory, verify=False)
    if snapshot.theme_classifier is None:
        raise SnapshotError("the snapshot holds no theme classifier")
    use_default_classifier(snapshot.theme_classifier)
    return _Fitted(snapshot.index, int(extra["fitted"]), int(extra["changed"]))


SNAPSHOT = index_snapshots.SnapshotKind("matching", _save_snapshot, _load_snapshot)
_indexes = VersionedCache(_build, _replay, SNAPSHOT)


def snapshot_cache() -> VersionedCache:
    """This process's cache of the index, for `kyodo build-index` and the server's warm-up."""
    return _indexes


def build_index(session: Session):
    """A freshly fitted index (a full refit), e.g. for `kyodo refit-index` or a benchmark."""
    return _build(session).index


def current_index(session: Session):
    """This worker's matching index, brought up to the database's index version first."""
    return _indexes.get(session).index


def forget_indexes() -> None:
    """Drop this worker's indexes and results; the next request refits from the database."""
    _indexes.clear()
    suggestion_cache.clear()


# ---------------------------------------------------------------- reasons in Japanese
def _term_text(term) -> str:
    if term.left == term.right:
        return term.left
    bridge = f"「{term.left}」≈「{term.right}」"
    # A glossary bridge names its group, so 「顔を出せ」≈「目が届か」 reads as a kind of 見守り.
    if term.via == "glossary" and term.group and term.group not in (term.left, term.right):
        bridge += f"（{term.group}）"
    return bridge


def explain(reasons) -> list[ReasonView]:
    out = []
    if reasons.terms:
        items = tuple(_term_text(t) for t in reasons.terms[:6])
        out.append(ReasonView("terms", "共通することば: " + "、".join(items), items))
    if reasons.themes:
        out.append(ReasonView("themes", "共通のテーマ: " + "、".join(reasons.themes), tuple(reasons.themes)))
    if reasons.towns:
        out.append(ReasonView("towns", "活動地域が重なる町: " + "、".join(reasons.towns), tuple(reasons.towns)))
    if reasons.distance_km is not None and not reasons.towns:
        out.append(ReasonView("distance", f"活動地域まで約{reasons.distance_km:.1f}km",
                              (f"{reasons.distance_km:.1f}",)))
    return out


# ---------------------------------------------------------------- queries for the pages
def _org_views(session: Session, matches) -> list[OrgSuggestion]:
    return _org_views_of(session, matches)[0]


def _org_views_of(session: Session, *lists) -> list[list[OrgSuggestion]]:
    """Each list of matches as the page shows it, the organizations read in one query."""
    ids = sorted({m.id for matches in lists for m in matches})
    orgs = {o.id: o for o in session.exec(select(Organization).where(Organization.id.in_(ids)))} if ids else {}
    return [[
        OrgSuggestion(m.id, orgs[m.id].name, orgs[m.id].kind, round(float(m.score), 4), explain(m.reasons),
                      orgs[m.id].verified)
        for m in matches
        if m.id in orgs
    ] for matches in lists]


def _issue_profile(session: Session, issue: Issue) -> IssueProfile:
    return _issue_profiles(session, [issue])[0]


# Seconds an issue page may keep showing suggestions that a change has altered, while they are
# recomputed after the response (services/suggestion_cache.py).
DEFAULT_MAX_AGE = 5.0
WITHDRAWN_NOTE = "投稿者が取り下げた地域課題には、団体を提案しません。"


def for_issue(session: Session, *, issue_id: int, k: int = 5, max_age: float | None = None,
              shared_url: str | None = None) -> IssueSuggestions:
    """Suggestions for an issue page. A kept result is served while no change since can alter it;
    one a change altered is served for at most ``max_age`` seconds after it was last known current
    (KYODO_SUGGESTIONS_MAX_AGE) while it is recomputed after the response, and recomputed before
    answering beyond that. ``shared_url`` (KYODO_REDIS_URL) shares results between workers."""
    issue = session.get(Issue, issue_id)
    if issue is not None and issue.status == IssueStatus.WITHDRAWN:
        return IssueSuggestions([], [], [], WITHDRAWN_NOTE)  # it left the suggestions with the index
    if has_app_context():
        config = current_app.config
        max_age = float(config.get("KYODO_SUGGESTIONS_MAX_AGE", DEFAULT_MAX_AGE)) if max_age is None else max_age
        shared_url = config.get("KYODO_REDIS_URL", "") if shared_url is None else shared_url
    return suggestion_cache.serve(
        session, key=(session.get_bind().url.render_as_string(hide_password=False), issue_id, k),
        max_age=DEFAULT_MAX_AGE if max_age is None else max_age, shared_url=shared_url or "",
        current=_indexes.get_versioned, held_index=_indexes.held,
        compute=lambda own, fitted, profile: _pools_and_suggestions(own, fitted.index, profile, k=k),
        profile=lambda own: _issue_profile(own, own.get(Issue, issue_id)),
    )


TERRITORIAL_SHOWN = 2  # territorial organizations an issue page lists (thematic: k)


def _pools_and_suggestions(session: Session, index, profile: IssueProfile, *, k: int):
    """The issue's candidate pools (the team is proposed from them) and its page's suggestions,
    which are the pools' first matches: ranked once, with reasons only for the matches shown."""
    pools = suggestion_cache.candidate_pools(index, profile, shown=(k, TERRITORIAL_SHOWN))
    return pools, _compute_for_issue(session, index, profile, k=k, pools=pools)


def _compute_for_issue(session: Session, index, profile: IssueProfile, *, k: int, pools=None) -> IssueSuggestions:
    """``pools``: as suggestion_cache.candidate_pools gives them (ranked afresh when None)."""
    if pools is None:
        territorial = index.rank_territorial(profile, k=TERRITORIAL_SHOWN)
        thematic = index.rank_thematic(profile, k=k)
    else:
        territorial, thematic = pools[1][:TERRITORIAL_SHOWN], pools[0][:k]
    exposure = consortium_service.participation(session, org_ids=[m.id for m in thematic + territorial])
    team = index.propose_team(profile, exposure=exposure, pools=pools)
    territorial_views, thematic_views, team_views = _org_views_of(session, territorial, thematic,
                                                                  team.members)
    note = "地縁型と目的型の団体を合わせて、課題の町とテーマを少ない団体で受け持てる組み合わせです。"
    if team.missing:
        note = "条件をすべて満たす組み合わせは見つかりませんでした（不足: " + "、".join(team.missing) + "）。"
    return IssueSuggestions(territorial_views, thematic_views, team_views, note)


def for_organization(session: Session, *, org_id: int, k: int = 5) -> OrganizationSuggestions:
    """Reciprocal partners and matching open issues, for the organization's members and staff."""
    index = current_index(session)
    org = session.get(Organization, org_id)
    if org is None or org.status != OrgStatus.ACTIVE:
        return OrganizationSuggestions([], [])
    profile = _org_profiles(session, [org])[0]
    partners = _org_views(session, index.rank_partners(profile, k=k))
    issue_matches = index.rank_issues(profile, k=k)
    ids = [m.id for m in issue_matches]
    rows = {
        i.id: (i, name)
        for i, name in session.exec(
            select(Issue, Area.name).join(Area, Area.id == Issue.area_id).where(Issue.id.in_(ids))
        )
    } if ids else {}
    issues = [
        IssueSuggestion(m.id, rows[m.id][0].title, rows[m.id][1], round(float(m.score), 4), explain(m.reasons))
        for m in issue_matches
        if m.id in rows
    ]
    return OrganizationSuggestions(partners, issues)


def similar_issues(
    session: Session, *, title: str, body: str, area_id: int | None = None, k: int = 5
) -> list[SimilarIssue]:
    """Open issues most like a draft, for the duplicate check while a resident writes: found by
    title and body alone, those in the draft's town (when chosen) listed first."""
    index = current_index(session)
    # The town is left out of the query: a duplicate is a duplicate wherever it was posted, and a
    # draft without a town would otherwise have every score scaled down below the threshold.
    draft = IssueProfile(id=None, title=title, body=body, town="")
    fits = {m.id: (m.score / m.town if m.town else 0.0, m) for m in index.similar_issues(draft, k=2 * k)}
    fits = {i: fm for i, fm in fits.items() if fm[0] >= SIMILAR_MIN_SCORE}
    if not fits:
        return []
    ids = list(fits)
    counts = dict(session.exec(
        select(IssueSupport.issue_id, sa.func.count()).where(IssueSupport.issue_id.in_(ids))
        .group_by(IssueSupport.issue_id)
    ).all())
    rows = {i.id: (i, name) for i, name in session.exec(
        select(Issue, Area.name).join(Area, Area.id == Issue.area_id).where(Issue.id.in_(ids))
    )}
    order = sorted((i for i in ids if i in rows), key=lambda i: (rows[i][0].area_id != area_id, -fits[i][0], i))
    return [
        SimilarIssue(i, rows[i][0].title, rows[i][1], counts.get(i, 0), round(fits[i][0], 4),
                     [_term_text(t) for t in fits[i][1].reasons.terms[:5]])
        for i in order[:k]
    ]


# Calibrated on the demo issues: rewordings of an existing issue score 0.43–0.52, the most similar
# unrelated issue 0.02–0.11 (docs/BENCHMARKS.md, web app section).
SIMILAR_MIN_SCORE = 0.15


def suggest_theme_ids(session: Session, *, text: str, k: int = 3) -> list[int]:
    """Theme ids suggested for a text (organization profile or issue), best first."""
    import nlp

    codes = [code for code, _score in nlp.suggest_themes(text, k=k)]
    by_code = dict(session.exec(select(Theme.code, Theme.id).where(Theme.code.in_(codes))).all())
    return [by_code[c] for c in codes if c in by_code]


def may_propose_consortium(session: Session, *, user: User | None) -> bool:
    if user is None:
        return False
    return user.is_staff or bool(org_service.owned_organizations(session, user=user))


# Matching scores are small: the dev set's best answers score about 0.16 (median), unrelated groups
# about 0.001, so 0.05 keeps the plausible ones.
NOTIFY_MIN_SCORE = 0.05


def notify_matching_organizations(
    session: Session, *, issue: Issue, k: int = 3, min_score: float = NOTIFY_MIN_SCORE
) -> None:
    """Tell the owners of the best-fitting organizations that a new issue matches them."""
    index = current_index(session)
    profile = _issue_profile(session, issue)
    matches = [m for m in index.rank_thematic(profile, k=k, explain=False) if m.score >= min_score]
    matches += [m for m in index.rank_territorial(profile, k=1, explain=False) if m.town >= 1.0]
    if matches:
        notifications.notify_org_owners(
            session, org_ids=[m.id for m in matches], exclude_user_id=issue.reporter_id,
            kind=NotificationKind.MATCHING_ISSUE,
            message=f"団体の活動に合いそうな地域課題「{issue.title}」が投稿されました。",
            link=f"/issues/{issue.id}",
        )

