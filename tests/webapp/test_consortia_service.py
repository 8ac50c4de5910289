from datetime import date

import pytest

from webapp.models import (
    CollaborationDomain,
    ConsortiumCreate,
    ConsortiumStatus,
    InvitationStatus,
    Notification,
    OrgKind,
)
from webapp.services import consortia as service
from webapp.services.errors import Conflict, Forbidden


def _data(factory, **overrides):
    values = dict(name="滝山見守り協議体", purpose="一人暮らしの高齢者を地域で見守る",
                  domain=CollaborationDomain.CITIZEN_LED, start_date=date(2026, 4, 1),
                  end_date=date(2027, 3, 31), area_ids=[factory.area("滝山").id])
    values.update(overrides)
    return ConsortiumCreate(**values)


@pytest.fixture
def cast(factory):
    """An association (territorial) and an NPO (thematic), each with its owner, and a staff member."""
    jichikai_owner, npo_owner = factory.user(), factory.user()
    jichikai = factory.organization(owner=jichikai_owner, kind=OrgKind.TERRITORIAL, name="滝山自治会")
    npo = factory.organization(owner=npo_owner, kind=OrgKind.THEMATIC, name="見守りNPO")
    return dict(jichikai=jichikai, npo=npo, jichikai_owner=jichikai_owner, npo_owner=npo_owner,
                staff=factory.staff())


def _status_of(db, consortium_id, org_id):
    from webapp.models import ConsortiumMember

    db.expire_all()
    return db.get(ConsortiumMember, (consortium_id, org_id)).status


def test_lifecycle_proposed_forming_active(db, factory, cast):
    c = service.create_consortium(db, data=_data(factory), creator=cast["jichikai_owner"],
                                  founding_org_id=cast["jichikai"].id, invite_org_ids=[])
    assert c.status == ConsortiumStatus.PROPOSED
    service.invite(db, consortium_id=c.id, org_ids=[cast["npo"].id], by_user=cast["jichikai_owner"])
    assert c.status == ConsortiumStatus.FORMING
    service.respond(db, consortium_id=c.id, org_id=cast["npo"].id, by_user=cast["npo_owner"],
                    accept=True, message="ぜひ一緒に")
    assert c.status == ConsortiumStatus.ACTIVE
    assert _status_of(db, c.id, cast["npo"].id) == InvitationStatus.ACCEPTED


def test_two_thematic_groups_do_not_make_it_active(db, factory, cast):
    other_owner = factory.user()
    other = factory.organization(owner=other_owner, kind=OrgKind.THEMATIC)
    c = service.create_consortium(db, data=_data(factory), creator=cast["npo_owner"],
                                  founding_org_id=cast["npo"].id, invite_org_ids=[other.id])
    service.respond(db, consortium_id=c.id, org_id=other.id, by_user=other_owner, accept=True, message="")
    assert c.status == ConsortiumStatus.FORMING


def test_leaving_returns_an_active_consortium_to_forming(db, factory, cast):
    c = service.create_consortium(db, data=_data(factory), creator=cast["jichikai_owner"],
                                  founding_org_id=cast["jichikai"].id, invite_org_ids=[cast["npo"].id])
    service.respond(db, consortium_id=c.id, org_id=cast["npo"].id, by_user=cast["npo_owner"], accept=True, message="")
    assert c.status == ConsortiumStatus.ACTIVE
    service.leave(db, consortium_id=c.id, org_id=cast["npo"].id, by_user=cast["npo_owner"], message="人手不足のため")
    assert c.status == ConsortiumStatus.FORMING
    assert _status_of(db, c.id, cast["npo"].id) == InvitationStatus.LEFT


def test_declining_keeps_it_forming_and_tells_the_founder(db, factory, cast):
    c = service.create_consortium(db, data=_data(factory), creator=cast["jichikai_owner"],
                                  founding_org_id=cast["jichikai"].id, invite_org_ids=[cast["npo"].id])
    service.respond(db, consortium_id=c.id, org_id=cast["npo"].id, by_user=cast["npo_owner"],
                    accept=False, message="今年度は難しいです")
    db.commit()
    assert c.status == ConsortiumStatus.FORMING
    from sqlmodel import select

    messages = db.exec(select(Notification.message).where(Notification.user_id == cast["jichikai_owner"].id)).all()
    assert any("辞退しました" in m and "今年度は難しいです" in m for m in messages)


