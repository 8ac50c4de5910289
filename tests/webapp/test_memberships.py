import pytest

from webapp.models import MemberRole
from webapp.services import organizations as org_service
from webapp.services.errors import Conflict, NotFound


def _role(db, org, user):
    return org_service.member_role(db, org_id=org.id, user_id=user.id)


def test_the_creator_becomes_owner(factory, db):
    owner = factory.user()
    org = factory.organization(owner=owner)
    assert _role(db, org, owner) == MemberRole.OWNER


def test_ownership_is_handed_over_and_the_giver_stays_as_editor(factory, db):
    old, new = factory.user(), factory.user()
    org = factory.organization(owner=old)
    org_service.add_member(db, org_id=org.id, user=new)
    org_service.transfer_ownership(db, org_id=org.id, from_user_id=old.id, to_user_id=new.id)
    db.commit()
    assert _role(db, org, new) == MemberRole.OWNER
    assert _role(db, org, old) == MemberRole.EDITOR


def test_only_an_owner_can_hand_over(factory, db):
    owner, editor, other = factory.user(), factory.user(), factory.user()
    org = factory.organization(owner=owner)
    org_service.add_member(db, org_id=org.id, user=editor)
    org_service.add_member(db, org_id=org.id, user=other)
    with pytest.raises(Conflict):
        org_service.transfer_ownership(db, org_id=org.id, from_user_id=editor.id, to_user_id=other.id)


def test_ownership_goes_only_to_a_member(factory, db):
    owner, outsider = factory.user(), factory.user()
    org = factory.organization(owner=owner)
    with pytest.raises(NotFound):
        org_service.transfer_ownership(db, org_id=org.id, from_user_id=owner.id, to_user_id=outsider.id)
    assert _role(db, org, owner) == MemberRole.OWNER


def test_the_last_owner_cannot_leave_or_be_demoted(factory, db):
    owner, editor = factory.user(), factory.user()
    org = factory.organization(owner=owner)
    org_service.add_member(db, org_id=org.id, user=editor)
    with pytest.raises(Conflict, match="少なくとも1人"):
        org_service.remove_member(db, org_id=org.id, user_id=owner.id)
    with pytest.raises(Conflict, match="少なくとも1人"):
        org_service.change_member_role(db, org_id=org.id, user_id=owner.id, role=MemberRole.EDITOR)
    assert _role(db, org, owner) == MemberRole.OWNER


def test_an_owner_may_leave_when_another_owner_remains(factory, db):
    first, second = factory.user(), factory.user()
    org = factory.organization(owner=first)
    org_service.add_member(db, org_id=org.id, user=second, role=MemberRole.OWNER)
    org_service.remove_member(db, org_id=org.id, user_id=first.id)
    db.commit()
    assert _role(db, org, first) is None
    assert _role(db, org, second) == MemberRole.OWNER


def test_a_member_is_added_once(factory, db):
    owner, editor = factory.user(), factory.user()
    org = factory.organization(owner=owner)
    org_service.add_member(db, org_id=org.id, user=editor)
    with pytest.raises(Conflict):
        org_service.add_member(db, org_id=org.id, user=editor)


def test_unknown_towns_or_themes_are_refused_and_nothing_is_linked(factory, db):
    from webapp.models import OrganizationCreate, OrgCategory, OrgKind

    data = OrganizationCreate(kind=OrgKind.THEMATIC, category=OrgCategory.NPO, name="x", area_ids=[999999])
    with pytest.raises(NotFound):
        org_service.create_organization(db, data=data, creator=None)


def test_organization_input_is_validated_before_it_reaches_the_database():
    from pydantic import ValidationError

    from webapp.models import OrganizationCreate

    with pytest.raises(ValidationError):
        OrganizationCreate(kind="thematic", category="npo", name="   ")
    with pytest.raises(ValidationError):
        OrganizationCreate(kind="thematic", category="npo", name="ok", capacity=99)
    assert OrganizationCreate(kind="thematic", category="npo", name="  会  ").name == "会"
