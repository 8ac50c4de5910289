"""A hidden organization is named 「非公開の団体」 wherever a 協議体 lists its members — the list and
page of 協議体, the 協定書, the 振り返り and the export — to everyone but staff and its own members."""
import json
from datetime import date

import pytest

from tests.webapp.conftest import agreement_draft
from webapp.models import EvaluationCreate, Principle
from webapp.services import agreements, consortia, evaluations, exports, lifecycle, moderation

NAME = "見守りNPO"


@pytest.fixture
def hidden(db, active_consortium):
    """The 協議体 with a signed 協定書 and the NPO's 振り返り, after staff hid the NPO."""
    w = active_consortium
    c = w["consortium"]
    draft = agreements.save_draft(db, consortium_id=c.id, by_user=w["kaicho"], data=agreement_draft(w))
    for org, owner in ((w["jichikai"], w["kaicho"]), (w["npo"], w["npo_owner"])):
        agreements.sign(db, agreement_id=draft.id, org_id=org.id, by_user=owner, today=date(2026, 5, 1))
    lifecycle.tick(db, today=date(2027, 4, 1))
    evaluations.submit(db, consortium_id=c.id, by_user=w["npo_owner"], org_id=w["npo"].id, data=EvaluationCreate(
        goal_score=4, goal_comment="訪問を続けられた", cost_score=4, principles={p: 4 for p in Principle},
        principle_comments={}, lessons="定例会がよかった"))
    moderation.decide(db, entity=moderation.ORGANIZATION, entity_id=w["npo"].id, staff=w["staff"],
                      action=moderation.HIDE, reason="宣伝のため")
    db.commit()
    return w


def _names_seen(db, w, viewer) -> list[list[str]]:
    c = w["consortium"]
    return [
        [n for s in consortia.list_consortia(db, viewer=viewer).items for n in s.member_names],
        [m.name for m in consortia.get_detail(db, consortium_id=c.id, viewer=viewer).members],
        [r.organization_name for v in agreements.visible_versions(db, consortium=c, viewer=viewer) for r in v.roles],
        [who for who, _, _ in evaluations.report(db, consortium_id=c.id, viewer=viewer).texts],
    ]


def test_others_read_the_hidden_organization_as_unnamed_staff_and_its_members_by_name(db, hidden):
    w = hidden
    for viewer in (None, w["kaicho"]):  # the public, and a fellow member's owner
        seen = _names_seen(db, w, viewer)
        assert all(moderation.HIDDEN_ORG_NAME in names for names in seen), seen
        assert NAME not in str(seen) and all("滝山自治会" in names for names in seen[:3])
    for viewer in (w["staff"], w["npo_owner"]):
        seen = _names_seen(db, w, viewer)
        assert all(NAME in names for names in seen) and moderation.HIDDEN_ORG_NAME not in str(seen)
    # Staff's overdue notice names who has not evaluated yet, the hidden one included.
    assert evaluations.report(db, consortium_id=w["consortium"].id, viewer=moderation.STAFF_READER).missing == ["滝山自治会", "市"]


def test_the_export_names_no_hidden_organization_and_restoring_brings_the_name_back(db, hidden):
    w = hidden
    kinds = ("consortia", "agreements", "evaluations")
    assert NAME not in str([exports.records(db, k) for k in kinds])
    assert str([exports.records(db, k) for k in kinds]).count(moderation.HIDDEN_ORG_NAME) >= 4
    moderation.decide(db, entity=moderation.ORGANIZATION, entity_id=w["npo"].id, staff=w["staff"],
                      action=moderation.RESTORE, reason="確認したため")
    db.commit()
    assert all(NAME in names for names in _names_seen(db, w, None))
    assert moderation.HIDDEN_ORG_NAME not in str([exports.records(db, k) for k in kinds])


@pytest.mark.parametrize("path", ["/consortia/", "/consortia/{id}", "/consortia/{id}/agreement",
                                  "/consortia/{id}/evaluation", "/api/v1/consortia", "/api/v1/consortia/{id}"])
def test_the_pages_follow_the_same_rule(client, auth, db, hidden, path):
    url = path.format(id=hidden["consortium"].id)
    text = _text(client.get(url))
    assert NAME not in text and moderation.HIDDEN_ORG_NAME in text
    auth.login(email="npo@example.jp")
    assert NAME in _text(client.get(url))


def _text(response) -> str:
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False) if response.is_json else response.get_data(as_text=True)
