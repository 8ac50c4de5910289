"""A poster corrects or withdraws (取り下げ) their own issue.

Rule: the poster may edit the title, body, town and themes, or withdraw the issue with a reason,
while nobody else has acted on it yet: no 協議体 has taken it up (a ConsortiumIssue row, whatever
that 協議体's state) and staff have not changed its status (its status history holds only the
opening row). After that the issue is the city's and the 協議体's shared record, and a change of
wording or a withdrawal would pull it out from under them; the poster comments instead.

Each edit is public history (IssueEdit: per field, before and after). The edit form carries a
fingerprint of what the poster saw (services.edit_check, as for 協定書 drafts): a save made from
a page older than what is stored is refused. Decisions lock the issue row, and so do staff status
changes and a 協議体 taking issues up (hold_for_take_up), so the rule holds under concurrency."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup
from sqlmodel import Session, select

from nlp.personal_info import find_personal_info

from ..models import (
    Area,
    ConsortiumIssue,
    Issue,
    IssueEdit,
    IssueStatus,
    IssueStatusChange,
    IssueTheme,
    IssueUpdate,
    Theme,
    User,
    utcnow,
)
from . import accounts, audit, changes, edit_check, issue_followers, locks, textdiff
from .errors import Conflict, Forbidden, NotFound
from .issues import get_issue, set_issue_themes

FIELD_LABELS = {"title": "タイトル", "area": "町名", "themes": "テーマ", "body": "内容"}
MAX_REASON = 1000
MASK = "［個人情報の可能性があるため非表示］"
WITHDRAWN_BY_POSTER = "投稿者が取り下げました"

NOT_POSTER = "編集や取り下げができるのは、この地域課題を投稿した方だけです。"
LOCKED_WITHDRAWN = "取り下げられた地域課題は、編集も取り下げもできません。"
LOCKED_STATUS = "市がこの地域課題の状態を変更したため、編集や取り下げはできなくなりました。補足はコメントでお願いします。"
LOCKED_CONSORTIUM = "協議体がこの地域課題に取り組んでいるため、編集や取り下げはできなくなりました。補足はコメントでお願いします。"


class EditedMeanwhile(Conflict):
    default_message = ("あなたがこの画面を開いた後に、地域課題が別の画面で変更されました。あなたの内容はまだ保存されていません。"
                       "別のタブで今の内容を確かめ、必要なら合わせてから、もう一度保存してください。")


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str
    diff: Markup | None = None  # the body: the new text with <del>/<ins> marks


@dataclass(frozen=True)
class EditView:
    created_at: datetime
    changes: list[FieldChange]


@dataclass(frozen=True)
class PosterView:
    """What the issue page shows about the poster's own acts."""

    may_edit: bool  # the viewer is the poster and the rule above still allows it
    locked_reason: str  # why the poster can no longer edit ("" if they can, or the viewer is not the poster)
    withdrawn_reason: str | None  # the poster's reason, if withdrawn
    withdrawn_at: datetime | None
    edits: list[EditView]


# ---------------------------------------------------------------- the rule
def locked_reason(session: Session, *, issue: Issue) -> str:
    """Why the poster may no longer edit or withdraw this issue ("" while they may)."""
    if issue.status == IssueStatus.WITHDRAWN:
        return LOCKED_WITHDRAWN
    changed = session.exec(select(sa.func.count()).select_from(IssueStatusChange).where(
        IssueStatusChange.issue_id == issue.id)).one()
    if issue.status != IssueStatus.OPEN or changed > 1:
        return LOCKED_STATUS
    taken = session.exec(select(ConsortiumIssue.consortium_id).where(ConsortiumIssue.issue_id == issue.id)).first()
    if taken is not None:
        return LOCKED_CONSORTIUM
    return ""


def _require_poster(issue: Issue, user: User) -> None:
    if user is None or issue.reporter_id != user.id:
        raise Forbidden(NOT_POSTER)


