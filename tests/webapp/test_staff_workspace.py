import re
from datetime import date

from sqlmodel import select

from tests.webclient import post_form
from webapp.models import AuditEntry, Organization, OrgKind, RecordSource
from webapp.services import lifecycle, workspace


def _staff_client(client, auth, factory):
    factory.staff(email="staff@example.jp")
    auth.login(email="staff@example.jp")
    return client


def test_unserved_issues_come_with_a_proposed_team(client, auth, factory):
    reporter = factory.user()
    factory.organization(kind=OrgKind.TERRITORIAL, name="滝山自治会", towns=("滝山",), description="滝山の自治会")
    factory.organization(name="見守りの会", towns=("滝山",), description="高齢者の見守り訪問をしています。")
    factory.issue(reporter=reporter, title="一人暮らしの高齢者が心配", body="団地で一人暮らしの高齢者の見守りが必要です。")
    html = _staff_client(client, auth, factory).get("/staff/").get_data(as_text=True)
    assert "一人暮らしの高齢者が心配" in html
    assert "滝山自治会" in html and "見守りの会" in html and "この案で協議体を提案する" in html


def test_an_issue_with_a_consortium_is_no_longer_unserved(db, factory, active_consortium):
    from webapp.models import ConsortiumIssue

    issue = factory.issue(reporter=factory.user(), title="見守りの課題")
    before = workspace.issues_without_consortium(db)
    db.add(ConsortiumIssue(consortium_id=active_consortium["consortium"].id, issue_id=issue.id))
    db.commit()
    after = workspace.issues_without_consortium(db)
    assert before.total == after.total + 1


def test_heatmap_marks_where_issues_pile_up_and_nobody_works(db, factory):
    reporter = factory.user()
    welfare = factory.theme("health_welfare")
    env = factory.theme("environment")
    factory.issue(reporter=reporter, town="南沢", theme_ids=[env.id], title="川のごみ", body="川にごみが多い")
    factory.issue(reporter=reporter, town="滝山", theme_ids=[welfare.id], title="見守り", body="高齢者の見守り")
    factory.organization(towns=("滝山",), theme_ids=[welfare.id], description="見守り")
    heat = workspace.heatmap(db)
    minamisawa, takiyama = factory.area("南沢").id, factory.area("滝山").id
    assert heat.issues[(minamisawa, "environment")] == 1 and heat.gap(minamisawa, "environment")
    assert heat.issues[(takiyama, "health_welfare")] == 1 and not heat.gap(takiyama, "health_welfare")


def test_undeclared_themes_are_inferred_from_the_text(db, factory):
    factory.issue(reporter=factory.user(), town="柳窪", title="子ども食堂を開きたい",
                  body="放課後に子どもたちが一緒にごはんを食べられる場所をつくりたい。")
    heat = workspace.heatmap(db)
    assert heat.issues.get((factory.area("柳窪").id, "child_development")) == 1


def test_town_map_is_an_svg_of_every_town(client, auth, factory):
    factory.issue(reporter=factory.user(), town="南沢")
    html = _staff_client(client, auth, factory).get("/staff/gaps").get_data(as_text=True)
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 560"'):]
    svg = svg[: svg.index("</svg>")]
    assert svg.count('<g class="town ') == 23 and svg.count('class="name"') == 23
    assert "南沢: 受付中の課題1件（うち協議体なし1件）・団体0" in svg  # the text alternative
    assert svg.count('class="town gap-1"') == 1 and svg.count('class="town gap-0"') == 22
    assert "協議体がまだない課題:" in svg and "4件以上" in svg  # the legend


