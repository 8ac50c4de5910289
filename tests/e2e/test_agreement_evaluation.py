"""Agreement to evaluation in Chromium: draft a 協定書 → both owners sign → `kyodo tick` past the end
date → both sides evaluate → the report shows the radar chart and the flagged principle."""
import os
import re
import subprocess
import sys
from datetime import date

import pytest

from webapp.db import create_engine_for, session_scope
from webapp.models import CollaborationDomain, ConsortiumCreate, OrganizationCreate, OrgCategory, OrgKind, Role

from webapp.cities import resolve_city
from webapp.config import DEFAULT_CITY
from webapp.services import accounts, consortia, legal, organizations, two_factor

from tests import totp
from tests.e2e.actions import PASSWORD, STAFF_TOTP_SECRET, login, logout

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def consortium_id(database_url):
    engine = create_engine_for(database_url)
    with session_scope(engine) as session:
        consents = legal.current_versions(resolve_city(DEFAULT_CITY).directory)
        users = {email: accounts.register_user(session, email=email, display_name=name, password=PASSWORD,
                                               role=role, hash_profile="fast", confirmed=True, consents=consents)
                 for email, name, role in [("kaicho@example.jp", "自治会長", Role.RESIDENT),
                                           ("npo@example.jp", "NPO代表", Role.RESIDENT),
                                           ("staff@example.jp", "協働推進課", Role.STAFF)]}
        staff = users["staff@example.jp"]
        two_factor.enable(session, user=staff, secret=STAFF_TOTP_SECRET, code=totp.enrol_code(STAFF_TOTP_SECRET))
        area_ids = [1]
        jichikai = organizations.create_organization(session, creator=users["kaicho@example.jp"], data=OrganizationCreate(
            kind=OrgKind.TERRITORIAL, category=OrgCategory.JICHIKAI, name="南沢自治会", area_ids=area_ids))
        npo = organizations.create_organization(session, creator=users["npo@example.jp"], data=OrganizationCreate(
            kind=OrgKind.THEMATIC, category=OrgCategory.NPO, name="NPO法人 わき水の会", area_ids=area_ids))
        consortium = consortia.create_consortium(
            session, creator=users["kaicho@example.jp"], founding_org_id=jichikai.id, invite_org_ids=[npo.id],
            data=ConsortiumCreate(name="湧水を守る協議体", purpose="湧水と川辺の清掃を続ける",
                                  domain=CollaborationDomain.COOPERATIVE, start_date=date(2026, 4, 1),
                                  end_date=date(2027, 3, 31), area_ids=area_ids))
        consortia.respond(session, consortium_id=consortium.id, org_id=npo.id, by_user=users["npo@example.jp"],
                          accept=True, message="")
        result = consortium.id
    engine.dispose()
    return result






def evaluate(page, base, consortium_id, label, scores):
    page.goto(f"{base}/consortia/{consortium_id}/evaluation")
    page.get_by_role("link", name=re.compile(label)).click()
    for legend, value in scores.items():
        page.locator("fieldset", has=page.locator("legend", has_text=legend)).get_by_label(str(value), exact=True).check()
    page.get_by_role("button", name="提出する").click()
    page.get_by_role("button", name="提出を確定する").click()  # the confirmation step
    page.wait_for_url(f"{base}/consortia/{consortium_id}/evaluation")


def test_agreement_signing_lifecycle_and_evaluation(consortium_id, live_server, new_page, database_url):
    base = live_server
    page = new_page()
    url = f"{base}/consortia/{consortium_id}/agreement"

    login(page, base, "kaicho@example.jp")
    page.goto(url)
    page.get_by_role("link", name="協定書の案を作る").click()
    page.get_by_label("「南沢自治会」の協働の形態").select_option(label="公共施設等の提供")
    page.get_by_label("「南沢自治会」の役割").fill("集会所を清掃用具の置き場として提供する")
    page.get_by_label("「NPO法人 わき水の会」の協働の形態").select_option(label="人的交流")
    page.get_by_label("「NPO法人 わき水の会」の役割").fill("月1回の清掃と水質の記録")
    page.get_by_label("費用の分担").fill("用具代は自治会、記録用紙はNPOが負担する。")
    page.get_by_role("button", name="案を保存する").click()
    page.wait_for_url(url)
    page.get_by_role("button", name="この団体として署名する").click()
    page.get_by_role("button", name="署名を確定する").click()  # the confirmation step
    assert "署名受付中" in page.locator("main").inner_text()
    logout(page)

    login(page, base, "npo@example.jp")
    page.goto(url)
    page.get_by_role("button", name="この団体として署名する").click()
    page.get_by_role("button", name="署名を確定する").click()  # the confirmation step
    text = page.locator("main").inner_text()
    assert "締結済み" in text and "署名 2 / 2団体" in text
    logout(page)

    env = {**os.environ, "DATABASE_URL": database_url, "KYODO_ENV": "testing"}
    kyodo = os.path.join(os.path.dirname(sys.executable), "kyodo")
    out = subprocess.run([kyodo, "tick", "--today", "2027-04-01"], env=env, capture_output=True, text=True, check=True)
    assert "moved to evaluating 1" in out.stdout

    principles = ["目的共有", "対等", "相互認識・理解", "自主性尊重", "情報公開", "自立", "時限性"]
    citizen = {"目標の達成": 4, "費用に見合った成果": 4, **{f"{p}の原則": 4 for p in principles}, "情報公開の原則": 5}
    city = {**citizen, "情報公開の原則": 2}
    for email in ("kaicho@example.jp", "npo@example.jp"):
        login(page, base, email)
        evaluate(page, base, consortium_id, "市民側", citizen)
        logout(page)
    login(page, base, "staff@example.jp")
    evaluate(page, base, consortium_id, "市側", city)

    report = new_page(1280, 900)
    report.goto(f"{base}/consortia/{consortium_id}/evaluation")
    radar = report.locator("svg.radar")
    assert radar.is_visible()
    assert radar.locator("polygon.radar-citizen").count() == 1 and radar.locator("polygon.radar-city").count() == 1
    assert radar.locator("text.flagged").text_content() == "情報公開 ⚠"
    flagged_rows = report.locator("tr.flagged th").all_inner_texts()
    assert flagged_rows == ["情報公開"]
    assert "市民側と市側で評価が2以上ちがう視点: 情報公開" in report.locator("main").inner_text()
