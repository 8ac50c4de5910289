"""Claims: a logged-in person asks to become an association's 代表 (owner).

An association with active owners has them asked first (they agree or object, and the claim
goes on to staff either way: an officer who left must not be able to block the new one). Staff
approve or decline with a reason; approval makes the claimant an owner. A decision is a
conditional UPDATE on the claim's status, so of two staff members deciding at once exactly one
wins; a partial unique index keeps one open claim per person and association."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    OPEN_CLAIM_STATUSES,
    ClaimStatus,
    MemberRole,
    Membership,
    NotificationKind,
    Organization,
    OrgClaim,
    OrgStatus,
    Role,
    User,
    utcnow,
)
from . import accounts, audit, notifications, proxy
from . import organizations as org_service
from .errors import Conflict, Forbidden
from .lookups import require_row

MAX_TEXT = 1000


@dataclass(frozen=True)
class ClaimView:
    claim: OrgClaim
    organization_name: str
    organization_verified: bool
    claimant_name: str
    claimant_email: str


def staff_ids(session: Session) -> set[int]:
    return set(session.exec(select(User.id).where(User.role.in_([Role.STAFF, Role.ADMIN]),
                                                 User.is_active == sa.true())).all())


def _clean(text: str, what: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise Conflict(f"{what}は{MAX_TEXT}文字以内で書いてください。", field=field)
    return text


def request_claim(session: Session, *, org_id: int, user: User, message: str) -> OrgClaim:
    """Open a claim; the association's owners (if any) are asked first, otherwise staff decide."""
    accounts.require_confirmed(user)
    org = org_service.get_organization(session, org_id)
    if org.status == OrgStatus.DISSOLVED:
        raise Conflict("解散した団体の代表は申請できません。")
    if org_service.member_role(session, org_id=org_id, user_id=user.id) == MemberRole.OWNER:
        raise Conflict("あなたはすでにこの団体の代表（オーナー）です。")
    message = _clean(message, "申請の説明", "message")
    owned = proxy.has_active_owner(session, org_id=org_id)
    claim = OrgClaim(organization_id=org_id, user_id=user.id, message=message,
                     status=ClaimStatus.OWNERS_ASKED if owned else ClaimStatus.PENDING)
    try:
        with session.begin_nested():
            session.add(claim)
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict("この団体への代表の申請はすでに受け付けています。結果をお待ちください。") from None
    audit.record(session, actor=user, entity=audit.ORGANIZATION, entity_id=org_id, action="claim",
                 summary=f"「{user.display_name}」さんが団体「{org.name}」の代表を申請",
                 details={"claim": claim.id, "message": message})
    link = f"/orgs/{org_id}/claims" if owned else "/staff/claims"
    recipients = notifications.owner_ids(session, org_ids=[org_id]) if owned else staff_ids(session)
    notifications.notify(
        session, user_ids=recipients - {user.id}, kind=NotificationKind.CLAIM, link=link,
        message=f"「{user.display_name}」さんが団体「{org.name}」の代表（オーナー）になることを申請しました。"
        + ("現在の代表として、同意するかどうか回答してください。" if owned else "確認して承認または見送りを決めてください。"),
    )
    session.flush()
    return claim


def _open_claim(session: Session, claim_id: int) -> OrgClaim:
    claim = require_row(session, OrgClaim, claim_id, what="代表の申請")
    if claim.status not in OPEN_CLAIM_STATUSES:
        raise Conflict("この申請はすでに処理されています。")
    return claim


def answer_as_owner(session: Session, *, claim_id: int, owner: User, agree: bool, answer: str) -> OrgClaim:
    """A current owner agrees or objects; the claim then goes to staff with the answer."""
    accounts.require_confirmed(owner)
    claim = _open_claim(session, claim_id)
    if org_service.member_role(session, org_id=claim.organization_id, user_id=owner.id) != MemberRole.OWNER:
        raise Forbidden("申請に回答できるのは、この団体の代表（オーナー）です。")
    answer = ("同意する" if agree else "同意しない") + (f"：{_clean(answer, '回答', 'answer')}" if answer.strip() else "")
    moved = session.execute(
        sa.update(OrgClaim).where(OrgClaim.id == claim_id, OrgClaim.status == ClaimStatus.OWNERS_ASKED)
        .values(status=ClaimStatus.PENDING, owner_answer=answer)
    ).rowcount
    if moved != 1:
        raise Conflict("この申請にはすでに回答があります。")
    session.refresh(claim)
    org = session.get(Organization, claim.organization_id)
    audit.record(session, actor=owner, entity=audit.ORGANIZATION, entity_id=org.id, action="claim_answer",
                 summary=f"団体「{org.name}」の代表の申請に現在の代表が回答（{answer}）", details={"claim": claim_id})
    notifications.notify(session, user_ids=staff_ids(session) | {claim.user_id}, kind=NotificationKind.CLAIM,
                         link="/staff/claims",
                         message=f"団体「{org.name}」の代表の申請に、現在の代表が回答しました（{answer}）。市が確認して決めます。")
    session.flush()
    return claim


