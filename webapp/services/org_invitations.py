"""Inviting a co-editor to an organization by e-mail, and answering the invitation."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    InvitationStatus,
    MemberRole,
    Membership,
    NotificationKind,
    Organization,
    OrgInvitation,
    User,
    utcnow,
)
from . import accounts, locks, notifications
from . import organizations as org_service
from .errors import Conflict, Forbidden, NotFound


@dataclass(frozen=True)
class PendingInvitation:
    id: int
    organization_id: int
    organization_name: str
    inviter_name: str


def invite_editor(session: Session, *, org_id: int, email: str, inviter: User) -> OrgInvitation:
    accounts.require_confirmed(inviter)
    org = org_service.get_organization(session, org_id)
    email = accounts.normalize_email(email)
    invitee = accounts.find_by_email(session, email)
    if invitee is not None and session.get(Membership, (invitee.id, org_id)) is not None:
        raise Conflict("この方はすでに団体のメンバーです。", field="email")
    pending = session.exec(
        select(OrgInvitation.id).where(
            OrgInvitation.organization_id == org_id,
            sa.func.lower(OrgInvitation.email) == email,
            OrgInvitation.status == InvitationStatus.INVITED,
        )
    ).first()
    if pending is not None:
        raise Conflict("このメールアドレスには招待を送信済みです。", field="email")
    invitation = OrgInvitation(organization_id=org_id, email=email, role=MemberRole.EDITOR,
                               invited_by_id=inviter.id)
    session.add(invitation)
    session.flush()
    text = f"{inviter.display_name} さんから「{org.name}」の編集者として招待されました。"
    if invitee is not None:
        notifications.notify(session, user_ids=[invitee.id], kind=NotificationKind.ORG_INVITATION,
                             message=text, link="/notifications/")
    else:
        notifications.queue_mail(
            session, to=email, subject=f"【協働マッチング】「{org.name}」への招待",
            body=f"{text}\n協働マッチングにこのメールアドレスで登録すると、お知らせの画面から招待を受けられます。\n",
        )
    return invitation


def pending_for(session: Session, *, user: User) -> list[PendingInvitation]:
    rows = session.exec(
        select(OrgInvitation, Organization.name, User.display_name)
        .join(Organization, Organization.id == OrgInvitation.organization_id)
        .join(User, User.id == OrgInvitation.invited_by_id)
        .where(
            sa.func.lower(OrgInvitation.email) == accounts.normalize_email(user.email),
            OrgInvitation.status == InvitationStatus.INVITED,
        )
        .order_by(OrgInvitation.created_at)
    ).all()
    return [PendingInvitation(i.id, i.organization_id, name, inviter) for i, name, inviter in rows]


def addressed_to(session: Session, *, invitation_id: int, user: User) -> OrgInvitation:
    """The invitation, if it is addressed to this user (Forbidden otherwise)."""
    invitation = session.get(OrgInvitation, invitation_id)
    if invitation is None:
        raise NotFound("この招待は見つかりませんでした。")
    if accounts.normalize_email(invitation.email) != accounts.normalize_email(user.email):
        raise Forbidden("この招待はほかの方あてです。")
    return invitation


def respond(session: Session, *, invitation_id: int, user: User, accept: bool) -> OrgInvitation:
    accounts.require_confirmed(user)
    locks.hold(session, OrgInvitation, invitation_id)  # answered once, however often it is sent
    invitation = addressed_to(session, invitation_id=invitation_id, user=user)
    if invitation.status != InvitationStatus.INVITED:
        raise NotFound("この招待にはすでに回答済みです。")
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.responded_at = utcnow()
    session.add(invitation)
    if accept:
        org_service.add_member(session, org_id=invitation.organization_id, user=user, role=invitation.role)
    org = org_service.get_organization(session, invitation.organization_id)
    answer = "受けました" if accept else "辞退しました"
    notifications.notify(
        session, user_ids=[invitation.invited_by_id], kind=NotificationKind.ORG_INVITATION_ANSWER,
        message=f"{user.display_name} さんが「{org.name}」の編集者への招待を{answer}。",
        link=f"/orgs/{org.id}",
    )
    session.flush()
    return invitation


def pending_for_org(session: Session, *, org_id: int) -> list[OrgInvitation]:
    return list(
        session.exec(
            select(OrgInvitation)
            .where(OrgInvitation.organization_id == org_id, OrgInvitation.status == InvitationStatus.INVITED)
            .order_by(OrgInvitation.created_at)
        )
    )
