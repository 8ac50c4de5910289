"""Association identity: twins at registration, claims to become 代表, 確認済み, appointing an owner."""
import pytest
from sqlmodel import select

from tests.webclient import AuthActions, field_error, post_form
from webapp.models import (
    AuditEntry,
    ClaimStatus,
    MemberRole,
    Membership,
    Notification,
    NotificationKind,
    Organization,
    OrganizationCreate,
    OrgClaim,
    OrgKind,
    RecordSource,
)
from webapp.services import claims, identity, organizations
from webapp.services.errors import Conflict, Forbidden, NotFound
from webapp.services.registry.names import name_key, variant_key


def test_variant_keys_join_association_endings_and_the_registered_form():
    same = ["滝山すずかけ住宅自治会", "滝山すずかけ住宅町内会", "滝山すずかけ住宅町会",
            "認可地縁団体 滝山すずかけ住宅自治会", "滝山 すずかけ住宅自治会", "滝山スズカケ住宅自治会"]
    assert len({variant_key(n) for n in same}) == 1
    assert name_key("認可地縁団体滝山自治会") == name_key("滝山自治会")
    assert variant_key("滝山自治会") != variant_key("滝山四丁目自治会")
    assert variant_key("会") == ""  # nothing distinctive left: never a twin of everything


def _org(factory, name, owner=None, kind=OrgKind.TERRITORIAL):
    return factory.organization(owner=owner, kind=kind, name=name)


def test_find_twins_names_same_and_variant_names(db, factory):
    first = _org(factory, "滝山すずかけ住宅自治会", owner=factory.user())
    _org(factory, "まったく別の会")
    twins = identity.find_twins(db, name="滝山すずかけ住宅　町内会")
    assert [(t.id, t.same, t.has_owner) for t in twins] == [(first.id, False, True)]
    assert [t.same for t in identity.find_twins(db, name="ＮＰＯ法人 滝山すずかけ住宅自治会")] == [True]
    assert identity.find_twins(db, name="滝山すずかけ住宅自治会", exclude_id=first.id) == []


def _registration(name, **extra):
    return {"kind": "territorial", "category": "jichikai", "name": name, "capacity": "2", "citywide": "y",
            "action": "save", **extra}