def ensure_editable(session: Session, *, issue_id: int, user: User) -> Issue:
    """The issue, if ``user`` posted it and may still edit or withdraw it (Forbidden / Conflict otherwise)."""
    issue = get_issue(session, issue_id)
    _require_poster(issue, user)
    reason = locked_reason(session, issue=issue)
    if reason:
        raise Conflict(reason)
    return issue


def _hold_editable(session: Session, *, issue_id: int, user: User) -> Issue:
    accounts.require_confirmed(user)
    issue = locks.hold(session, Issue, issue_id)  # staff status changes and take-ups wait for us
    if issue is None:
        raise NotFound("地域課題が見つかりませんでした。")
    return ensure_editable(session, issue_id=issue_id, user=user)


def hold_for_take_up(session: Session, *, issue_ids: list[int]) -> None:
    """Before a 協議体 takes issues up: lock them (an edit in flight finishes first, and none starts
    after) and refuse withdrawn ones."""
    for issue_id in sorted(set(issue_ids)):
        issue = locks.hold(session, Issue, issue_id)
        if issue is not None and issue.status == IssueStatus.WITHDRAWN:
            raise Conflict(f"地域課題「{issue.title}」は投稿者が取り下げたため、協議体で取り上げられません。",
                           field="issue_ids")


# ---------------------------------------------------------------- editing
def _theme_ids(session: Session, issue_id: int) -> list[int]:
    return sorted(session.exec(select(IssueTheme.theme_id).where(IssueTheme.issue_id == issue_id)))


def fingerprint(session: Session, *, issue: Issue) -> str:
    """What the edit form carries: a digest of the editable fields as stored now."""
    return edit_check.fingerprint(issue.id, issue.title, issue.body, issue.area_id,
                                  ",".join(map(str, _theme_ids(session, issue.id))), issue.status.value)


def current_values(session: Session, *, issue: Issue) -> dict:
    """The form's initial data."""
    return {"title": issue.title, "body": issue.body, "area": issue.area_id, "themes": _theme_ids(session, issue.id)}


def _theme_names(session: Session, ids: list[int]) -> list[str]:
    if not ids:
        return []
    return list(session.exec(select(Theme.name).where(Theme.id.in_(ids)).order_by(Theme.number)))


def edit_issue(session: Session, *, issue_id: int, user: User, data: IssueUpdate,
               seen: str | None = None) -> IssueEdit | None:
    """Apply the poster's edit and keep it in the public history; None when nothing changed.
    ``seen``: the fingerprint the form carried (EditedMeanwhile if the issue changed since)."""
    issue = _hold_editable(session, issue_id=issue_id, user=user)
    if not edit_check.unchanged(fingerprint(session, issue=issue), seen):
        raise EditedMeanwhile()
    if session.get(Area, data.area_id) is None:
        raise NotFound("町名を一覧から選んでください。", field="area_id")
    old_themes = _theme_ids(session, issue.id)
    recorded: dict[str, list] = {}
    if data.title != issue.title:
        recorded["title"] = [issue.title, data.title]
    if data.area_id != issue.area_id:
        recorded["area"] = [session.get(Area, issue.area_id).name, session.get(Area, data.area_id).name]
    if data.body != issue.body:
        recorded["body"] = [issue.body, data.body]
    set_issue_themes(session, issue=issue, theme_ids=data.theme_ids)  # checks that the themes exist
    session.flush()
    new_themes = _theme_ids(session, issue.id)
    if new_themes != old_themes:
        recorded["themes"] = [_theme_names(session, old_themes), _theme_names(session, new_themes)]
    if not recorded:
        return None
    issue.title, issue.body, issue.area_id = data.title, data.body, data.area_id
    issue.updated_at = utcnow()
    edit = IssueEdit(issue_id=issue.id, edited_by_id=user.id, changes=recorded)
    session.add_all([issue, edit])
    # Every worker's matching and search index replays the issue (new wording, town, themes).
    changes.record(session, entity=changes.ISSUE, entity_id=issue.id)
    session.flush()
    labels = "、".join(FIELD_LABELS[k] for k in FIELD_LABELS if k in recorded)
    audit.record(session, actor=user, entity=audit.ISSUE, entity_id=issue.id, action="edit",
                 summary=f"投稿者が地域課題「{issue.title}」を編集（{labels}）", details={"edit": edit.id})
    return edit


