
import pytest
from sqlmodel import select

from tests.webclient import field_error, post_form
from webapp.models import MemberRole, Organization, OrganizationArea, OrgKind
from webapp.services import organizations as org_service


def _form(factory, **overrides):
    data = {
        "kind": "thematic", "category": "npo", "name": "くるめ見守りネット",
        "description": "一人暮らしの高齢者を訪ねる見守り活動をしています。",
        "offers": "週1回の訪問と電話での安否確認", "needs": "訪問先を紹介してくれる自治会",
        "areas": [str(factory.area("滝山").id), str(factory.area("南沢").id)],
        "capacity": "2", "public_contact": "042-000-0000", "private_contact": "代表携帯 090-0000-0000",
        "website": "https://example.jp/", "action": "save",
    }
    data.update(overrides)
    return data


def test_registering_an_organization_makes_the_creator_its_owner(client, auth, factory, db):
    user = factory.user(email="npo@example.jp")
    auth.login(email="npo@example.jp")
    response = post_form(client, "/orgs/new", _form(factory))
    assert response.status_code == 302
    org = db.exec(select(Organization).where(Organization.name == "くるめ見守りネット")).one()
    assert org_service.member_role(db, org_id=org.id, user_id=user.id) == MemberRole.OWNER
    towns = db.exec(select(OrganizationArea.area_id).where(OrganizationArea.organization_id == org.id)).all()
    assert set(towns) == {factory.area("滝山").id, factory.area("南沢").id}


def test_citywide_selects_every_town(client, auth, factory, db):
    factory.user(email="npo@example.jp")
    auth.login(email="npo@example.jp")
    post_form(client, "/orgs/new", _form(factory, areas=[], citywide="y"))
    org = db.exec(select(Organization)).one()
    assert len(db.exec(select(OrganizationArea).where(OrganizationArea.organization_id == org.id)).all()) == 23


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"name": ""}, "name", "団体名を入力してください。"),
        ({"kind": "thematic", "category": "jichikai"}, "category", "地縁型"),
        ({"areas": []}, "areas", "町を1つ以上"),
        ({"capacity": "abc"}, "capacity", "半角の数字"),
        ({"capacity": "99"}, "capacity", "0〜50"),
        ({"member_count": "-3"}, "member_count", "0以上"),
        ({"website": "javascript:alert(1)"}, "website", "http://"),
        ({"kind": "bogus"}, "kind", "一覧から選んでください"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_stored(client, auth, factory, db, overrides, field, message):
    factory.user(email="npo@example.jp")
    auth.login(email="npo@example.jp")
    response = post_form(client, "/orgs/new", _form(factory, **overrides))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert db.exec(select(Organization)).all() == []


def test_theme_suggestions_are_offered_without_saving(client, auth, factory, db):
    factory.user(email="npo@example.jp")
    auth.login(email="npo@example.jp")
    response = post_form(client, "/orgs/new", _form(factory, action="suggest"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    welfare = factory.theme("health_welfare")
    item = html[html.index(f'name="themes" value="{welfare.id}"'):]
    assert "おすすめ" in item[: item.index("</li>")]
    assert db.exec(select(Organization)).all() == []


def test_editors_edit_and_the_change_shows(client, auth, factory, db):
    owner, editor = factory.user(), factory.user(email="ed@example.jp")
    org = factory.organization(owner=owner, name="旧名の会")
    org_service.add_member(db, org_id=org.id, user=editor)
    db.commit()
    auth.login(email="ed@example.jp")
    page = client.get(f"/orgs/{org.id}/edit").get_data(as_text=True)
    assert 'value="旧名の会"' in page
    response = post_form(client, f"/orgs/{org.id}/edit", _form(factory, name="新名の会"))
    assert response.status_code == 302
    assert "新名の会" in client.get(f"/orgs/{org.id}").get_data(as_text=True)


def test_strangers_cannot_edit(client, auth, factory):
    org = factory.organization(owner=factory.user())
    factory.user(email="x@example.jp")
    auth.login(email="x@example.jp")
    assert client.get(f"/orgs/{org.id}/edit").status_code == 403
    token_page = client.get("/orgs/new")
    assert token_page.status_code == 200
    response = post_form(client, f"/orgs/{org.id}/edit", _form(factory, name="乗っ取り"), token_from="/orgs/new")
    assert response.status_code == 403


def test_owner_hands_over_ownership_on_the_members_page(client, auth, factory, db):
    owner, successor = factory.user(email="old@example.jp"), factory.user(email="new@example.jp", display_name="次の会長")
    org = factory.organization(owner=owner, kind=OrgKind.TERRITORIAL)
    org_service.add_member(db, org_id=org.id, user=successor)
    db.commit()
    auth.login(email="old@example.jp")
    response = post_form(client, f"/orgs/{org.id}/members/transfer", {"user": str(successor.id), "confirm": "y"},
                         token_from=f"/orgs/{org.id}/members")
    assert response.status_code == 302
    db.expire_all()
    assert org_service.member_role(db, org_id=org.id, user_id=successor.id) == MemberRole.OWNER
    assert org_service.member_role(db, org_id=org.id, user_id=owner.id) == MemberRole.EDITOR


def test_transfer_needs_the_confirmation_box(client, auth, factory, db):
    owner, successor = factory.user(email="old@example.jp"), factory.user()
    org = factory.organization(owner=owner)
    org_service.add_member(db, org_id=org.id, user=successor)
    db.commit()
    auth.login(email="old@example.jp")
    response = post_form(client, f"/orgs/{org.id}/members/transfer", {"user": str(successor.id)},
                         token_from=f"/orgs/{org.id}/members")
    assert response.status_code == 422
    assert "確認のため" in field_error(response.get_data(as_text=True), "confirm")


def test_inviting_a_member_twice_is_refused_next_to_the_field(client, auth, factory):
    owner = factory.user(email="o@example.jp")
    org = factory.organization(owner=owner)
    auth.login(email="o@example.jp")
    post_form(client, f"/orgs/{org.id}/members/invite", {"email": "friend@example.jp"}, token_from=f"/orgs/{org.id}/members")
    response = post_form(client, f"/orgs/{org.id}/members/invite", {"email": "FRIEND@example.jp"},
                         token_from=f"/orgs/{org.id}/members")
    assert response.status_code == 422
    assert "送信済み" in field_error(response.get_data(as_text=True), "email")


def test_members_and_staff_see_partner_suggestions_the_public_does_not(client, auth, factory):
    owner = factory.user(email="o@example.jp")
    jichikai = factory.organization(owner=owner, kind=OrgKind.TERRITORIAL, name="滝山団地自治会",
                                    needs="一人暮らしの高齢者の見守りを手伝ってくれる団体を探しています。")
    factory.organization(name="見守りボランティアの会", description="高齢者の見守り訪問をしています。")
    assert "連携先の候補" not in client.get(f"/orgs/{jichikai.id}").get_data(as_text=True)
    auth.login(email="o@example.jp")
    html = client.get(f"/orgs/{jichikai.id}").get_data(as_text=True)
    assert "連携先の候補" in html and "見守りボランティアの会" in html
    assert "共通することば" in html