def test_only_owners_or_staff_propose(db, factory, cast):
    resident = factory.user()
    with pytest.raises(Forbidden):
        service.create_consortium(db, data=_data(factory), creator=resident, founding_org_id=None, invite_org_ids=[])
    with pytest.raises(Forbidden):  # not the owner of the organization it names
        service.create_consortium(db, data=_data(factory), creator=cast["npo_owner"],
                                  founding_org_id=cast["jichikai"].id, invite_org_ids=[])
    c = service.create_consortium(db, data=_data(factory), creator=cast["staff"], founding_org_id=None,
                                  invite_org_ids=[cast["jichikai"].id, cast["npo"].id])
    assert c.status == ConsortiumStatus.FORMING


def test_an_outsider_cannot_invite(db, factory, cast):
    c = service.create_consortium(db, data=_data(factory), creator=cast["jichikai_owner"],
                                  founding_org_id=cast["jichikai"].id, invite_org_ids=[])
    with pytest.raises(Forbidden):
        service.invite(db, consortium_id=c.id, org_ids=[cast["npo"].id], by_user=cast["npo_owner"])


def test_capacity_is_respected_when_accepting(db, factory, cast):
    busy_owner = factory.user()
    busy = factory.organization(owner=busy_owner, kind=OrgKind.THEMATIC, capacity=1)
    first = service.create_consortium(db, data=_data(factory), creator=cast["staff"], founding_org_id=None,
                                      invite_org_ids=[busy.id])
    second = service.create_consortium(db, data=_data(factory, name="二つ目"), creator=cast["staff"],
                                       founding_org_id=None, invite_org_ids=[busy.id])
    service.respond(db, consortium_id=first.id, org_id=busy.id, by_user=busy_owner, accept=True, message="")
    with pytest.raises(Conflict, match="上限|数（1）"):
        service.respond(db, consortium_id=second.id, org_id=busy.id, by_user=busy_owner, accept=True, message="")
    assert _status_of(db, second.id, busy.id) == InvitationStatus.INVITED


def test_answers_are_given_once(db, factory, cast):
    c = service.create_consortium(db, data=_data(factory), creator=cast["staff"], founding_org_id=None,
                                  invite_org_ids=[cast["npo"].id])
    service.respond(db, consortium_id=c.id, org_id=cast["npo"].id, by_user=cast["npo_owner"], accept=False, message="")
    with pytest.raises(Conflict):
        service.respond(db, consortium_id=c.id, org_id=cast["npo"].id, by_user=cast["npo_owner"], accept=True, message="")


def test_a_declined_organization_can_be_invited_again(db, factory, cast):
    c = service.create_consortium(db, data=_data(factory), creator=cast["staff"], founding_org_id=None,
                                  invite_org_ids=[cast["npo"].id])
    service.respond(db, consortium_id=c.id, org_id=cast["npo"].id, by_user=cast["npo_owner"], accept=False, message="")
    assert service.invite(db, consortium_id=c.id, org_ids=[cast["npo"].id], by_user=cast["staff"]) == [cast["npo"].id]
    assert _status_of(db, c.id, cast["npo"].id) == InvitationStatus.INVITED


def test_end_date_is_required_and_after_the_start(factory):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="終了日"):
        _data(factory, start_date=date(2026, 4, 1), end_date=date(2026, 3, 31))
    with pytest.raises(ValidationError):
        ConsortiumCreate(name="x", purpose="y", domain="cooperative", start_date=date(2026, 4, 1))


def test_public_detail_hides_invitations_and_messages(db, factory, cast):
    c = service.create_consortium(db, data=_data(factory), creator=cast["jichikai_owner"],
                                  founding_org_id=cast["jichikai"].id, invite_org_ids=[cast["npo"].id])
    public = service.get_detail(db, consortium_id=c.id, viewer=None)
    assert [m.name for m in public.members] == ["滝山自治会"]
    assert public.invited_count == 1
    involved = service.get_detail(db, consortium_id=c.id, viewer=cast["npo_owner"])
    assert {m.name for m in involved.members} == {"滝山自治会", "見守りNPO"}
    assert involved.owned_member_org_ids == [cast["npo"].id]
