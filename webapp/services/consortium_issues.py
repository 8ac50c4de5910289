"""Issues ↔ 協議体 at any time: owners of an accepted member organization and staff link an issue
to a 協議体 (or unlink it), the issue page shows who works on it, and its followers are told.

Rules: only while the 協議体 is open for changes (提案中, 結成中, 活動中) — the record of one in
振り返り or 終了 stays as it was; only open or in-progress issues are linked. Every link and unlink
takes the 協議体's lock (consortia.hold_consortium), so two parallel requests never both link the
same pair, and is in the audit log. Staff act as staff here (no 代理: linking is not an act of one
member organization). Neither the matching index nor the suggestions read these links, so nothing
goes to the change log; the staff list 「協議体が未結成」 reads them live (services/workspace.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from ..models import (
    ACTIVE_ISSUE_STATUSES,
    Consortium,
    ConsortiumArea,
    ConsortiumIssue,
    ConsortiumMember,
    ConsortiumStatus,
    InvitationStatus,
    Issue,
    User,
)
from . import accounts, audit, issue_edits, issue_followers, moderation
from . import consortia as consortium_service
from .errors import Conflict, Forbidden, NotFound

NOT_ALLOWED = "地域課題をつなげたり外したりできるのは、この協議体に参加している団体の代表か市職員です。"
FROZEN = "振り返り中または終了した協議体の地域課題は変更できません。"


@dataclass(frozen=True)
class LinkedConsortium:
    id: int
    name: str
    status: ConsortiumStatus


def _hold(session: Session, *, consortium_id: int, user: User) -> Consortium:
    accounts.require_confirmed(user)
    consortium = consortium_service.hold_consortium(session, consortium_id)
    if not consortium_service.may_manage(session, consortium_id=consortium_id, user=user):
        raise Forbidden(NOT_ALLOWED)
    if consortium.status not in consortium_service.OPEN_FOR_CHANGES:
        raise Conflict(FROZEN)
    return consortium


def _issue(session: Session, issue_id: int) -> Issue:
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound("地域課題が見つかりませんでした。番号を確かめてください。", field="issue_id")
    return issue


def ensure_may_link(session: Session, *, consortium_id: int, user: User) -> None:
    """Refuses (403) before a form is even read, for someone who may not link to this 協議体."""
    consortium_service.get_consortium(session, consortium_id)
    if not consortium_service.may_manage(session, consortium_id=consortium_id, user=user):
        raise Forbidden(NOT_ALLOWED)


def link(session: Session, *, consortium_id: int, issue_id: int, by_user: User) -> ConsortiumIssue:
    """This 協議体 takes the issue up; the poster and the followers are told."""
    consortium = _hold(session, consortium_id=consortium_id, user=by_user)
    issue = _issue(session, issue_id)
    # The issue's lock: an edit or withdrawal in flight finishes first, and a withdrawn one is refused.
    issue_edits.hold_for_take_up(session, issue_ids=[issue.id])
    if issue.status not in ACTIVE_ISSUE_STATUSES:
        raise Conflict(f"「{issue.status.label}」の地域課題はつなげません。", field="issue_id")
    if session.get(ConsortiumIssue, (consortium.id, issue.id)) is not None:
        raise Conflict("この地域課題はすでにこの協議体につながっています。", field="issue_id")
    row = ConsortiumIssue(consortium_id=consortium.id, issue_id=issue.id)
    session.add(row)
    audit.record(session, actor=by_user, entity=audit.CONSORTIUM, entity_id=consortium.id, action="link_issue",
                 summary=f"地域課題「{issue.title}」をつなぐ", details={"issue": issue.id})
    session.flush()
    issue_followers.consortium_linked(session, issue=issue, consortium_name=consortium.name, actor_id=by_user.id)
    return row


def unlink(session: Session, *, consortium_id: int, issue_id: int, by_user: User) -> None:
    """The issue leaves this 協議体's work; the poster and the followers are told."""
    consortium = _hold(session, consortium_id=consortium_id, user=by_user)
    row = session.get(ConsortiumIssue, (consortium.id, issue_id))
    if row is None:
        raise Conflict("この地域課題はこの協議体につながっていません。")
    issue = session.get(Issue, issue_id)
    session.delete(row)
    audit.record(session, actor=by_user, entity=audit.CONSORTIUM, entity_id=consortium.id, action="unlink_issue",
                 summary=f"地域課題「{issue.title}」を外す", details={"issue": issue.id})
    session.flush()
    issue_followers.consortium_unlinked(session, issue=issue, consortium_name=consortium.name, actor_id=by_user.id)


