"""Fixtures shared by the web app's 協議体 tests."""
from datetime import date

import pytest

from webapp.models import CollaborationDomain, CollaborationForm, ConsortiumCreate, OrgKind
from webapp.services import agreements, consortia


@pytest.fixture
def active_consortium(db, factory):
    """An active 協議体 of an association (territorial) and an NPO (thematic), each with its owner."""
    kaicho, npo_owner = factory.user(email="kaicho@example.jp"), factory.user(email="npo@example.jp")
    jichikai = factory.organization(owner=kaicho, kind=OrgKind.TERRITORIAL, name="滝山自治会")
    npo = factory.organization(owner=npo_owner, kind=OrgKind.THEMATIC, name="見守りNPO")
    consortium = consortia.create_consortium(
        db, creator=kaicho, founding_org_id=jichikai.id, invite_org_ids=[npo.id],
        data=ConsortiumCreate(name="滝山見守り協議体", purpose="一人暮らしの高齢者を見守る",
                              domain=CollaborationDomain.CITIZEN_LED, start_date=date(2026, 4, 1),
                              end_date=date(2027, 3, 31), area_ids=[factory.area().id]))
    consortia.respond(db, consortium_id=consortium.id, org_id=npo.id, by_user=npo_owner, accept=True, message="")
    db.commit()
    return dict(consortium=consortium, jichikai=jichikai, npo=npo, kaicho=kaicho, npo_owner=npo_owner,
                staff=factory.staff(email="staff@example.jp"))


def agreement_draft(world, **overrides) -> agreements.AgreementDraft:
    values = dict(
        purpose="一人暮らしの高齢者を地域で見守る。", period_start=date(2026, 4, 1), period_end=date(2027, 3, 31),
        cost_sharing="訪問の交通費はNPOが負担する。", disclosure="活動報告を年2回、会報とウェブで公開する。",
        roles={
            world["jichikai"].id: agreements.RoleInput(role="見守り先の紹介と集会所の提供",
                                                       responsibilities="会員への周知", form=CollaborationForm.FACILITY_PROVISION),
            world["npo"].id: agreements.RoleInput(role="週1回の訪問", responsibilities="訪問記録の管理",
                                                  form=CollaborationForm.PERSONNEL_EXCHANGE),
        },
    )
    values.update(overrides)
    return agreements.AgreementDraft(**values)