def test_registering_a_twin_warns_links_and_needs_confirmation(app, client, db, factory):
    first = _org(factory, "滝山すずかけ住宅自治会", owner=factory.user())
    factory.user(email="new@example.jp")
    AuthActions(client).login(email="new@example.jp")
    response = post_form(client, "/orgs/new", _registration("滝山すずかけ住宅町会"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "似た名前の団体がすでに登録されています" in field_error(html, "twin_confirmed")
    assert f'href="/orgs/{first.id}/claim"' in html
    assert db.exec(select(Organization).where(Organization.name == "滝山すずかけ住宅町会")).first() is None

    response = post_form(client, "/orgs/new", _registration("滝山すずかけ住宅町会", twin_confirmed="y"))
    assert response.status_code == 302
    twin = db.exec(select(Organization).where(Organization.name == "滝山すずかけ住宅町会")).one()
    assert twin.twin_of_id == first.id
    entry = db.exec(select(AuditEntry).where(AuditEntry.entity_id == twin.id, AuditEntry.action == "create")).one()
    assert entry.details["twin_of"] == first.id
    # Staff see the flag on the page; the public does not.
    assert "確認のうえ登録された団体" not in client.get(f"/orgs/{twin.id}").get_data(as_text=True)
    factory.staff(email="staff@example.jp")
    staff = app.test_client()
    AuthActions(staff).login(email="staff@example.jp")
    assert "確認のうえ登録された団体" in staff.get(f"/orgs/{twin.id}").get_data(as_text=True)


def test_proxy_entry_also_warns_about_twins(client, db, factory):
    _org(factory, "滝山自治会")
    factory.staff(email="staff@example.jp")
    AuthActions(client).login(email="staff@example.jp")
    response = post_form(client, "/staff/orgs/new", _registration("滝山町内会"))
    assert response.status_code == 422 and "似た名前" in response.get_data(as_text=True)


def _notified(db, user, kind):
    return db.exec(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)).all()


def test_claim_on_an_association_without_owner_goes_to_staff_and_approval_makes_an_owner(db, factory):
    org = factory.organization(name="滝山自治会", kind=OrgKind.TERRITORIAL)  # entered by staff: no owner
    officer, staff = factory.user(), factory.staff()
    claim = claims.request_claim(db, org_id=org.id, user=officer, message="令和8年度の会長です。")
    db.commit()
    assert claim.status == ClaimStatus.PENDING
    assert _notified(db, staff, NotificationKind.CLAIM)
    assert [v.claim.id for v in claims.open_claims(db)] == [claim.id]

    claims.decide(db, claim_id=claim.id, staff=staff, approve=True, reason="連合会名簿と一致")
    db.commit()
    assert organizations.member_role(db, org_id=org.id, user_id=officer.id) == MemberRole.OWNER
    assert _notified(db, officer, NotificationKind.CLAIM_DECISION)
    actions = set(db.exec(select(AuditEntry.action).where(AuditEntry.entity_id == org.id)).all())
    assert {"claim", "claim_approved"} <= actions
    with pytest.raises(Conflict, match="すでに処理"):
        claims.decide(db, claim_id=claim.id, staff=staff, approve=False, reason="二重")


def test_owners_are_asked_first_and_their_answer_reaches_staff(db, factory):
    owner, newcomer, staff = factory.user(), factory.user(), factory.staff()
    org = factory.organization(owner=owner, name="滝山自治会", kind=OrgKind.TERRITORIAL)
    claim = claims.request_claim(db, org_id=org.id, user=newcomer, message="新しい会長です")
    db.commit()
    assert claim.status == ClaimStatus.OWNERS_ASKED
    assert _notified(db, owner, NotificationKind.CLAIM) and not _notified(db, staff, NotificationKind.CLAIM)
    with pytest.raises(Forbidden):
        claims.answer_as_owner(db, claim_id=claim.id, owner=newcomer, agree=True, answer="")
    claims.answer_as_owner(db, claim_id=claim.id, owner=owner, agree=False, answer="聞いていません")
    db.commit()
    db.refresh(claim)
    assert (claim.status, claim.owner_answer) == (ClaimStatus.PENDING, "同意しない：聞いていません")
    assert _notified(db, staff, NotificationKind.CLAIM)
    with pytest.raises(Conflict, match="理由"):
        claims.decide(db, claim_id=claim.id, staff=staff, approve=False, reason=" ")
    claims.decide(db, claim_id=claim.id, staff=staff, approve=False, reason="総会資料で確認できませんでした")
    db.commit()
    assert organizations.member_role(db, org_id=org.id, user_id=newcomer.id) is None
    decision = _notified(db, newcomer, NotificationKind.CLAIM_DECISION)
    assert "総会資料で確認できませんでした" in decision[0].message
    assert _notified(db, owner, NotificationKind.CLAIM_DECISION)


def test_one_open_claim_per_person_and_only_staff_decide(db, factory):
    org = factory.organization(name="滝山自治会", kind=OrgKind.TERRITORIAL)
    person = factory.user()
    claim = claims.request_claim(db, org_id=org.id, user=person, message="会長です")
    db.commit()
    with pytest.raises(Conflict, match="すでに受け付けています"):
        claims.request_claim(db, org_id=org.id, user=person, message="もう一度")
    db.rollback()
    with pytest.raises(Forbidden):
        claims.decide(db, claim_id=claim.id, staff=person, approve=True, reason="")
    claims.withdraw(db, claim_id=claim.id, user=person)
    db.commit()
    again = claims.request_claim(db, org_id=org.id, user=person, message="改めて")  # closed ones do not count
    db.commit()
    assert db.exec(select(OrgClaim).where(OrgClaim.user_id == person.id)).all().__len__() == 2
    assert again.status == ClaimStatus.PENDING


def test_verified_flag_is_set_by_staff_and_shown(client, db, factory):
    org = factory.organization(name="滝山自治会", kind=OrgKind.TERRITORIAL)
    staff = factory.staff(email="staff@example.jp")
    assert "未確認" in client.get(f"/orgs/{org.id}").get_data(as_text=True)
    with pytest.raises(Forbidden):
        identity.set_verified(db, org_id=org.id, staff=factory.user(), verified=True)
    AuthActions(client).login(email="staff@example.jp")
    response = post_form(client, f"/staff/orgs/{org.id}/verify", {"verified": "y"}, token_from=f"/orgs/{org.id}")
    assert response.status_code == 302
    db.refresh(org)
    assert org.verified and org.verified_by_id == staff.id and org.verified_at is not None
    assert client.get(f"/api/v1/organizations/{org.id}").get_json()["verified"] is True
    listed = client.get("/api/v1/organizations").get_json()["items"]
    assert [o["verified"] for o in listed if o["id"] == org.id] == [True]
    assert "確認済み" in client.get(f"/orgs/{org.id}").get_data(as_text=True)
    exported = client.get("/staff/registry/export/organizations.json").get_json()
    assert [(o["verified"], o["verified_at"] is not None) for o in exported if o["id"] == org.id] == [(True, True)]
    csv_text = client.get("/staff/registry/export/organizations.csv").get_data(as_text=True)
    assert "市の確認" in csv_text.splitlines()[0] and "確認済み" in csv_text


def test_staff_appoint_an_existing_member_only_where_there_is_no_owner(db, factory):
    staff, editor = factory.staff(), factory.user()
    org = organizations.create_organization(
        db, data=OrganizationCreate(kind="territorial", category="jichikai", name="滝山自治会"),
        creator=None, source=RecordSource.PROXY, actor=staff)
    with pytest.raises(NotFound):
        identity.appoint_owner(db, org_id=org.id, staff=staff, user_id=editor.id)
    db.add(Membership(user_id=editor.id, organization_id=org.id, role=MemberRole.EDITOR))
    db.commit()
    identity.appoint_owner(db, org_id=org.id, staff=staff, user_id=editor.id)
    db.commit()
    assert organizations.member_role(db, org_id=org.id, user_id=editor.id) == MemberRole.OWNER
    other = factory.user()
    db.add(Membership(user_id=other.id, organization_id=org.id, role=MemberRole.EDITOR))
    db.commit()
    with pytest.raises(Conflict, match="すでに代表"):
        identity.appoint_owner(db, org_id=org.id, staff=staff, user_id=other.id)


def test_claim_pages_end_to_end_over_http(app, db, factory):
    org = factory.organization(name="滝山自治会", kind=OrgKind.TERRITORIAL)
    factory.user(email="officer@example.jp")
    factory.staff(email="staff@example.jp")
    officer = app.test_client()
    AuthActions(officer).login(email="officer@example.jp")
    assert "代表を申請する" in officer.get(f"/orgs/{org.id}").get_data(as_text=True)
    empty = post_form(officer, f"/orgs/{org.id}/claim", {"message": ""})
    assert empty.status_code == 422 and field_error(empty.get_data(as_text=True), "message")
    assert post_form(officer, f"/orgs/{org.id}/claim", {"message": "会長の田中です"}).status_code == 302
    claim = db.exec(select(OrgClaim)).one()

    staff = app.test_client()
    AuthActions(staff).login(email="staff@example.jp")
    queue = staff.get("/staff/claims").get_data(as_text=True)
    assert "会長の田中です" in queue and "滝山自治会" in queue
    refused = post_form(staff, f"/staff/claims/{claim.id}/decide", {"decision": "decline", "reason": ""},
                        token_from="/staff/claims")
    assert refused.status_code == 422 and "見送る理由を書いてください" in refused.get_data(as_text=True)
    done = post_form(staff, f"/staff/claims/{claim.id}/decide", {"decision": "approve", "reason": ""},
                     token_from="/staff/claims")
    assert done.status_code == 302
    again = post_form(staff, f"/staff/claims/{claim.id}/decide", {"decision": "approve", "reason": ""},
                      token_from="/staff/claims")
    assert again.status_code == 422 and "すでに処理" in again.get_data(as_text=True)
    db.expire_all()
    assert db.exec(select(Membership).where(Membership.organization_id == org.id)).one().role == MemberRole.OWNER


def test_only_a_confirmed_account_may_claim_or_answer_a_claim(db, factory):
    org = factory.organization(name="下里自治会", kind=OrgKind.TERRITORIAL)
    unconfirmed = factory.user(confirmed=False)
    with pytest.raises(Forbidden, match="メールアドレスの確認"):
        claims.request_claim(db, org_id=org.id, user=unconfirmed, message="会長です。")
    assert db.exec(select(OrgClaim)).all() == []
    owner = factory.user()
    owned = factory.organization(name="前沢自治会", kind=OrgKind.TERRITORIAL, owner=owner)
    claim = claims.request_claim(db, org_id=owned.id, user=factory.user(), message="新しい会長です。")
    owner.email_confirmed_at = None  # e.g. the owner changed address and has not confirmed it yet
    with pytest.raises(Forbidden, match="メールアドレスの確認"):
        claims.answer_as_owner(db, claim_id=claim.id, owner=owner, agree=True, answer="")
