import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import IssueProfile, MatchingIndex, OrgProfile

from .conftest import ISSUES, ORGS, TOWNS

pytestmark = pytest.mark.sudachi

IDS = [o.id for o in ORGS]


@pytest.fixture(scope="module")
def base_index():
    return MatchingIndex().fit(ORGS, ISSUES, TOWNS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(issue=st.sampled_from(ISSUES), max_size=st.integers(2, 5),
       capacity=st.dictionaries(st.sampled_from(IDS), st.integers(0, 3)),
       participation=st.dictionaries(st.sampled_from(IDS), st.integers(0, 3)),
       exposure=st.dictionaries(st.sampled_from(IDS), st.floats(0, 100)),
       fairness=st.floats(0, 2))
def test_a_team_proposal_always_meets_its_constraints(base_index, issue, max_size, capacity,
                                                      participation, exposure, fairness):
    index = copy.deepcopy(base_index)
    for org_id, cap in capacity.items():
        org = index.organization(org_id)
        index.upsert_org(OrgProfile(**{**org.__dict__, "capacity": cap}))
    team = index.propose_team(issue, max_size=max_size, exposure=exposure,
                              participation=participation, fairness=fairness)
    ids = [m.id for m in team.members]
    assert len(ids) == len(set(ids)) <= max_size
    free = {o: index.organization(o).capacity - participation.get(o, index.organization(o).active_teams)
            for o in IDS}
    assert all(free[i] > 0 for i in ids)
    kinds = {m.kind for m in team.members}
    has_free = {k: any(free[o.id] > 0 for o in ORGS if o.kind == k) for k in ("territorial", "thematic")}
    for kind in ("territorial", "thematic"):
        assert (kind in kinds) == has_free[kind]
        assert (kind in team.missing) == (not has_free[kind])
    covering_free = [o.id for o in ORGS if o.kind == "territorial" and issue.town in o.towns
                     and free[o.id] > 0]
    if covering_free:
        assert any(m.covers_town and m.kind == "territorial" for m in team.members)
    assert team.complete == (not team.missing)


def test_a_proposal_prefers_the_fitting_groups(base_index):
    team = base_index.propose_team(ISSUES[0])
    assert team.complete
    assert [m.id for m in team.members][:2] == ["t1", "p1"]
    assert all(m.reasons.towns == ("東町",) for m in team.members if m.covers_town)


def test_exposure_lets_an_equally_fitting_group_take_its_turn():
    twins = [OrgProfile(f"w{k}", "thematic", "見守りの会", "高齢者の見守りと安否確認をしています。",
                        "訪問ボランティア。", "", ("東町",)) for k in range(2)]
    index = MatchingIndex().fit([ORGS[0], *twins], ISSUES, TOWNS)
    issue = IssueProfile("q", "高齢者の見守り", "一人暮らしの高齢者の見守りと安否確認をお願いしたい。", "東町")
    assert [m.id for m in index.propose_team(issue).members] == ["t1", "w0"]
    often = index.propose_team(issue, exposure={"w0": 5})
    assert [m.id for m in often.members] == ["t1", "w1"]
    assert [m.id for m in index.propose_team(issue, exposure={"w0": 5}, fairness=0).members] \
        == ["t1", "w0"]


def test_a_team_needs_room_for_both_kinds(base_index):
    with pytest.raises(ValueError):
        base_index.propose_team(ISSUES[0], max_size=1)
