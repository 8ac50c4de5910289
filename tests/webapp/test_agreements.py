from datetime import date

import pytest
from sqlmodel import select

from tests.webapp.conftest import agreement_draft
from webapp.models import Agreement, AgreementStatus, AuditEntry, ConsortiumStatus, FrozenAgreementError
from webapp.services import agreements
from webapp.services.errors import Conflict, Forbidden


def _sign_all(db, world, agreement, today=date(2026, 5, 1)):
    agreements.sign(db, agreement_id=agreement.id, org_id=world["jichikai"].id, by_user=world["kaicho"], today=today)
    agreements.sign(db, agreement_id=agreement.id, org_id=world["npo"].id, by_user=world["npo_owner"], today=today)


def test_a_version_is_in_force_once_every_member_has_signed(db, active_consortium):
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    assert (v1.version, v1.status) == (1, AgreementStatus.DRAFT)
    agreements.sign(db, agreement_id=v1.id, org_id=w["jichikai"].id, by_user=w["kaicho"])
    assert v1.status == AgreementStatus.SIGNING
    agreements.sign(db, agreement_id=v1.id, org_id=w["npo"].id, by_user=w["npo_owner"])
    assert v1.status == AgreementStatus.SIGNED


def test_a_draft_is_edited_in_place_until_someone_signs(db, active_consortium):
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    again = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["npo_owner"],
                                  data=agreement_draft(w, cost_sharing="費用は折半する。"))
    assert again.id == v1.id and again.cost_sharing == "費用は折半する。"


def test_a_signed_version_never_changes_a_change_makes_a_new_version(db, active_consortium):
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    _sign_all(db, w, v1)
    db.commit()
    v2 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"],
                               data=agreement_draft(w, cost_sharing="費用は折半する。"))
    db.commit()
    db.expire_all()
    first = db.get(Agreement, v1.id)
    assert (v2.version, v2.status) == (2, AgreementStatus.DRAFT)
    assert first.status == AgreementStatus.SIGNED and first.cost_sharing == "訪問の交通費はNPOが負担する。"
    _sign_all(db, w, v2)
    db.commit()
    db.expire_all()
    assert db.get(Agreement, v1.id).status == AgreementStatus.SUPERSEDED
    assert db.get(Agreement, v2.id).status == AgreementStatus.SIGNED


def test_the_database_session_refuses_to_edit_a_signed_version(db, active_consortium):
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    agreements.sign(db, agreement_id=v1.id, org_id=w["jichikai"].id, by_user=w["kaicho"])
    db.commit()
    v1.purpose = "こっそり書き換えた目的"
    db.add(v1)
    with pytest.raises(FrozenAgreementError):
        db.flush()


def test_a_partly_signed_version_is_superseded_by_a_change(db, active_consortium):
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    agreements.sign(db, agreement_id=v1.id, org_id=w["jichikai"].id, by_user=w["kaicho"])
    v2 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["npo_owner"],
                               data=agreement_draft(w, disclosure="報告は年1回。"))
    assert v1.status == AgreementStatus.SUPERSEDED and v2.version == 2
    with pytest.raises(Conflict):
        agreements.sign(db, agreement_id=v1.id, org_id=w["npo"].id, by_user=w["npo_owner"])


def test_only_the_owner_signs_for_an_organization_and_only_once(db, factory, active_consortium):
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    with pytest.raises(Forbidden):
        agreements.sign(db, agreement_id=v1.id, org_id=w["npo"].id, by_user=w["kaicho"])
    agreements.sign(db, agreement_id=v1.id, org_id=w["npo"].id, by_user=w["npo_owner"])
    with pytest.raises(Conflict):
        agreements.sign(db, agreement_id=v1.id, org_id=w["npo"].id, by_user=w["npo_owner"])


def test_staff_may_not_sign_for_an_organization_that_has_its_own_owner(db, active_consortium):
    # The proxy rules (staff sign only for associations without an account) are in test_proxy_rules.
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["staff"], data=agreement_draft(w))
    with pytest.raises(Forbidden, match="代表（オーナー）のアカウントがある"):
        agreements.sign(db, agreement_id=v1.id, org_id=w["jichikai"].id, by_user=w["staff"])
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "sign")).first() is None


def test_every_member_needs_a_role_and_outsiders_cannot_draft(db, factory, active_consortium):
    w = active_consortium
    with pytest.raises(Conflict):
        agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"],
                              data=agreement_draft(w, roles={w["jichikai"].id: agreement_draft(w).roles[w["jichikai"].id]}))
    with pytest.raises(Forbidden):
        agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=factory.user(), data=agreement_draft(w))


def test_renewal_through_a_new_version_takes_an_evaluating_consortium_back_to_work(db, active_consortium):
    from webapp.services import lifecycle

    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    _sign_all(db, w, v1)
    lifecycle.tick(db, today=date(2027, 4, 1))
    assert w["consortium"].status == ConsortiumStatus.EVALUATING
    v2 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"],
                               data=agreement_draft(w, period_start=date(2027, 4, 1), period_end=date(2028, 3, 31)))
    _sign_all(db, w, v2, today=date(2027, 4, 2))
    assert w["consortium"].end_date == date(2028, 3, 31)
    assert w["consortium"].status == ConsortiumStatus.ACTIVE


def test_differences_between_versions_are_marked(db, active_consortium):
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    _sign_all(db, w, v1)
    agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"],
                          data=agreement_draft(w, cost_sharing="訪問の交通費は市が負担する。"))
    new, old = agreements.versions(db, consortium_id=w["consortium"].id)
    changes = {d.label: d for d in agreements.diff(old, new)}
    assert changes["費用の分担"].changed and not changes["目的"].changed
    assert "<del>NPO</del>" in changes["費用の分担"].html and "<ins>市</ins>" in changes["費用の分担"].html


def test_diff_escapes_html(db, active_consortium):
    w = active_consortium
    v1 = agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], data=agreement_draft(w))
    _sign_all(db, w, v1)
    agreements.save_draft(db, consortium_id=w["consortium"].id, by_user=w["kaicho"],
                          data=agreement_draft(w, disclosure="<script>alert(1)</script>"))
    new, old = agreements.versions(db, consortium_id=w["consortium"].id)
    html = "".join(d.html for d in agreements.diff(old, new))
    assert "<script>" not in html and "&lt;script&gt;" in html
