"""Claim → staff approval → the claimant signs, in Chromium: an association entered by staff (no
account of its own) gets its real officer as 代表, who then signs the 協定書 for it."""
from datetime import date

import pytest


from tests import totp
from tests.e2e.actions import PASSWORD, STAFF_TOTP_SECRET, login, logout
from webapp.db import create_engine_for, session_scope
from webapp.models import (
    CollaborationDomain,
    CollaborationForm,
    ConsortiumCreate,
    OrganizationCreate,
    OrgCategory,
    OrgKind,
    RecordSource,
    Role,
)
from webapp.cities import resolve_city
from webapp.config import DEFAULT_CITY
from webapp.services import accounts, agreements, consortia, legal, organizations, two_factor

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def world(database_url):
    engine = create_engine_for(database_url)
    with session_scope(engine) as session:
        users = {email: accounts.register_user(session, email=email, display_name=name, password=PASSWORD,
                                               role=role, hash_profile="fast", confirmed=True,
                                               consents=legal.current_versions(resolve_city(DEFAULT_CITY).directory))
                 for email, name, role in [("officer@example.jp", "南沢の会長", Role.RESIDENT),
                                           ("npo@example.jp", "NPO代表", Role.RESIDENT),
                                           ("staff@example.jp", "協働推進課", Role.STAFF)]}
        staff = users["staff@example.jp"]
        two_factor.enable(session, user=staff, secret=STAFF_TOTP_SECRET, code=totp.enrol_code(STAFF_TOTP_SECRET))
        jichikai = organizations.create_organization(
            session, creator=None, source=RecordSource.PROXY, actor=staff, data=OrganizationCreate(
                kind=OrgKind.TERRITORIAL, category=OrgCategory.JICHIKAI, name="南沢自治会", area_ids=[1]))
        npo = organizations.create_organization(session, creator=users["npo@example.jp"], data=OrganizationCreate(
            kind=OrgKind.THEMATIC, category=OrgCategory.NPO, name="NPO法人 わき水の会", area_ids=[1]))
        consortium = consortia.create_consortium(
            session, creator=users["npo@example.jp"], founding_org_id=npo.id, invite_org_ids=[jichikai.id],
            data=ConsortiumCreate(name="湧水を守る協議体", purpose="湧水と川辺の清掃", area_ids=[1],
                                  domain=CollaborationDomain.COOPERATIVE, start_date=date(2026, 4, 1),
                                  end_date=date(2027, 3, 31)))
        # Staff answered for the association while it had no account: a proxy act.
        consortia.respond(session, consortium_id=consortium.id, org_id=jichikai.id, by_user=staff, accept=True,
                          message="")
        agreements.save_draft(session, consortium_id=consortium.id, by_user=users["npo@example.jp"],
                              data=agreements.AgreementDraft(
                                  purpose="湧水と川辺の清掃を続ける", period_start=date(2026, 4, 1),
                                  period_end=date(2027, 3, 31), roles={
                                      jichikai.id: agreements.RoleInput(role="清掃用具の置き場",
                                                                        form=CollaborationForm.FACILITY_PROVISION),
                                      npo.id: agreements.RoleInput(role="月1回の清掃", form=CollaborationForm.PERSONNEL_EXCHANGE)}))
        ids = {"org": jichikai.id, "consortium": consortium.id}
    engine.dispose()
    return ids


def test_claim_approval_and_signing(world, live_server, new_page):
    base, page = live_server, new_page()
    agreement_url = f"{base}/consortia/{world['consortium']}/agreement"

    login(page, base, "officer@example.jp")
    page.goto(f"{base}/orgs/{world['org']}")
    assert "未確認" in page.locator("main").inner_text()
    page.get_by_role("link", name="この団体の代表者です（代表を申請する）").click()
    page.get_by_label("代表であることの説明").fill("令和8年度の会長です。総会の議事録があります。")
    page.get_by_role("button", name="申請する").click()
    page.wait_for_url(f"{base}/orgs/{world['org']}")
    assert "代表を申請中です" in page.locator("main").inner_text()
    page.goto(agreement_url)
    assert page.get_by_role("button", name="この団体として署名する").count() == 0  # not yet the 代表
    logout(page)

    login(page, base, "staff@example.jp")
    page.goto(f"{base}/staff/claims")
    card = page.locator("section.card", has_text="南沢自治会")
    assert "令和8年度の会長です" in card.inner_text()
    card.get_by_label("承認する（申請者を代表にする）").check()
    card.get_by_label("理由（見送るときは必須。申請者に伝わります）").fill("連合会の名簿と一致")
    card.get_by_role("button", name="決定する").click()
    page.wait_for_url(f"{base}/staff/claims")
    assert "処理を待っている申請はありません" in page.locator("main").inner_text()
    page.goto(f"{base}/orgs/{world['org']}")
    page.get_by_role("button", name="確認済みにする").click()
    logout(page)

    login(page, base, "officer@example.jp")
    page.goto(f"{base}/notifications/")
    assert "承認されました" in page.locator("main").inner_text()
    page.goto(agreement_url)
    page.get_by_role("button", name="この団体として署名する").click()
    page.get_by_role("button", name="署名を確定する").click()
    page.wait_for_url(lambda url: "/agreement" in url and "/sign/" not in url)
    text = page.locator("main").inner_text()
    assert "南沢の会長" in text and "署名 1 / 2団体" in text
    assert "代理で署名" not in text
    assert "確認済み" in page.goto(f"{base}/orgs/{world['org']}").text()
