from datetime import date

import pytest

from webapp.models import EvaluationCreate, Principle
from webapp.services import evaluations, lifecycle
from webapp.services.errors import Conflict, Forbidden


def _data(score=4, **principle_scores):
    principles = {p: principle_scores.get(p.value, score) for p in Principle}
    return EvaluationCreate(goal_score=score, goal_comment="目標はおおむね達成", cost_score=score,
                            principles=principles, principle_comments={Principle.EQUALITY: "対等に話し合えた"},
                            lessons="定例会を月1回にしたのがよかった")


def test_report_sets_the_two_sides_side_by_side_and_flags_differences(db, active_consortium):
    w = active_consortium
    lifecycle.tick(db, today=date(2027, 4, 1))
    c = w["consortium"].id
    evaluations.submit(db, consortium_id=c, by_user=w["kaicho"], org_id=w["jichikai"].id,
                       data=_data(4, equality=5, disclosure=2))
    evaluations.submit(db, consortium_id=c, by_user=w["npo_owner"], org_id=w["npo"].id,
                       data=_data(4, equality=5, disclosure=3))
    evaluations.submit(db, consortium_id=c, by_user=w["staff"], org_id=None, data=_data(4, equality=2, disclosure=4))
    report = evaluations.report(db, consortium_id=c, viewer=None)
    rows = {r.principle: r for r in report.principles}
    assert rows[Principle.EQUALITY].citizen == 5 and rows[Principle.EQUALITY].city == 2
    assert rows[Principle.EQUALITY].flagged  # 3 points apart
    assert rows[Principle.DISCLOSURE].citizen == 2.5 and not rows[Principle.DISCLOSURE].flagged  # 1.5 apart
    assert [r.principle for r in report.flagged] == [Principle.EQUALITY]
    assert report.missing == []
    from webapp.charts import radar_svg

    svg = radar_svg(report.principles)
    assert svg.startswith("<svg") and "対等 ⚠" in svg and svg.count("<polygon") == 5 + 2
    _assert_labels_inside(svg)


def _assert_labels_inside(svg):
    """Every label's estimated extent lies inside the viewBox (「相互認識・理解」 was cut)."""
    import re

    from webapp.charts import RADAR_FONT, _text_width

    left, _, width, _ = map(float, re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    labels = re.findall(r'<text x="([\d.-]+)" y="[\d.-]+" text-anchor="(\w+)" class="radar-label[^"]*">([^<]+)</text>', svg)
    assert any(t.startswith("相互認識・理解") for _, _, t in labels)
    for x, anchor, text in labels:
        w = _text_width(text, RADAR_FONT)
        start = float(x) - {"start": 0, "middle": w / 2, "end": w}[anchor]
        assert left <= start and start + w <= left + width, (text, start, left, width)


def test_a_difference_of_exactly_two_is_flagged(db, active_consortium):
    w = active_consortium
    c = w["consortium"].id
    evaluations.submit(db, consortium_id=c, by_user=w["kaicho"], org_id=w["jichikai"].id, data=_data(3, autonomy=5))
    evaluations.submit(db, consortium_id=c, by_user=w["staff"], org_id=None, data=_data(3, autonomy=3))
    rows = {r.principle: r for r in evaluations.report(db, consortium_id=c, viewer=None).principles}
    assert rows[Principle.AUTONOMY].flagged and not rows[Principle.EQUALITY].flagged


def test_one_evaluation_per_organization_and_one_for_the_city(db, active_consortium):
    w = active_consortium
    c = w["consortium"].id
    evaluations.submit(db, consortium_id=c, by_user=w["kaicho"], org_id=w["jichikai"].id, data=_data())
    with pytest.raises(Conflict):
        evaluations.submit(db, consortium_id=c, by_user=w["kaicho"], org_id=w["jichikai"].id, data=_data())
    evaluations.submit(db, consortium_id=c, by_user=w["staff"], org_id=None, data=_data())
    with pytest.raises(Conflict):
        evaluations.submit(db, consortium_id=c, by_user=w["staff"], org_id=None, data=_data())


def test_who_may_evaluate(db, factory, active_consortium):
    w = active_consortium
    c = w["consortium"].id
    with pytest.raises(Forbidden):  # the city's side is for staff
        evaluations.submit(db, consortium_id=c, by_user=w["kaicho"], org_id=None, data=_data())
    with pytest.raises(Forbidden):  # another organization's side
        evaluations.submit(db, consortium_id=c, by_user=w["kaicho"], org_id=w["npo"].id, data=_data())
    outsider = factory.organization(owner=factory.user())
    with pytest.raises(Forbidden):
        evaluations.submit(db, consortium_id=c, by_user=w["staff"], org_id=outsider.id, data=_data())


def test_every_principle_needs_a_score_in_range():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        EvaluationCreate(goal_score=6, cost_score=3, principles={p: 3 for p in Principle})


def test_pending_lists_what_each_person_still_owes(db, active_consortium):
    w = active_consortium
    c = w["consortium"].id
    assert [p.organization_id for p in evaluations.pending_for(db, consortium_id=c, user=w["kaicho"])] == [w["jichikai"].id]
    staff_pending = evaluations.pending_for(db, consortium_id=c, user=w["staff"])
    # Both members have their own owner: staff owe only the city's side (no proxy evaluations).
    assert [p.organization_id for p in staff_pending] == [None]
    evaluations.submit(db, consortium_id=c, by_user=w["kaicho"], org_id=w["jichikai"].id, data=_data())
    assert evaluations.pending_for(db, consortium_id=c, user=w["kaicho"]) == []
    assert evaluations.pending_for(db, consortium_id=c, user=None) == []