# ---------------------------------------------------------------- withdrawing
def withdraw_summary(session: Session, *, issue_id: int, reason: str) -> list[tuple[str, str]]:
    """(label, value) rows shown for confirmation before the poster withdraws."""
    return [("地域課題", get_issue(session, issue_id).title), ("取り下げの理由", reason.strip())]


def withdraw_issue(session: Session, *, issue_id: int, user: User, reason: str) -> IssueStatusChange:
    """取り下げ: the issue keeps its page, marked, and leaves every list, suggestion and index."""
    issue = _hold_editable(session, issue_id=issue_id, user=user)
    reason = (reason or "").strip()
    if not reason:
        raise Conflict("取り下げの理由を入力してください。", field="reason")
    if len(reason) > MAX_REASON:
        raise Conflict(f"理由は{MAX_REASON}文字以内で入力してください。", field="reason")
    change = IssueStatusChange(issue_id=issue.id, old_status=issue.status, new_status=IssueStatus.WITHDRAWN,
                               reason=reason, changed_by_id=user.id)
    issue.status = IssueStatus.WITHDRAWN
    issue.updated_at = utcnow()
    session.add_all([issue, change])
    changes.record(session, entity=changes.ISSUE, entity_id=issue.id)  # leaves the indexes
    session.flush()
    audit.record(session, actor=user, entity=audit.ISSUE, entity_id=issue.id, action="withdraw",
                 summary=f"投稿者が地域課題「{issue.title}」を取り下げ", details={"reason": reason})
    # Those who pressed 共感 and follow it hear it like any status change (the poster is the actor).
    issue_followers.status_changed(session, issue=issue, new_label=IssueStatus.WITHDRAWN.label, reason=reason,
                                   actor_id=user.id)
    return change


# ---------------------------------------------------------------- the public history
def _masked(text: str) -> str:
    """Earlier wording stays public; personal details the guard finds in it do not."""
    out, last = [], 0
    for finding in find_personal_info(text):
        out += [text[last:finding.start], MASK]
        last = finding.end
    return "".join(out) + text[last:]


def _field_changes(recorded: dict) -> list[FieldChange]:
    out = []
    for key, label in FIELD_LABELS.items():
        if key not in recorded:
            continue
        before, after = recorded[key]
        if key == "themes":
            out.append(FieldChange(label, "、".join(before) or "未分類", "、".join(after) or "未分類"))
        elif key == "body":
            before, after = _masked(before), _masked(after)
            out.append(FieldChange(label, before, after, textdiff.mark(before, after)[0]))
        else:
            out.append(FieldChange(label, _masked(before), _masked(after)))
    return out


def history(session: Session, *, issue_id: int) -> list[EditView]:
    """The poster's edits, oldest first."""
    rows = session.exec(select(IssueEdit).where(IssueEdit.issue_id == issue_id)
                        .order_by(IssueEdit.created_at, IssueEdit.id)).all()
    return [EditView(row.created_at, _field_changes(row.changes)) for row in rows]


def poster_view(session: Session, *, issue: Issue, viewer: User | None) -> PosterView:
    withdrawal = None
    if issue.status == IssueStatus.WITHDRAWN:
        withdrawal = session.exec(select(IssueStatusChange).where(
            IssueStatusChange.issue_id == issue.id, IssueStatusChange.new_status == IssueStatus.WITHDRAWN)
            .order_by(IssueStatusChange.id.desc())).first()
    is_poster = viewer is not None and viewer.id == issue.reporter_id
    reason = locked_reason(session, issue=issue) if is_poster else ""
    return PosterView(
        may_edit=is_poster and not reason, locked_reason=reason,
        withdrawn_reason=withdrawal.reason if withdrawal else None,
        withdrawn_at=withdrawal.created_at if withdrawal else None,
        edits=history(session, issue_id=issue.id),
    )
