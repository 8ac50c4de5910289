import dataclasses

import numpy as np
import pytest

from matching import IssueProfile, MatchingIndex, OrgProfile

from .conftest import ISSUES, ORGS, TOWNS

pytestmark = pytest.mark.sudachi

BROAD = OrgProfile("broad", "thematic", "暮らしのつながりの会",
                   "毎日の暮らしの困りごとを、家族や近所の人と気軽に話せる場をつくっています。",
                   "おしゃべり会。", "仲間を探しています。", ("東町", "西町"))


def _brute_force_means(index):
    """Each live organization's mean fit to every live request (issues and other organizations'
    needs) plus one empty request, computed from scratch."""
    orgs, issues = index.orgs_, index.issues_
    live_orgs = sorted(orgs.slot.values())
    requests = [(None, issues.main.rows([s])) for s in sorted(issues.slot.values())]
    requests += [(s, orgs.extra.rows([s])) for s in live_orgs]
    requests = [(s, r) for s, r in requests if r.nnz]
    out = []
    for o in live_orgs:
        row = orgs.main.rows([o])
        total = sum(float((row @ r.T).toarray()[0, 0]) for s, r in requests if s != o)
        out.append(total / (len(requests) + 1))
    return live_orgs, np.array(out)


def test_request_means_stay_exact_through_updates():
    index = MatchingIndex().fit(ORGS, ISSUES, TOWNS)
    slots, expected = _brute_force_means(index)
    assert np.allclose(index.hub_.means(slots, index.orgs_.main.dot_all), expected, atol=1e-5)
    index.upsert_org(BROAD)
    index.upsert_issue(IssueProfile("new", "子どもの居場所", "放課後に子どもが過ごせる場所がほしい", "東町"))
    index.upsert_org(dataclasses.replace(ORGS[0], needs="防災訓練を一緒に企画してくれる団体を探しています。"))
    index.hub_.means([0], index.orgs_.main.dot_all)    # a query in between applies the pending
    index.upsert_issue(dataclasses.replace(ISSUES[0], body="一人暮らしの父が心配です。"))
    index.remove_issue(ISSUES[1].id)
    index.remove_org(ORGS[1].id)
    slots, expected = _brute_force_means(index)
    assert np.allclose(index.hub_.means(slots, index.orgs_.main.dot_all), expected, atol=1e-5)


def test_text_fit_is_less_the_weighted_mean_fit_to_requests():
    issue = IssueProfile("q", "母が心配", "一人暮らしの母の暮らしが心配で、近所の人に気軽に様子を見てほしい。", "東町")
    plain = MatchingIndex(hub_weight=0).fit(ORGS + [BROAD], ISSUES + [issue], TOWNS)
    reduced = MatchingIndex(hub_weight=1.5).fit(ORGS + [BROAD], ISSUES + [issue], TOWNS)
    before = {m.id: m.text for m in plain.rank_thematic(issue, None, explain=False)}
    after = {m.id: m.text for m in reduced.rank_thematic(issue, None, explain=False)}
    means = {o: reduced.hub_.means([reduced.orgs_.slot[o]], reduced.orgs_.main.dot_all)[0]
             for o in before}
    assert means["broad"] > 0
    for o, text in before.items():
        if text == 0.0:     # clipped: the unclipped fit is unknown here
            continue
        assert after.get(o, 0.0) == pytest.approx(max(0.0, text - 1.5 * means[o]), abs=1e-5)


def test_dominant_directions_are_removed_from_the_dense_block_once_enough_texts_are_fitted():
    from matching.text import TextEncoder

    texts = [f"{a}の{b}を手伝ってくれる人を探しています。" for a in ("子ども", "高齢者", "外国人", "障害者", "犬")
             for b in ("食事", "送迎", "見守り", "勉強")]
    encoder = TextEncoder(semantic_directions=2)
    rows = encoder.fit_transform(texts)
    dirs = encoder.semantic_dirs_
    assert dirs.shape == (2, encoder.n_dense_)
    dense = rows[:, -encoder.n_dense_:].toarray()
    assert np.abs(dense @ dirs.T).max() < 1e-4 < np.abs(dense).max()
    few = TextEncoder(semantic_directions=2).fit(texts[:19])
    assert few.semantic_dirs_.shape[0] == 0     # fewer than 10 texts per direction: none removed
