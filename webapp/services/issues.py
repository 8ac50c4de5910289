"""Local issues (地域課題): posting, listing, 共感, comments and the public status history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    ACTIVE_ISSUE_STATUSES,
    Area,
    Comment,
    Issue,
    IssueCreate,
    IssueStatus,
    IssueStatusChange,
    IssueSupport,
    IssueTheme,
    RecordSource,
    Theme,
    User,
    utcnow,
)
from . import accounts, changes, issue_followers, moderation
from .errors import Conflict, Forbidden, NotFound
from .lookups import require_existing, require_row
from .pagination import PER_PAGE, Page, clamp_page

ANONYMOUS_REPORTER = "匿名の住民"
OPENED_REASON = "投稿されました"


@dataclass(frozen=True)
class IssueSummary:
    id: int
    title: str
    body: str
    area_name: str
    status: IssueStatus
    support_count: int
    created_at: datetime
    is_demo: bool


@dataclass(frozen=True)
class CommentView:
    author_name: str
    body: str
    created_at: datetime
    id: int = 0
    author_id: int = 0


@dataclass(frozen=True)
class StatusChangeView:
    old_status: IssueStatus | None
    new_status: IssueStatus
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class IssueDetail:
    issue: Issue
    area: Area
    reporter_name: str  # ANONYMOUS_REPORTER unless the reporter chose to show it
    theme_names: list[str]
    support_count: int
    viewer_supports: bool
    comments: list[CommentView]
    history: list[StatusChangeView]


def get_issue(session: Session, issue_id: int) -> Issue:
    return require_row(session, Issue, issue_id, what="地域課題")


def create_issue(
    session: Session,
    *,
    data: IssueCreate,
    reporter: User,
    source: RecordSource = RecordSource.WEB,
) -> Issue:
    accounts.require_confirmed(reporter)
    if session.get(Area, data.area_id) is None:
        raise NotFound("町名を一覧から選んでください。", field="area_id")
    issue = Issue(**data.model_dump(exclude={"theme_ids"}), reporter_id=reporter.id, source=source)
    session.add(issue)
    session.flush()
    set_issue_themes(session, issue=issue, theme_ids=data.theme_ids)
    session.add(
        IssueStatusChange(
            issue_id=issue.id, old_status=None, new_status=issue.status,
            reason=OPENED_REASON, changed_by_id=reporter.id,
        )
    )
    changes.record(session, entity=changes.ISSUE, entity_id=issue.id)
    session.flush()
    issue_followers.start_following(session, issue_id=issue.id, user_id=reporter.id)  # may unfollow later
    return issue


def set_issue_themes(session: Session, *, issue: Issue, theme_ids: list[int]) -> None:
    wanted = require_existing(session, Theme, theme_ids, what="テーマ", field="theme_ids")
    session.execute(sa.delete(IssueTheme).where(IssueTheme.issue_id == issue.id))
    session.add_all(IssueTheme(issue_id=issue.id, theme_id=t) for t in sorted(wanted))


def _support_counts():
    return (
        select(IssueSupport.issue_id, sa.func.count().label("n"))
        .group_by(IssueSupport.issue_id)
        .subquery()
    )


def list_issues(
    session: Session,
    *,
    statuses: list[IssueStatus] | None = None,
    area_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[IssueSummary]:
    counts = _support_counts()
    query = select(Issue, Area.name, sa.func.coalesce(counts.c.n, 0)).join(
        Area, Area.id == Issue.area_id
    ).outerjoin(counts, counts.c.issue_id == Issue.id).where(moderation.visible(Issue))
    if statuses:
        query = query.where(Issue.status.in_(statuses))
    else:  # a withdrawn issue keeps its page but leaves the lists (unless asked for by its status)
        query = query.where(Issue.status != IssueStatus.WITHDRAWN)
    if area_id is not None:
        query = query.where(Issue.area_id == area_id)
    total = session.exec(
        select(sa.func.count()).select_from(query.with_only_columns(Issue.id).subquery())
    ).one()
    page = clamp_page(page)
    rows = session.exec(
        query.order_by(Issue.created_at.desc(), Issue.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        IssueSummary(
            id=issue.id, title=issue.title, body=issue.body, area_name=area_name,
            status=issue.status, support_count=n, created_at=issue.created_at,
            is_demo=issue.source == RecordSource.DEMO,
        )
        for issue, area_name, n in rows
    ]
    return Page(items, page, per_page, total)


def get_detail(session: Session, *, issue_id: int, viewer: User | None) -> IssueDetail:
    # The issue, its town, its reporter's name and its 共感 count in one round trip: this is the
    # most viewed page, and every query waits on the database (issue 14).
    supports = select(sa.func.count()).select_from(IssueSupport) \
        .where(IssueSupport.issue_id == Issue.id).scalar_subquery()
    found = session.exec(
        select(Issue, Area, User.display_name, supports)
        .join(Area, Area.id == Issue.area_id)
        .join(User, User.id == Issue.reporter_id)
        .where(Issue.id == issue_id)
    ).first()
    if found is None:
        get_issue(session, issue_id)  # NotFound, worded as everywhere else
        raise NotFound("地域課題が見つかりませんでした。")
    issue, area, display_name, n_supports = found
    reporter_name = display_name if issue.show_reporter_name else ANONYMOUS_REPORTER
    theme_names = list(
        session.exec(
            select(Theme.name)
            .join(IssueTheme, IssueTheme.theme_id == Theme.id)
            .where(IssueTheme.issue_id == issue.id)
            .order_by(Theme.number)
        )
    )
    comments = [
        CommentView(name, c.body, c.created_at, c.id, c.author_id)
        for c, name in session.exec(
            select(Comment, User.display_name)
            .join(User, User.id == Comment.author_id)
            .where(Comment.issue_id == issue.id)
            .order_by(Comment.created_at, Comment.id)
        )
    ]
    history = [
        StatusChangeView(h.old_status, h.new_status, h.reason, h.created_at)
        for h in session.exec(
            select(IssueStatusChange)
            .where(IssueStatusChange.issue_id == issue.id)
            .order_by(IssueStatusChange.created_at, IssueStatusChange.id)
        )
    ]
    return IssueDetail(
        issue=issue,
        area=area,
        reporter_name=reporter_name,
        theme_names=theme_names,
        support_count=int(n_supports),
        viewer_supports=viewer is not None
        and session.get(IssueSupport, (issue.id, viewer.id)) is not None,
        comments=comments,
        history=history,
    )


def support_count(session: Session, *, issue_id: int) -> int:
    return session.exec(
        select(sa.func.count()).select_from(IssueSupport).where(IssueSupport.issue_id == issue_id)
    ).one()


def add_support(session: Session, *, issue_id: int, user: User) -> None:
    """共感: once per user and issue; reporters cannot support their own issue."""
    accounts.require_confirmed(user)
    issue = get_issue(session, issue_id)
    if issue.status == IssueStatus.WITHDRAWN:
        raise Conflict("取り下げられた地域課題には共感できません。")
    if issue.reporter_id == user.id:
        raise Conflict("ご自身の投稿には共感できません。")
    if session.get(IssueSupport, (issue_id, user.id)) is not None:
        raise Conflict("すでに共感しています。")
    session.add(IssueSupport(issue_id=issue_id, user_id=user.id))
    session.flush()


def remove_support(session: Session, *, issue_id: int, user: User) -> None:
    """Withdrawing 共感 also stops following (only supporters and the poster follow)."""
    support = session.get(IssueSupport, (issue_id, user.id))
    if support is None:
        raise NotFound("共感していません。")
    session.delete(support)
    session.flush()
    issue_followers.stop_following(session, issue_id=issue_id, user_id=user.id)


def add_comment(session: Session, *, issue_id: int, author: User, body: str) -> Comment:
    accounts.require_confirmed(author)
    issue = get_issue(session, issue_id)
    if issue.status == IssueStatus.WITHDRAWN:
        raise Conflict("取り下げられた地域課題にはコメントできません。", field="body")
    body = body.strip()
    if not body:
        raise Conflict("コメントを入力してください。", field="body")
    comment = Comment(issue_id=issue_id, author_id=author.id, body=body)
    session.add(comment)
    session.flush()
    issue_followers.commented(session, issue=issue, author_id=author.id)
    return comment


def change_status(
    session: Session, *, issue_id: int, new_status: IssueStatus, reason: str, staff: User
) -> IssueStatusChange:
    """Staff move an issue to another status with a reason; the change is recorded publicly."""
    if not staff.is_staff:
        raise Forbidden("状態を変更できるのは市職員だけです。")
    issue = session.exec(select(Issue).where(Issue.id == issue_id).with_for_update()).first()
    if issue is None:
        raise NotFound("地域課題が見つかりませんでした。")
    reason = reason.strip()
    if not reason:
        raise Conflict("変更の理由を入力してください。", field="reason")
    if issue.status == new_status:
        raise Conflict("すでにその状態です。", field="status")
    if IssueStatus.WITHDRAWN in (issue.status, new_status):  # the poster's own act, and final
        raise Conflict("取り下げは投稿者だけが行え、取り下げられた地域課題の状態は変更できません。", field="status")
    change = IssueStatusChange(
        issue_id=issue.id, old_status=issue.status, new_status=new_status,
        reason=reason, changed_by_id=staff.id,
    )
    issue.status = new_status
    issue.updated_at = utcnow()
    session.add_all([issue, change])
    # Closed issues leave the duplicate check and the suggestions, reopened ones come back.
    changes.record(session, entity=changes.ISSUE, entity_id=issue.id)
    session.flush()
    # The poster and the followers hear back (in-app, and by mail as each chose): status and reason.
    issue_followers.status_changed(session, issue=issue, new_label=new_status.label, reason=reason,
                                   actor_id=staff.id)
    return change


def titles(session: Session, *, issue_ids: list[int]) -> list[tuple[int, str]]:
    if not issue_ids:
        return []
    return list(session.exec(select(Issue.id, Issue.title).where(Issue.id.in_(issue_ids)).order_by(Issue.id)).all())


@dataclass(frozen=True)
class ConsortiumPrefill:
    title: str
    purpose: str
    area_id: int
    theme_ids: list[int]


def consortium_prefill(session: Session, *, issue_id: int) -> ConsortiumPrefill:
    issue = get_issue(session, issue_id)
    theme_ids = list(session.exec(select(IssueTheme.theme_id).where(IssueTheme.issue_id == issue_id)))
    if not theme_ids:  # the reporter chose none: the themes suggested for its text
        from .suggestions import suggest_theme_ids

        theme_ids = suggest_theme_ids(session, text=f"{issue.title}\n{issue.body}", k=2)
    return ConsortiumPrefill(
        title=issue.title,
        purpose=f"地域課題「{issue.title}」の解決に向けて、地域の団体とテーマの団体が力を合わせて取り組む。",
        area_id=issue.area_id,
        theme_ids=theme_ids,
    )


def list_by_reporter(session: Session, *, user_id: int) -> list[Issue]:
    return list(session.exec(select(Issue).where(Issue.reporter_id == user_id).order_by(Issue.created_at.desc())))


def open_issue_ids(session: Session, *, limit: int) -> list[int]:
    """The newest open or in-progress issues."""
    return list(session.exec(
        select(Issue.id).where(Issue.status.in_(ACTIVE_ISSUE_STATUSES))
        .order_by(Issue.created_at.desc(), Issue.id.desc()).limit(limit)
    ))
