"""Reporting (通報) and moderation of issues, comments and organization profiles (issue 11).

A confirmed person reports an item once, with a reason; the Nth distinct report since staff last
decided (KYODO_REPORTS_TO_HIDE, default 3) hides it until staff review it. Staff hide or restore
any item with a reason, from the moderation queue or the item's own page. A hidden item shows
「市が非公開にしました（理由）」 in place of its text to everyone but staff and its author, and
leaves lists, search, suggestions, the matching index (through the change log), the API and the
export. Every decision locks the item's row first, so reports and decisions on one item happen
one after another: the Nth report hides it exactly once, and a decision taken on a stale page
(``version``) is refused."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import (
    AuditEntry,
    Comment,
    ContentReport,
    Issue,
    Membership,
    ModerationCase,
    NotificationKind,
    Organization,
    ReportReason,
    User,
    utcnow,
)
from . import accounts, audit, changes, locks, notifications
from .errors import Conflict, Forbidden, NotFound

ISSUE, COMMENT, ORGANIZATION = audit.ISSUE, audit.COMMENT, audit.ORGANIZATION
MODELS = {ISSUE: Issue, COMMENT: Comment, ORGANIZATION: Organization}
LABELS = {ISSUE: "地域課題", COMMENT: "コメント", ORGANIZATION: "団体のプロフィール"}
CAUSES = {"report": "通報", "personal_info": "個人情報の警告後に投稿", "ng_word": "NGワードの警告後に投稿",
          "staff": "職員の判断"}
DEFAULT_REPORTS_TO_HIDE = 3
MAX_TEXT = 1000
HIDE, RESTORE = "hide", "restore"
HIDDEN_TITLE = "（非公開）"
HIDDEN_ISSUE_TITLE = "非公開の地域課題"  # how other pages name a hidden issue
HIDDEN_ORG_NAME = "非公開の団体"  # how other pages name a hidden organization
ACTIONS = {"report": "通報", "auto_hide": "通報による自動非公開", HIDE: "非公開", RESTORE: "再公開",
           "keep": "確認済み（公開のまま）"}


# ---------------------------------------------------------------- what every surface obeys
def hidden_ids(entity: str):
    """A subquery of the ids of hidden items of one kind."""
    return select(ModerationCase.entity_id).where(ModerationCase.entity == entity, ModerationCase.hidden.is_(True))


def visible(model) -> sa.ColumnElement[bool]:
    """A WHERE clause keeping the rows of ``model`` (Issue, Comment, Organization) that are not hidden."""
    entity = next(name for name, m in MODELS.items() if m is model)
    return model.id.not_in(hidden_ids(entity))


@dataclass(frozen=True)
class StaffReader:
    """Who reads what the system writes for staff only (a tick's notices to staff)."""

    id: None = None
    is_staff: bool = True


STAFF_READER = StaffReader()


def shown_org_names(session: Session, names: dict[int, str], *, viewer: User | StaffReader | None
                    ) -> dict[int, str]:
    """``names`` (organization id → name) as ``viewer`` may read them on other pages (協議体, 協定書,
    振り返り, the export): a hidden organization is 「非公開の団体」 to everyone but staff and its members."""
    if not names or (viewer is not None and viewer.is_staff):
        return names
    # Hidden organizations are few: reading them all beats a long IN list of the names asked for.
    hidden = set(session.exec(hidden_ids(ORGANIZATION)).all()) & names.keys()
    if not hidden:
        return names
    own = set(session.exec(select(Membership.organization_id).where(
        Membership.user_id == viewer.id, Membership.organization_id.in_(hidden))).all()) if viewer is not None else set()
    return {org_id: HIDDEN_ORG_NAME if org_id in hidden - own else name for org_id, name in names.items()}


def is_hidden(session: Session, *, entity: str, entity_id: int) -> bool:
    return session.exec(hidden_ids(entity).where(ModerationCase.entity_id == entity_id)).first() is not None


@dataclass(frozen=True)
class HiddenView:
    """How a hidden item appears to one viewer: the notice, and whether they still see its text."""

    reason: str
    text_visible: bool  # staff and the item's author see the text under the notice
    viewer_is_staff: bool

    @property
    def notice(self) -> str:
        return f"市が非公開にしました（{self.reason}）"


def author_ids(session: Session, *, entity: str, entity_id: int) -> set[int]:
    """Who wrote the item: the issue's poster, the comment's author, the organization's members."""
    if entity == ISSUE:
        return set(session.exec(select(Issue.reporter_id).where(Issue.id == entity_id)).all())
    if entity == COMMENT:
        return set(session.exec(select(Comment.author_id).where(Comment.id == entity_id)).all())
    return set(session.exec(select(Membership.user_id).where(Membership.organization_id == entity_id)).all())


def hidden_views(session: Session, *, entity: str, authors: dict[int, set[int]], viewer: User | None
                 ) -> dict[int, HiddenView]:
    """{item id: HiddenView} for the hidden ones among ``authors`` (item id → its author ids)."""
    if not authors:
        return {}
    cases = session.exec(select(ModerationCase).where(
        ModerationCase.entity == entity, ModerationCase.entity_id.in_(list(authors)), ModerationCase.hidden.is_(True)))
    staff = viewer is not None and viewer.is_staff
    return {c.entity_id: HiddenView(c.hidden_reason, staff or (viewer is not None and viewer.id in authors[c.entity_id]),
                                    staff)
            for c in cases}


def hidden_view(session: Session, *, entity: str, entity_id: int, viewer: User | None) -> HiddenView | None:
    if not is_hidden(session, entity=entity, entity_id=entity_id):
        return None
    views = hidden_views(session, entity=entity, viewer=viewer,
                         authors={entity_id: author_ids(session, entity=entity, entity_id=entity_id)})
    return views.get(entity_id)


def require_visible(session: Session, *, entity: str, entity_id: int, viewer: User | None) -> None:
    """NotFound for a hidden item unless the viewer may see its text (the API uses this)."""
    view = hidden_view(session, entity=entity, entity_id=entity_id, viewer=viewer)
    if view is not None and not view.text_visible:
        raise NotFound(f"この{LABELS[entity]}は{view.notice}。")


# ---------------------------------------------------------------- the item, locked
def _check_entity(entity: str) -> None:
    if entity not in MODELS:
        raise NotFound()


def _lock_item(session: Session, *, entity: str, entity_id: int):
    _check_entity(entity)
    item = locks.hold(session, MODELS[entity], entity_id)
    if item is None:
        raise NotFound(f"{LABELS[entity]}が見つかりませんでした。")
    return item


def _case(session: Session, *, entity: str, entity_id: int) -> ModerationCase:
    """The item's case, made on first use (callers hold the item's lock, so it is made once)."""
    case = session.exec(select(ModerationCase).where(
        ModerationCase.entity == entity, ModerationCase.entity_id == entity_id)).first()
    if case is None:
        case = ModerationCase(entity=entity, entity_id=entity_id)
        session.add(case)
    return case


def _title(session: Session, entity: str, item) -> str:
    if entity == ISSUE:
        return item.title
    if entity == ORGANIZATION:
        return item.name
    text = " ".join(item.body.split())
    return text if len(text) <= 30 else text[:30] + "…"


def link(session: Session, *, entity: str, entity_id: int) -> str:
    if entity == ISSUE:
        return f"/issues/{entity_id}"
    if entity == ORGANIZATION:
        return f"/orgs/{entity_id}"
    issue_id = session.exec(select(Comment.issue_id).where(Comment.id == entity_id)).first()
    return f"/issues/{issue_id}#comment-{entity_id}"


def _touch(session: Session, case: ModerationCase) -> None:
    case.version += 1
    case.updated_at = utcnow()
    session.add(case)


def _hide(session: Session, case: ModerationCase, *, reason: str, staff: User | None) -> None:
    case.hidden, case.hidden_reason, case.hidden_at = True, reason, utcnow()
    case.hidden_by_id = staff.id if staff is not None else None


def _index_changed(session: Session, case: ModerationCase) -> None:
    # Every worker replays this and drops (or takes back) the item from its search and matching indexes.
    if case.entity in (ISSUE, ORGANIZATION):
        changes.record(session, entity=case.entity, entity_id=case.entity_id)


def _tell_author(session: Session, *, entity: str, entity_id: int, title: str, message: str) -> None:
    notifications.notify(session, user_ids=author_ids(session, entity=entity, entity_id=entity_id),
                         kind=NotificationKind.MODERATION, message=f"{LABELS[entity]}「{title}」{message}",
                         link=link(session, entity=entity, entity_id=entity_id))


# ---------------------------------------------------------------- reporting
@dataclass(frozen=True)
class ReportTarget:
    entity: str
    entity_id: int
    label: str
    title: str
    link: str
    own: bool
    already_reported: bool


def report_target(session: Session, *, entity: str, entity_id: int, reporter: User) -> ReportTarget:
    """What the report form is about, and whether this person may report it."""
    _check_entity(entity)
    item = session.get(MODELS[entity], entity_id)
    if item is None:
        raise NotFound(f"{LABELS[entity]}が見つかりませんでした。")
    reported = session.exec(select(ContentReport.id).where(
        ContentReport.entity == entity, ContentReport.entity_id == entity_id,
        ContentReport.reporter_id == reporter.id)).first() is not None
    title = HIDDEN_TITLE if is_hidden(session, entity=entity, entity_id=entity_id) else _title(session, entity, item)
    return ReportTarget(entity, entity_id, LABELS[entity], title, link(session, entity=entity, entity_id=entity_id),
                        reporter.id in author_ids(session, entity=entity, entity_id=entity_id), reported)


def report(
    session: Session, *, entity: str, entity_id: int, reporter: User, reason: ReportReason, text: str = "",
    reports_to_hide: int = DEFAULT_REPORTS_TO_HIDE,
) -> ContentReport:
    """Record a report; the ``reports_to_hide``-th open report hides the item pending review.
    Returns the report. The author is never told who reported."""
    accounts.require_confirmed(reporter)
    text = (text or "").strip()
    if reason == ReportReason.OTHER and not text:
        raise Conflict("「その他」を選んだときは、内容を書いてください。", field="text")
    if len(text) > MAX_TEXT:
        raise Conflict(f"{MAX_TEXT}文字以内で入力してください。", field="text")
    item = _lock_item(session, entity=entity, entity_id=entity_id)
    if reporter.id in author_ids(session, entity=entity, entity_id=entity_id):
        raise Conflict("ご自身の投稿は通報できません。")
    row = ContentReport(entity=entity, entity_id=entity_id, reporter_id=reporter.id, reason=reason, text=text)
    try:
        with session.begin_nested():  # the unique constraint is the last word on "once per person"
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict("この内容はすでに通報しています。市の職員が確認します。") from None
    case = _case(session, entity=entity, entity_id=entity_id)
    case.open_reports += 1
    case.needs_review = True
    case.cause = "report"
    _touch(session, case)
    audit.record(session, actor=reporter, entity=entity, entity_id=entity_id, action="report",
                 summary=f"{LABELS[entity]}が通報されました（{reason.label}）",
                 details={"report_reason": reason.value, "report_text": text, "open_reports": case.open_reports})
    if not case.hidden and case.open_reports >= max(1, reports_to_hide):
        reason_text = f"{case.open_reports}人から通報があったため、市が確認するまで非公開にしています"
        _hide(session, case, reason=reason_text, staff=None)
        audit.record(session, actor=None, entity=entity, entity_id=entity_id, action="auto_hide",
                     summary=f"{LABELS[entity]}を通報{case.open_reports}件により自動で非公開にしました",
                     details={"open_reports": case.open_reports, "hidden_reason": reason_text})
        _index_changed(session, case)
        _tell_author(session, entity=entity, entity_id=entity_id, title=_title(session, entity, item),
                     message="は複数の方から通報があったため、市の職員が確認するまで非公開になりました。")
    session.flush()
    return row


# ---------------------------------------------------------------- staff decisions
def queue_for_review(session: Session, *, entity: str, entity_id: int, cause: str) -> None:
    """Put an item in the staff queue (posted after a guard warning); it stays public meanwhile."""
    _check_entity(entity)
    case = _case(session, entity=entity, entity_id=entity_id)
    case.needs_review = True
    case.cause = cause
    _touch(session, case)
    session.flush()


def decide(
    session: Session, *, entity: str, entity_id: int, staff: User, action: str, reason: str,
    version: int | None = None,
) -> ModerationCase:
    """Staff hide an item, or restore it (or keep a reported one public), with a reason.

    Transitions are checked under the item's lock: hiding a hidden item, or restoring a public one
    nobody is waiting on, is refused; so is a decision taken on a page showing an older ``version``."""
    if not staff.is_staff:
        raise Forbidden("非公開・再公開の判断ができるのは市職員だけです。")
    if action not in (HIDE, RESTORE):
        raise Conflict("非公開にするか公開するかを選んでください。", field="action")
    reason = (reason or "").strip()
    if not reason:
        raise Conflict("理由を入力してください。", field="reason")
    if len(reason) > MAX_TEXT:
        raise Conflict(f"{MAX_TEXT}文字以内で入力してください。", field="reason")
    item = _lock_item(session, entity=entity, entity_id=entity_id)
    case = _case(session, entity=entity, entity_id=entity_id)
    if version is not None and version != case.version:
        raise Conflict("ほかの職員が先に対応したか、新しい通報がありました。内容を確かめてからもう一度選んでください。",
                       field="action")
    title = _title(session, entity, item)
    if action == HIDE:
        if case.hidden and not case.needs_review:
            raise Conflict("すでに非公開です。", field="action")
        _hide(session, case, reason=reason, staff=staff)
        _index_changed(session, case)
        _tell_author(session, entity=entity, entity_id=entity_id, title=title,
                     message=f"を市が非公開にしました。理由：{reason}")
        done, summary = HIDE, f"{LABELS[entity]}を非公開にしました"
    else:
        if not case.hidden and not case.needs_review:
            raise Conflict("すでに公開されています。", field="action")
        if case.hidden:
            case.hidden, case.hidden_reason, case.hidden_at, case.hidden_by_id = False, "", None, None
            _index_changed(session, case)
            _tell_author(session, entity=entity, entity_id=entity_id, title=title,
                         message=f"を市が確認し、再び公開しました。理由：{reason}")
            done, summary = RESTORE, f"{LABELS[entity]}を再び公開しました"
        else:
            done, summary = "keep", f"{LABELS[entity]}を確認し、公開のままにしました"
    case.needs_review = False
    case.open_reports = 0
    case.cause = case.cause or "staff"  # what brought it to staff first, kept for the queue
    _touch(session, case)
    audit.record(session, actor=staff, entity=entity, entity_id=entity_id, action=done, summary=summary,
                 details={"moderation_reason": reason})
    _guard_reviews_done(session, entity=entity, entity_id=entity_id)
    session.flush()
    return case


def _guard_reviews_done(session: Session, *, entity: str, entity_id: int) -> None:
    from .personal_info import NG_WORD_POSTED_ANYWAY, POSTED_ANYWAY

    for entry in session.exec(select(AuditEntry).where(
            AuditEntry.entity == entity, AuditEntry.entity_id == entity_id,
            AuditEntry.action.in_([POSTED_ANYWAY, NG_WORD_POSTED_ANYWAY]))):
        if (entry.details or {}).get("review") == "pending":
            entry.details = {**entry.details, "review": "done"}
            session.add(entry)
