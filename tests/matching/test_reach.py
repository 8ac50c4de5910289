"""matching.reach: the standings of a few organizations for many issues at once equal those
computed one issue at a time (which use the rankings' own scoring code)."""
from __future__ import annotations

import math

import pytest

from matching import IssueProfile, MatchingIndex, OrgProfile, reach

from .conftest import ISSUES, ORGS, TOWNS

EXTRA_ORGS = [
    OrgProfile("far", "thematic", "遠くの会", "見守りと配食をしています。", towns=("遠町",)),  # no coordinates
    OrgProfile("none", "thematic", "どこでも会", "日本語教室と子ども食堂を手伝います。"),  # no towns at all
    OrgProfile("t9", "territorial", "南町自治会", "南町の自治会です。防災訓練をしています。", towns=("南町",)),
]
QUERIES = ISSUES + [
    IssueProfile("new", "防災の備え", "北町で防災訓練をしたい。", "北町"),  # not in the index
    IssueProfile("i1", "一人暮らしの祖母が心配", "言い直した本文です。", "東町"),  # in it, but edited
    IssueProfile("nowhere", "見守り", "町の名前がありません。", ""),
    IssueProfile("elsewhere", "見守り", "知らない町です。", "遠町"),
]


@pytest.fixture(scope="module")
def index():
    built = MatchingIndex().fit(ORGS + EXTRA_ORGS, ISSUES, TOWNS)
    built.upsert_issue(IssueProfile("late", "子ども食堂", "西町で子ども食堂を手伝ってほしい。", "西町"))
    return built


def _same(a: reach.Standing, b: reach.Standing) -> bool:
    return (a.id, a.kind, a.covers) == (b.id, b.kind, b.covers) \
        and math.isclose(a.score, b.score, abs_tol=1e-5) and math.isclose(a.fit, b.fit, abs_tol=1e-5) \
        and (a.distance_km == b.distance_km or math.isclose(a.distance_km, b.distance_km, abs_tol=1e-9))


@pytest.mark.parametrize("org_ids", [
    ["p1"], ["t1", "p3"], [o.id for o in ORGS + EXTRA_ORGS], ["far", "none", "missing"], [],
])
def test_standings_for_many_issues_equal_one_at_a_time(index, org_ids):
    queries = QUERIES + [IssueProfile("late", "子ども食堂", "西町で子ども食堂を手伝ってほしい。", "西町")]
    together = reach.standings_many(index, queries, org_ids)
    assert len(together) == len(queries)
    for issue, found in zip(queries, together):
        alone = reach.standings(index, issue, org_ids)
        assert found.keys() == alone.keys(), issue.id
        assert all(_same(found[k], alone[k]) for k in alone), issue.id
    if len(org_ids) > 3:  # the city's organizations do stand for its issues
        assert sum(len(f) for f in together) > 0


def test_a_removed_organization_stands_nowhere(index):
    index.remove_org("p2")
    try:
        assert all("p2" not in found for found in reach.standings_many(index, QUERIES, ["p2", "p1"]))
        assert any("p1" in found for found in reach.standings_many(index, QUERIES, ["p2", "p1"]))
    finally:
        index.upsert_org(next(o for o in ORGS if o.id == "p2"))
