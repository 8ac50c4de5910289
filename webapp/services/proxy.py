"""Who may act for an association (accept an invitation, sign, leave, evaluate), and when staff may
act for it as a proxy (代理).

- An owner (代表) of the association acts as itself.
- Staff act for it only while it has no active owner account of its own; never on an ended
  協議体; and one staff member does not act for two member associations of the same 協議体
  (both sides of an agreement signed by one person would make the 対等 principle a fiction).
Every proxy act is stored with ``proxy=True`` and shown publicly as 代理."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    Agreement,
    AgreementSignature,
    Consortium,
    ConsortiumMember,
    ConsortiumStatus,
    Evaluation,
    MemberRole,
    Membership,
    User,
)
from .errors import Forbidden

OWNED_BY_ACCOUNT = ("この団体には代表（オーナー）のアカウントがあるため、市職員が代わりに操作することはできません。"
                    "代表ご本人が操作してください。")
NOT_OWNER = "この操作ができるのは、その団体の代表（オーナー）です。"
ENDED = "終了した協議体では、市職員が代わりに操作することはできません。"
TWO_SIDES = ("ひとりの職員が、同じ協議体の複数の団体を代理することはできません（対等の原則）。"
             "別の職員が代理するか、団体の代表がアカウントを作ってください。")


def owners_with_account(session: Session, *, org_ids: Iterable[int]) -> set[int]:
    """Of these organizations, those with at least one active owner account."""
    org_ids = list(org_ids)
    if not org_ids:
        return set()
    return set(session.exec(
        select(Membership.organization_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id.in_(org_ids), Membership.role == MemberRole.OWNER,
               User.is_active == sa.true())
    ).all())


def has_active_owner(session: Session, *, org_id: int) -> bool:
    return bool(owners_with_account(session, org_ids=[org_id]))


def actable_org_ids(session: Session, *, user: User | None, org_ids: Iterable[int]) -> set[int]:
    """Of these organizations, the ones this user may act for (owner, or staff for unowned ones)."""
    org_ids = set(org_ids)
    if user is None or not org_ids:
        return set()
    owned = set(session.exec(select(Membership.organization_id).where(
        Membership.user_id == user.id, Membership.role == MemberRole.OWNER,
        Membership.organization_id.in_(org_ids))).all())
    if not user.is_staff:
        return owned
    return owned | (org_ids - owners_with_account(session, org_ids=org_ids))


def acting_for(session: Session, *, user: User, org_id: int, consortium: Consortium | None = None) -> bool:
    """Check that ``user`` may act for the organization now; True when it is a proxy act (staff).

    Raises Forbidden (with the reason in Japanese) otherwise. With a 協議体, its row is locked (written)
    so that two proxy acts of one staff member for two of its members cannot both pass; the caller's
    own write must follow in the same transaction."""
    membership = session.get(Membership, (user.id, org_id))
    if membership is not None and membership.role == MemberRole.OWNER:
        return False
    if not user.is_staff:
        raise Forbidden(NOT_OWNER)
    if has_active_owner(session, org_id=org_id):
        raise Forbidden(OWNED_BY_ACCOUNT)
    if consortium is not None:
        _serialize_on(session, consortium.id)
        if consortium.status == ConsortiumStatus.CLOSED:
            raise Forbidden(ENDED)
        if proxied_org_ids(session, consortium_id=consortium.id, user_id=user.id) - {org_id}:
            raise Forbidden(TWO_SIDES)
    return True


def _serialize_on(session: Session, consortium_id: int) -> None:
    # A no-op UPDATE of the 協議体 row: it waits for any other transaction that wrote it, and the
    # checks after it read what that one committed. SELECT ... FOR UPDATE would do on PostgreSQL,
    # but SQLite ignores it (and runs the SELECTs before a write outside any transaction).
    session.execute(sa.update(Consortium).where(Consortium.id == consortium_id).values(id=Consortium.id))


def proxied_org_ids(session: Session, *, consortium_id: int, user_id: int) -> set[int]:
    """The member organizations of a 協議体 this staff member has acted for as a proxy."""
    answered = select(ConsortiumMember.organization_id).where(
        ConsortiumMember.consortium_id == consortium_id, ConsortiumMember.answered_by_id == user_id,
        ConsortiumMember.proxy == sa.true())
    signed = (select(AgreementSignature.organization_id)
              .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
              .where(Agreement.consortium_id == consortium_id, AgreementSignature.signed_by_id == user_id,
                     AgreementSignature.proxy == sa.true()))
    evaluated = select(Evaluation.organization_id).where(
        Evaluation.consortium_id == consortium_id, Evaluation.submitted_by_id == user_id,
        Evaluation.proxy == sa.true())
    ids = set()
    for query in (answered, signed, evaluated):
        ids.update(i for i in session.exec(query).all() if i is not None)
    return ids
