"""What is held on a person (the JSON download 個人情報保護法 entitles them to) and 退会."""
from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session, delete, select

from ..models import (
    Comment,
    ConsentRecord,
    ContentReport,
    Issue,
    IssueFollow,
    IssueEdit,
    IssueSupport,
    MemberRole,
    Membership,
    Notification,
    NotificationKind,
    Organization,
    RecoveryCode,
    Role,
    User,
    utcnow,
)
from . import audit, notifications, passwords
from .errors import Conflict

DELETED_NAME = "退会した利用者"


def export(session: Session, *, user: User) -> dict[str, Any]:
    """Everything stored about the account, as plain JSON-ready data."""
    def when(value):
        return value.isoformat() if value else None

    memberships = session.exec(select(Membership, Organization).join(
        Organization, Organization.id == Membership.organization_id).where(Membership.user_id == user.id)).all()
    return {
        "account": {"id": user.id, "email": user.email, "display_name": user.display_name, "role": user.role.value,
                    "created_at": when(user.created_at), "email_confirmed_at": when(user.email_confirmed_at),
                    "email_digest": user.email_digest,
                    "email_notifications": user.email_notifications, "two_factor_enabled": user.totp_secret is not None},
        "consents": [{"document": c.document, "version": c.version, "accepted_at": when(c.accepted_at)}
                     for c in session.exec(select(ConsentRecord).where(ConsentRecord.user_id == user.id)
                                           .order_by(ConsentRecord.id))],
        "organizations": [{"id": o.id, "name": o.name, "role": m.role.value, "since": when(m.created_at)}
                          for m, o in memberships],
        "issues": [{"id": i.id, "title": i.title, "body": i.body, "status": i.status.value,
                    "created_at": when(i.created_at)}
                   for i in session.exec(select(Issue).where(Issue.reporter_id == user.id).order_by(Issue.id))],
        "issue_edits": [{"issue_id": e.issue_id, "changes": e.changes, "created_at": when(e.created_at)}
                        for e in session.exec(select(IssueEdit).where(IssueEdit.edited_by_id == user.id)
                                              .order_by(IssueEdit.id))],
        "comments": [{"id": c.id, "issue_id": c.issue_id, "body": c.body, "created_at": when(c.created_at)}
                     for c in session.exec(select(Comment).where(Comment.author_id == user.id).order_by(Comment.id))],
        "supports": [{"issue_id": s.issue_id, "created_at": when(s.created_at)}
                     for s in session.exec(select(IssueSupport).where(IssueSupport.user_id == user.id))],
        "reports": [{"item": r.entity, "item_id": r.entity_id, "reason": r.reason.value, "text": r.text,
                     "created_at": when(r.created_at)}
                    for r in session.exec(select(ContentReport).where(ContentReport.reporter_id == user.id)
                                          .order_by(ContentReport.id))],
        "follows": [{"issue_id": f.issue_id, "created_at": when(f.created_at)}
                    for f in session.exec(select(IssueFollow).where(IssueFollow.user_id == user.id)
                                          .order_by(IssueFollow.issue_id))],
        "notifications": [{"kind": n.kind.value, "message": n.message, "link": n.link,
                           "created_at": when(n.created_at), "read_at": when(n.read_at)}
                          for n in session.exec(select(Notification).where(Notification.user_id == user.id)
                                                .order_by(Notification.id))],
    }


def sole_owned(session: Session, *, user: User) -> list[tuple[Organization, int]]:
    """Organizations this user is the only owner of, each with its number of other members."""
    owned = session.exec(select(Organization).join(Membership, Membership.organization_id == Organization.id).where(
        Membership.user_id == user.id, Membership.role == MemberRole.OWNER).order_by(Organization.id)).all()
    result = []
    for org in owned:
        others = session.exec(select(Membership).where(
            Membership.organization_id == org.id, Membership.user_id != user.id)).all()
        if not any(m.role == MemberRole.OWNER for m in others):
            result.append((org, len(others)))
    return result


def delete_account(session: Session, *, user: User, password: str, leave_unowned: bool,
                   hash_profile: str = "standard") -> list[Organization]:
    """退会: erase the personal data, keep posts and comments under 「退会した利用者」. The only owner
    of an organization with other members must hand it over first; one without members becomes
    unowned when ``leave_unowned`` says so, and staff are told. Returns the organizations left unowned."""
    if not passwords.verify_password(user.password_hash, password, profile=hash_profile):
        raise Conflict("パスワードが正しくありません。", field="password")
    sole = sole_owned(session, user=user)
    with_members = [org.name for org, others in sole if others]
    if with_members:
        raise Conflict("次の団体の代表をほかのメンバーに引き継いでから退会してください（団体のメンバー管理ページで行えます）: "
                       + "、".join(with_members))
    if sole and not leave_unowned:
        raise Conflict("代表者のいなくなる団体があります。確認のチェックを入れてください。", field="leave_unowned")
    unowned = [org for org, _ in sole]
    user_id = user.id
    session.exec(delete(Membership).where(Membership.user_id == user_id))
    session.exec(delete(Notification).where(Notification.user_id == user_id))
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.exec(delete(IssueFollow).where(IssueFollow.user_id == user_id))
    user.email = f"deleted-{user_id}-{secrets.token_hex(4)}@deleted.invalid"
    user.display_name = DELETED_NAME
    user.password_hash = passwords.UNUSABLE_PASSWORD
    user.is_active = False
    user.email_digest = False
    user.totp_secret = None
    user.email_confirmed_at = None
    user.session_token = secrets.token_hex(16)
    user.deleted_at = utcnow()
    session.add(user)
    session.flush()
    if unowned:
        staff = session.exec(select(User.id).where(User.role.in_([Role.STAFF, Role.ADMIN]), User.is_active)).all()
        for org in unowned:
            notifications.notify(session, user_ids=staff, kind=NotificationKind.ORG_UNOWNED,
                                 message=f"団体「{org.name}」の代表者が退会し、代表者のいない団体になりました。",
                                 link=f"/orgs/{org.id}")
            audit.record(session, actor=None, entity="organization", entity_id=org.id, action="owner_left",
                         summary="代表者が退会し、代表者のいない団体になりました。")
    return unowned