def decide(session: Session, *, claim_id: int, staff: User, approve: bool, reason: str) -> OrgClaim:
    """Staff approve (the claimant becomes an owner) or decline (a reason is required)."""
    if not staff.is_staff:
        raise Forbidden("代表の申請を決められるのは市職員です。")
    reason = _clean(reason, "理由", "reason")
    if not approve and not reason:
        raise Conflict("見送る理由を書いてください。申請した方に伝わります。", field="reason")
    claim = _open_claim(session, claim_id)
    new = ClaimStatus.APPROVED if approve else ClaimStatus.DECLINED
    # Conditional on the claim still being open: of two decisions at once, exactly one changes it.
    won = session.execute(
        sa.update(OrgClaim).where(OrgClaim.id == claim_id, OrgClaim.status.in_(OPEN_CLAIM_STATUSES))
        .values(status=new, reason=reason, decided_by_id=staff.id, decided_at=utcnow())
    ).rowcount
    if won != 1:
        raise Conflict("この申請はほかの職員がすでに処理しました。")
    session.refresh(claim)
    org = session.get(Organization, claim.organization_id)
    claimant = session.get(User, claim.user_id)
    owners_before = notifications.owner_ids(session, org_ids=[org.id])
    if approve:
        _make_owner(session, org_id=org.id, user_id=claimant.id)
    verdict = "承認" if approve else "見送り"
    audit.record(session, actor=staff, entity=audit.ORGANIZATION, entity_id=org.id, action="claim_" + new.value,
                 summary=f"「{claimant.display_name}」さんの代表の申請を{verdict}" + (f"（{reason}）" if reason else ""),
                 details={"claim": claim_id, "reason": reason})
    message = (f"団体「{org.name}」の代表（オーナー）の申請が{verdict}されました。" + (f"理由：{reason}" if reason else ""))
    notifications.notify(session, user_ids={claimant.id}, kind=NotificationKind.CLAIM_DECISION,
                         link=f"/orgs/{org.id}", message=message)
    if owners_before:
        notifications.notify(
            session, user_ids=owners_before - {claimant.id}, kind=NotificationKind.CLAIM_DECISION, link=f"/orgs/{org.id}",
            message=f"団体「{org.name}」について「{claimant.display_name}」さんの代表の申請が{verdict}されました。")
    session.flush()
    return claim


def _make_owner(session: Session, *, org_id: int, user_id: int) -> None:
    org_service.lock(session, org_id)
    membership = session.get(Membership, (user_id, org_id))
    if membership is None:
        session.add(Membership(user_id=user_id, organization_id=org_id, role=MemberRole.OWNER))
    else:
        membership.role = MemberRole.OWNER
        session.add(membership)
    session.flush()


def withdraw(session: Session, *, claim_id: int, user: User) -> OrgClaim:
    claim = _open_claim(session, claim_id)
    if claim.user_id != user.id:
        raise Forbidden("取り下げられるのは、申請したご本人です。")
    done = session.execute(
        sa.update(OrgClaim).where(OrgClaim.id == claim_id, OrgClaim.status.in_(OPEN_CLAIM_STATUSES))
        .values(status=ClaimStatus.WITHDRAWN, decided_at=utcnow())
    ).rowcount
    if done != 1:
        raise Conflict("この申請はすでに処理されています。")
    session.refresh(claim)
    audit.record(session, actor=user, entity=audit.ORGANIZATION, entity_id=claim.organization_id,
                 action="claim_withdrawn", summary="代表の申請を取り下げ", details={"claim": claim_id})
    session.flush()
    return claim


def _views(session: Session, query) -> list[ClaimView]:
    rows = session.execute(
        query.join(Organization, Organization.id == OrgClaim.organization_id)
        .join(User, User.id == OrgClaim.user_id)
        .add_columns(Organization.name, Organization.verified, User.display_name, User.email)
        .order_by(OrgClaim.created_at, OrgClaim.id)
    ).all()
    return [ClaimView(c, name, verified, display, email) for c, name, verified, display, email in rows]


def open_claims(session: Session) -> list[ClaimView]:
    """The staff queue: every open claim, oldest first."""
    return _views(session, select(OrgClaim).where(OrgClaim.status.in_(OPEN_CLAIM_STATUSES)))


def recent_decisions(session: Session, *, limit: int = 20) -> list[ClaimView]:
    views = _views(session, select(OrgClaim).where(OrgClaim.status.not_in(OPEN_CLAIM_STATUSES)))
    return sorted(views, key=lambda v: v.claim.decided_at or v.claim.created_at, reverse=True)[:limit]


def claims_for_owners(session: Session, *, org_id: int, owner: User) -> list[ClaimView]:
    """Open claims on an association, for its owners to answer."""
    if org_service.member_role(session, org_id=org_id, user_id=owner.id) != MemberRole.OWNER:
        raise Forbidden("この団体の代表（オーナー）だけが見られます。")
    return _views(session, select(OrgClaim).where(OrgClaim.organization_id == org_id,
                                                  OrgClaim.status.in_(OPEN_CLAIM_STATUSES)))


def open_claim_of(session: Session, *, org_id: int, user: User | None) -> OrgClaim | None:
    if user is None:
        return None
    return session.exec(select(OrgClaim).where(OrgClaim.organization_id == org_id, OrgClaim.user_id == user.id,
                                               OrgClaim.status.in_(OPEN_CLAIM_STATUSES))).first()
