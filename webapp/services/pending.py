"""What waits for a person's answer: invitations of every kind and claims put to them as owner.
The header badge counts these with the unread notifications (one query per kind); staff's badge
counts what waits in their queues."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    ClaimStatus,
    Consortium,
    ConsortiumMember,
    InvitationStatus,
    MemberRole,
    Membership,
    ModerationCase,
    Organization,
    OrgClaim,
    OrgInvitation,
    User,
)
from . import accounts, notifications
from .consortia import OPEN_FOR_CHANGES


@dataclass(frozen=True)
class ConsortiumInvitation:
    consortium_id: int
    consortium_name: str
    organization_name: str


@dataclass(frozen=True)
class ClaimToAnswer:
    organization_id: int
    organization_name: str


@dataclass(frozen=True)
class Badge:
    unread: int   # unread notifications
    pending: int  # invitations and claims waiting for this person's answer

    @property
    def total(self) -> int:
        return self.unread + self.pending

    @property
    def label(self) -> str:
        """What the number means, for screen readers: 「未読2件」「未読1件、回答待ち1件」."""
        return _spoken(("未読", self.unread), ("回答待ち", self.pending))


def _spoken(*counts: tuple[str, int]) -> str:
    """A badge's number read aloud: each nonzero count as 「<what>N件」, joined with 「、」."""
    return "、".join(f"{what}{n}件" for what, n in counts if n)


def _owned():
    return select(Membership.organization_id).where(Membership.role == MemberRole.OWNER)


def _consortium_invitations(user: User):
    """(consortium, organization) invitations an organization this user owns can still answer."""
    return (select(ConsortiumMember.consortium_id, Consortium.name, Organization.name)
            .join(Consortium, Consortium.id == ConsortiumMember.consortium_id)
            .join(Organization, Organization.id == ConsortiumMember.organization_id)
            .where(ConsortiumMember.status == InvitationStatus.INVITED, Consortium.status.in_(OPEN_FOR_CHANGES),
                   ConsortiumMember.organization_id.in_(_owned().where(Membership.user_id == user.id))))


def _editor_invitations(user: User):
    return select(OrgInvitation.id).where(sa.func.lower(OrgInvitation.email) == accounts.normalize_email(user.email),
                                          OrgInvitation.status == InvitationStatus.INVITED)


def _claims_for_owner(user: User):
    """Claims on an association this user owns that wait for its owners' answer (not their own)."""
    return (select(OrgClaim.organization_id, Organization.name)
            .join(Organization, Organization.id == OrgClaim.organization_id)
            .where(OrgClaim.status == ClaimStatus.OWNERS_ASKED, OrgClaim.user_id != user.id,
                   OrgClaim.organization_id.in_(_owned().where(Membership.user_id == user.id))))


def _count(session: Session, query) -> int:
    return session.exec(select(sa.func.count()).select_from(query.subquery())).one()


def pending_count(session: Session, *, user: User) -> int:
    """Invitations of every kind (協議体 invitations to organizations the user owns, 編集者
    invitations to the user's address) and claims waiting for the user as owner."""
    return sum(_count(session, q) for q in (_consortium_invitations(user), _editor_invitations(user),
                                            _claims_for_owner(user)))


def badge(session: Session, *, user: User) -> Badge:
    """The header's お知らせ badge."""
    return Badge(unread=notifications.unread_count(session, user_id=user.id), pending=pending_count(session, user=user))


@dataclass(frozen=True)
class StaffBadge:
    reviews: int  # items in the moderation queue (通報・非公開)
    claims: int   # 代表の申請 waiting for staff's decision

    @property
    def total(self) -> int:
        return self.reviews + self.claims

    @property
    def label(self) -> str:
        """For screen readers: 「確認待ちの投稿2件、代表の申請1件」."""
        return _spoken(("確認待ちの投稿", self.reviews), ("代表の申請", self.claims))


def staff_badge(session: Session) -> StaffBadge:
    """The header's 職員 badge: what waits for any staff member's decision."""
    return StaffBadge(
        reviews=_count(session, select(ModerationCase.id).where(ModerationCase.needs_review.is_(True))),
        claims=_count(session, select(OrgClaim.id).where(OrgClaim.status == ClaimStatus.PENDING)))


def consortium_invitations(session: Session, *, user: User) -> list[ConsortiumInvitation]:
    rows = session.exec(_consortium_invitations(user).order_by(ConsortiumMember.invited_at)).all()
    return [ConsortiumInvitation(*row) for row in rows]


def claims_to_answer(session: Session, *, user: User) -> list[ClaimToAnswer]:
    rows = session.exec(_claims_for_owner(user).order_by(OrgClaim.created_at)).all()
    return [ClaimToAnswer(*row) for row in rows]
