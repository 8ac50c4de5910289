"""Proxy rules: staff act for an association only where it has no owner account, never on a closed
協議体, never for two members of one 協議体; every proxy act is stored and shown as 代理."""
from datetime import date

import pytest
from sqlmodel import select

from tests.webclient import AuthActions, csrf_token
from webapp.models import (
    CollaborationDomain,
    CollaborationForm,
    ConsortiumCreate,
    ConsortiumMember,
    ConsortiumStatus,
    EvaluationCreate,
    OrganizationCreate,
    OrgKind,
    Principle,
    RecordSource,
)
from webapp.services import agreements, consortia, evaluations, organizations, proxy
from webapp.services.errors import Conflict, Forbidden


def _proxy_org(db, staff, name, kind):
    category = "jichikai" if kind == OrgKind.TERRITORIAL else "voluntary"
    return organizations.create_organization(
        db, data=OrganizationCreate(kind=kind, category=category, name=name, area_ids=[]),
        creator=None, source=RecordSource.PROXY, actor=staff)


@pytest.fixture
def world(db, factory):
    """A 協議体 inviting two associations without accounts (A, B) and one with its owner (C)."""
    staff1 = factory.staff(email="staff1@example.jp")
    staff2 = factory.staff(email="staff2@example.jp")
    owner_c = factory.user(email="c@example.jp")
    a = _proxy_org(db, staff1, "滝山自治会", OrgKind.TERRITORIAL)
    b = _proxy_org(db, staff1, "滝山見守りの会", OrgKind.THEMATIC)
    c = factory.organization(owner=owner_c, kind=OrgKind.THEMATIC, name="子ども食堂ひばり")
    consortium = consortia.create_consortium(
        db, creator=staff1, founding_org_id=None, invite_org_ids=[a.id, b.id, c.id],
        data=ConsortiumCreate(name="滝山見守り協議体", purpose="見守り", domain=CollaborationDomain.COOPERATIVE,
                              start_date=date(2026, 4, 1), end_date=date(2027, 3, 31), area_ids=[factory.area().id]))
    db.commit()
    return dict(staff1=staff1, staff2=staff2, owner_c=owner_c, a=a, b=b, c=c, consortium=consortium)


def _accept(db, w, org, user):
    return consortia.respond(db, consortium_id=w["consortium"].id, org_id=org.id, by_user=user, accept=True, message="")


def test_staff_accept_for_an_association_without_account_and_it_is_marked_proxy(db, world):
    w = world
    member = _accept(db, w, w["a"], w["staff1"])
    db.commit()
    assert (member.proxy, member.answered_by_id) == (True, w["staff1"].id)
    owner_answer = _accept(db, w, w["c"], w["owner_c"])
    assert owner_answer.proxy is False


def test_staff_are_refused_for_an_association_with_its_own_owner(db, world):
    with pytest.raises(Forbidden, match="アカウントがあるため"):
        _accept(db, world, world["c"], world["staff1"])
    assert db.get(ConsortiumMember, (world["consortium"].id, world["c"].id)).status.value == "invited"


def test_an_inactive_owner_account_does_not_count(db, world):
    world["owner_c"].is_active = False
    db.add(world["owner_c"])
    db.commit()
    assert _accept(db, world, world["c"], world["staff1"]).proxy is True


def test_one_staff_member_does_not_act_for_two_members_of_one_consortium(db, world):
    w = world
    _accept(db, w, w["a"], w["staff1"])
    with pytest.raises(Forbidden, match="複数の団体を代理"):
        _accept(db, w, w["b"], w["staff1"])
    assert _accept(db, w, w["b"], w["staff2"]).proxy is True


def _draft(w):
    roles = {o.id: agreements.RoleInput(role="役割", form=CollaborationForm.CO_HOSTING) for o in (w["a"], w["b"], w["c"])}
    return agreements.AgreementDraft(purpose="見守り", period_start=date(2026, 4, 1), period_end=date(2027, 3, 31),
                                     roles=roles)


