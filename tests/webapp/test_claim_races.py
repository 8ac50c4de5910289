"""Claims and proxy acts under real parallel requests, against gunicorn (two workers) on the test
database (PostgreSQL when TEST_DATABASE_URL is set): exactly one winner, never a 5xx."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from tests.webclient import Browser, at_once
from webapp.db import create_engine_for
from webapp.models import (
    AuditEntry,
    ClaimStatus,
    CollaborationDomain,
    ConsortiumCreate,
    ConsortiumMember,
    MemberRole,
    Membership,
    Notification,
    NotificationKind,
    OrganizationCreate,
    OrgClaim,
    OrgKind,
    RecordSource,
)
from webapp.services import claims, consortia, organizations

PARALLEL = 6


@pytest.fixture
def data(database_url, factory, db):
    staff = [factory.staff(email=f"staff{i}@example.jp") for i in range(2)]
    officer = factory.user(email="officer@example.jp")
    org = organizations.create_organization(
        db, data=OrganizationCreate(kind="territorial", category="jichikai", name="滝山自治会"),
        creator=None, source=RecordSource.PROXY, actor=staff[0])
    db.commit()
    return dict(staff=staff, officer=officer, org=org)


def _count(database_url, query) -> list:
    engine = create_engine_for(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(query).all())
    finally:
        engine.dispose()


def test_parallel_claims_by_one_person_make_one_claim(live_server, database_url, data):
    org_id = data["org"].id
    browsers = [Browser(live_server).login("officer@example.jp") for _ in range(PARALLEL)]
    tokens = [b.token(f"/orgs/{org_id}/claim") for b in browsers]
    statuses = [status for status, _ in at_once(*[
        (lambda b=b, t=t: b.request(f"/orgs/{org_id}/claim", {"csrf_token": t, "message": "会長です"}))
        for b, t in zip(browsers, tokens)])]
    assert sorted(statuses) == [302] + [422] * (PARALLEL - 1)
    assert len(_count(database_url, select(OrgClaim.id))) == 1


def test_parallel_decisions_on_one_claim_have_one_winner(live_server, database_url, data, db):
    claim = claims.request_claim(db, org_id=data["org"].id, user=data["officer"], message="会長です")
    db.commit()
    browsers = [Browser(live_server).login(f"staff{i % 2}@example.jp") for i in range(PARALLEL)]
    tokens = [b.token("/staff/claims") for b in browsers]
    # Half approve, half decline: whichever lands first decides, the others are told it is done.
    statuses = [status for status, _ in at_once(*[
        (lambda b=b, t=t, i=i: b.request(f"/staff/claims/{claim.id}/decide",
                                         {"csrf_token": t, "decision": "approve" if i % 2 else "decline",
                                          "reason": "確認しました"}))
        for i, (b, t) in enumerate(zip(browsers, tokens))])]
    assert sorted(statuses) == [302] + [422] * (PARALLEL - 1)
    decided = _count(database_url, select(AuditEntry.action).where(AuditEntry.action.in_(["claim_approved",
                                                                                          "claim_declined"])))
    assert len(decided) == 1
    status = _count(database_url, select(OrgClaim.status))[0]
    owners = _count(database_url, select(Membership.user_id).where(Membership.role == MemberRole.OWNER,
                                                                     Membership.organization_id == data["org"].id))
    assert owners == ([data["officer"].id] if status == ClaimStatus.APPROVED else [])
    told = _count(database_url, select(Notification.id).where(Notification.user_id == data["officer"].id,
                                                              Notification.kind == NotificationKind.CLAIM_DECISION))
    assert len(told) == 1


def test_one_staff_member_cannot_accept_for_two_members_at_once(live_server, database_url, data, db, factory):
    staff = data["staff"][0]
    other = organizations.create_organization(
        db, data=OrganizationCreate(kind=OrgKind.THEMATIC, category="voluntary", name="見守りの会"),
        creator=None, source=RecordSource.PROXY, actor=staff)
    consortium = consortia.create_consortium(
        db, creator=staff, founding_org_id=None, invite_org_ids=[data["org"].id, other.id],
        data=ConsortiumCreate(name="滝山協議体", purpose="見守り", domain=CollaborationDomain.COOPERATIVE,
                              start_date=date(2026, 4, 1), end_date=date(2027, 3, 31), area_ids=[factory.area().id]))
    db.commit()
    browsers = [Browser(live_server).login("staff0@example.jp") for _ in range(2)]
    page = f"/consortia/{consortium.id}"
    tokens = [b.token(page) for b in browsers]
    statuses = [status for status, _ in at_once(*[
        (lambda b=b, t=t, org_id=org_id: b.request(f"{page}/members/{org_id}/respond",
                                                   {"csrf_token": t, "decision": "accept", "message": ""}))
        for b, t, org_id in zip(browsers, tokens, [data["org"].id, other.id])])]
    assert sorted(statuses) == [302, 422]
    accepted = _count(database_url, select(ConsortiumMember.organization_id).where(
        ConsortiumMember.consortium_id == consortium.id, ConsortiumMember.proxy.is_(True)))
    assert len(accepted) == 1