def created_with(session: Session, *, consortium: Consortium, issue_ids: list[int], by_user: User) -> None:
    """A 協議体 created for issues (from a suggestion): their followers hear it as a link."""
    for issue in session.exec(select(Issue).where(Issue.id.in_(issue_ids)).order_by(Issue.id)):
        issue_followers.consortium_linked(session, issue=issue, consortium_name=consortium.name, actor_id=by_user.id)


def for_issue(session: Session, *, issue_id: int) -> list[LinkedConsortium]:
    """The 協議体 linked to this issue, open ones first."""
    rows = session.exec(
        select(Consortium).join(ConsortiumIssue, ConsortiumIssue.consortium_id == Consortium.id)
        .where(ConsortiumIssue.issue_id == issue_id).order_by(Consortium.created_at.desc(), Consortium.id.desc())
    ).all()
    open_first = sorted(rows, key=lambda c: c.status not in consortium_service.OPEN_FOR_CHANGES)
    return [LinkedConsortium(c.id, c.name, c.status) for c in open_first]


def linkable_for(session: Session, *, issue_id: int, user: User | None) -> list[tuple[int, str]]:
    """Open 協議体 this viewer may link the issue to and that do not have it yet (for the issue page)."""
    if user is None:
        return []
    issue = session.get(Issue, issue_id)
    if issue is None or issue.status not in ACTIVE_ISSUE_STATUSES:
        return []
    query = select(Consortium.id, Consortium.name).where(
        Consortium.status.in_(consortium_service.OPEN_FOR_CHANGES),
        Consortium.id.not_in(select(ConsortiumIssue.consortium_id).where(ConsortiumIssue.issue_id == issue_id)))
    if not user.is_staff:
        owned = consortium_service.owned_org_ids(session, user=user)
        if not owned:
            return []
        query = query.where(Consortium.id.in_(select(ConsortiumMember.consortium_id).where(
            ConsortiumMember.organization_id.in_(owned), ConsortiumMember.status == InvitationStatus.ACCEPTED)))
    return list(session.exec(query.order_by(Consortium.name, Consortium.id).limit(200)).all())


def candidates_for(session: Session, *, consortium_id: int, limit: int = 100) -> list[tuple[int, str]]:
    """Open issues in the 協議体's towns not linked to it yet, newest first (for its page)."""
    areas = select(ConsortiumArea.area_id).where(ConsortiumArea.consortium_id == consortium_id)
    linked = select(ConsortiumIssue.issue_id).where(ConsortiumIssue.consortium_id == consortium_id)
    return list(session.exec(
        select(Issue.id, Issue.title).where(Issue.status.in_(ACTIVE_ISSUE_STATUSES), Issue.area_id.in_(areas),
                                            Issue.id.not_in(linked), moderation.visible(Issue))
        .order_by(Issue.created_at.desc(), Issue.id.desc()).limit(limit)
    ).all())


def may_link(session: Session, *, consortium_id: int, user: User | None) -> bool:
    """Whether the 協議体 page shows this viewer the link and unlink controls."""
    if user is None:
        return False
    consortium = consortium_service.get_consortium(session, consortium_id)
    return consortium.status in consortium_service.OPEN_FOR_CHANGES and consortium_service.may_manage(
        session, consortium_id=consortium_id, user=user)