@pytest.fixture
def signed(db, world):
    """Everyone accepted; version 1 signed (A by staff1, B by staff2, C by its owner); a version 2 draft."""
    w = world
    _accept(db, w, w["a"], w["staff1"])
    _accept(db, w, w["b"], w["staff2"])
    _accept(db, w, w["c"], w["owner_c"])
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["staff1"], data=_draft(w))
    agreements.sign(db, agreement_id=v1.id, org_id=w["a"].id, by_user=w["staff1"], today=date(2026, 5, 1))
    with pytest.raises(Forbidden, match="複数の団体を代理"):
        agreements.sign(db, agreement_id=v1.id, org_id=w["b"].id, by_user=w["staff1"], today=date(2026, 5, 1))
    with pytest.raises(Forbidden, match="アカウントがあるため"):
        agreements.sign(db, agreement_id=v1.id, org_id=w["c"].id, by_user=w["staff2"], today=date(2026, 5, 1))
    agreements.sign(db, agreement_id=v1.id, org_id=w["b"].id, by_user=w["staff2"], today=date(2026, 5, 1))
    agreements.sign(db, agreement_id=v1.id, org_id=w["c"].id, by_user=w["owner_c"], today=date(2026, 5, 1))
    draft = _draft(w).model_copy(update={"purpose": "見守りと配食"})
    v2 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["owner_c"], data=draft)
    db.commit()
    return dict(w, v1=v1, v2=v2)


def test_public_agreement_shows_the_version_in_force_with_proxy_marks(client, signed):
    cid = signed["consortium"].id
    html = client.get(f"/consortia/{cid}/agreement").get_data(as_text=True)
    assert "第1版" in html and "締結済み" in html and "見守りと配食" not in html
    assert html.count("市職員が代理で署名（団体のアカウントなし）") == 2
    assert client.get(f"/consortia/{cid}/agreement?v=2").status_code == 404  # drafts are not public
    data = client.get(f"/api/v1/consortia/{cid}/agreement").get_json()
    assert data["in_force"]["version"] == 1
    assert [v["version"] for v in data["versions"]] == [1]
    proxies = {r["organization"]["id"]: r["signature"]["proxy"] for r in data["in_force"]["roles"]}
    assert proxies == {signed["a"].id: True, signed["b"].id: True, signed["c"].id: False}
    members = client.get(f"/api/v1/consortia/{cid}").get_json()["members"]
    assert {m["organization"]["id"]: m["proxy"] for m in members}[signed["a"].id] is True


def test_members_see_the_draft(app, signed):
    member = app.test_client()
    AuthActions(member).login(email="c@example.jp")
    cid = signed["consortium"].id
    html = member.get(f"/consortia/{cid}/agreement").get_data(as_text=True)
    assert "見守りと配食" in html and "まだ締結されていません" in html
    assert [v["version"] for v in member.get(f"/api/v1/consortia/{cid}/agreement").get_json()["versions"]] == [2, 1]


def test_the_sign_page_refuses_staff_for_an_owned_association_with_a_reason(app, signed):
    staff = app.test_client()
    AuthActions(staff).login(email="staff2@example.jp")
    cid, v2, c = signed["consortium"].id, signed["v2"], signed["c"]
    response = staff.post(f"/consortia/{cid}/agreement/{v2.id}/sign/{c.id}",
                          data={"csrf_token": csrf_token(staff, f"/consortia/{cid}/agreement")})
    assert response.status_code == 403
    assert "アカウントがあるため" in response.get_data(as_text=True)


def test_nothing_is_signed_on_a_closed_consortium(db, signed):
    consortium = signed["consortium"]
    consortium.status = ConsortiumStatus.CLOSED
    db.add(consortium)
    db.commit()
    with pytest.raises(Conflict, match="終了した協議体"):
        agreements.sign(db, agreement_id=signed["v2"].id, org_id=signed["c"].id, by_user=signed["owner_c"])
    with pytest.raises(Forbidden, match="終了した協議体"):
        proxy.acting_for(db, user=signed["staff1"], org_id=signed["a"].id, consortium=consortium)
    with pytest.raises(Conflict):
        consortia.leave(db, consortium_id=consortium.id, org_id=signed["c"].id, by_user=signed["owner_c"], message="")


def _evaluation():
    return EvaluationCreate(goal_score=4, cost_score=3, principles={p: 4 for p in Principle})


def test_evaluations_follow_the_same_rules(db, signed):
    cid = signed["consortium"].id
    assert db.exec(select(ConsortiumMember.status).where(ConsortiumMember.consortium_id == cid)).all()
    with pytest.raises(Forbidden, match="アカウントがあるため"):
        evaluations.submit(db, consortium_id=cid, by_user=signed["staff1"], org_id=signed["c"].id, data=_evaluation())
    done = evaluations.submit(db, consortium_id=cid, by_user=signed["staff1"], org_id=signed["a"].id, data=_evaluation())
    assert done.proxy is True
    pending = evaluations.pending_for(db, consortium_id=cid, user=signed["staff2"])
    assert {p.organization_id for p in pending} == {None, signed["b"].id}
