"""Claims and proxy acts under real parallel requests, against gunicorn (two workers) on the test
database (PostgreSQL when TEST_DATABASE_URL is set): exactly one winner, never a 5xx."""
from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pyotp
import pytest
from sqlmodel import Session, select

from tests.factories import STAFF_TOTP_SECRET
from tests.webclient import CSRF_PATTERN, DEFAULT_PASSWORD
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


class Browser:
    """One logged-in visitor with its own cookies, speaking HTTP to the live server."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())
        self.post("/login", {"email": email, "password": DEFAULT_PASSWORD}, token_from="/login")
        if self.get("/login/two-factor")[0] == 200:  # staff: the second step (tests/factories.py's secret)
            self.post("/login/two-factor", {"code": pyotp.TOTP(STAFF_TOTP_SECRET).now()})

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str) -> str:
        match = CSRF_PATTERN.search(self.get(path)[1])
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def post(self, path: str, data: dict, *, token: str | None = None, token_from: str | None = None) -> int:
        payload = {"csrf_token": token or self.token(token_from or path), **data}
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(payload).encode())
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _all_at_once(calls) -> list[int]:
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


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
    browsers = [Browser(live_server, "officer@example.jp") for _ in range(PARALLEL)]
    tokens = [b.token(f"/orgs/{org_id}/claim") for b in browsers]
    statuses = _all_at_once([
        (lambda b=b, t=t: b.post(f"/orgs/{org_id}/claim", {"message": "会長です"}, token=t))
        for b, t in zip(browsers, tokens)])
    assert sorted(statuses) == [302] + [422] * (PARALLEL - 1)
    assert len(_count(database_url, select(OrgClaim.id))) == 1


def test_parallel_decisions_on_one_claim_have_one_winner(live_server, database_url, data, db):
    claim = claims.request_claim(db, org_id=data["org"].id, user=data["officer"], message="会長です")
    db.commit()
    browsers = [Browser(live_server, f"staff{i % 2}@example.jp") for i in range(PARALLEL)]
    tokens = [b.token("/staff/claims") for b in browsers]
    # Half approve, half decline: whichever lands first decides, the others are told it is done.
    statuses = _all_at_once([
        (lambda b=b, t=t, i=i: b.post(f"/staff/claims/{claim.id}/decide",
                                      {"decision": "approve" if i % 2 else "decline", "reason": "確認しました"},
                                      token=t))
        for i, (b, t) in enumerate(zip(browsers, tokens))])
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
    browsers = [Browser(live_server, "staff0@example.jp") for _ in range(2)]
    page = f"/consortia/{consortium.id}"
    tokens = [b.token(page) for b in browsers]
    statuses = _all_at_once([
        (lambda b=b, t=t, org_id=org_id: b.post(f"{page}/members/{org_id}/respond",
                                                {"decision": "accept", "message": ""}, token=t))
        for b, t, org_id in zip(browsers, tokens, [data["org"].id, other.id])])
    assert sorted(statuses) == [302, 422]
    accepted = _count(database_url, select(ConsortiumMember.organization_id).where(
        ConsortiumMember.consortium_id == consortium.id, ConsortiumMember.proxy.is_(True)))
    assert len(accepted) == 1