def test_town_map_labels_never_overlap(client, auth, factory):
    from webapp.charts import MAP_FONT, _text_width

    html = _staff_client(client, auth, factory).get("/staff/gaps").get_data(as_text=True)
    labels = [(float(x), float(y), name) for x, y, name in
              re.findall(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle" class="name">([^<]+)</text>', html)]
    assert {"大門町", "新川町", "浅間町"} <= {name for _, _, name in labels} and len(labels) == 23
    boxes = [(x - _text_width(n, MAP_FONT) / 2, y - MAP_FONT, x + _text_width(n, MAP_FONT) / 2, y + 2) for x, y, n in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_board_groups_consortia_by_status(client, auth, factory, active_consortium, db):
    lifecycle.tick(db, today=date(2027, 4, 1))
    db.commit()
    html = client.get("/staff/board")  # anonymous: sent to log in
    assert html.status_code == 302
    factory.staff(email="s2@example.jp")
    auth.login(email="s2@example.jp")
    page = client.get("/staff/board").get_data(as_text=True)
    column = page[page.index("振り返り中（1）"):]
    assert "滝山見守り協議体" in column[: column.index("</section>")]


def test_proxy_entry_is_recorded_as_such(client, auth, factory, db):
    staff = factory.staff(email="staff@example.jp")
    auth.login(email="staff@example.jp")
    response = post_form(client, "/staff/orgs/new", {
        "kind": "territorial", "category": "jichikai", "name": "柳窪けやき自治会", "capacity": "1",
        "areas": [str(factory.area("柳窪").id)], "action": "save"})
    assert response.status_code == 302
    org = db.exec(select(Organization).where(Organization.name == "柳窪けやき自治会")).one()
    assert org.source == RecordSource.PROXY
    entry = db.exec(select(AuditEntry).where(AuditEntry.entity_id == org.id, AuditEntry.entity == "organization")).one()
    assert entry.proxy and entry.actor_id == staff.id
    assert "登録: 職員による代理登録" in client.get(f"/orgs/{org.id}").get_data(as_text=True)
    audit_page = client.get("/staff/audit").get_data(as_text=True)
    assert "柳窪けやき自治会" in audit_page and "代理" in audit_page


def test_every_change_is_in_the_audit_log(db, factory, active_consortium):
    from tests.webapp.conftest import agreement_draft
    from webapp.models import EvaluationCreate, OrganizationCreate, Principle
    from webapp.services import agreements, evaluations
    from webapp.services import organizations as org_service

    w = active_consortium
    data = org_service.profile_form_data(db, org_id=w["npo"].id)
    org_service.update_organization(db, org_id=w["npo"].id, actor=w["npo_owner"],
                                    data=OrganizationCreate(**{**data.model_dump(), "offers": "週2回の訪問"}))
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    agreements.sign(db, agreement_id=v1.id, org_id=w["npo"].id, by_user=w["npo_owner"])
    evaluations.submit(db, consortium_id=w["consortium"].id, by_user=w["staff"], org_id=None,
                       data=EvaluationCreate(goal_score=3, cost_score=3, principles={p: 3 for p in Principle}))
    db.commit()
    entries = db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    seen = {(e.entity, e.action) for e in entries}
    assert {("organization", "create"), ("organization", "update"), ("consortium", "create"),
            ("consortium", "invite"), ("consortium", "accept"), ("consortium", "status"),
            ("agreement", "draft"), ("agreement", "sign"), ("evaluation", "submit")} <= seen
    update = next(e for e in entries if e.action == "update")
    assert update.actor_id == w["npo_owner"].id and update.details["offers"][1] == "週2回の訪問"
    assert all(e.created_at is not None for e in entries)


def test_audit_details_read_in_japanese_with_names_and_before_after(client, auth, factory, db, active_consortium):
    from webapp.models import OrganizationCreate
    from webapp.services import organizations as org_service

    org = active_consortium["jichikai"]
    data = org_service.profile_form_data(db, org_id=org.id)
    org_service.update_organization(db, org_id=org.id, actor=active_consortium["kaicho"], data=OrganizationCreate(
        **{**data.model_dump(), "offers": "集会所を貸せます", "area_ids": [factory.area("滝山").id, factory.area("南沢").id]}))
    db.commit()
    auth.login(email="staff@example.jp")
    html = client.get("/staff/audit").get_data(as_text=True)
    assert "提供できること" in html and "→ 集会所を貸せます" in html
    assert "活動している町" in html and "滝山 → 滝山、南沢" in html
    assert "見守りNPO" in html  # an invited organization by name, not by id
    assert not re.search(r"\\u[0-9a-f]{4}", html) and "area_ids" not in html and "{&#34;" not in html
