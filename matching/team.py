"""Team proposals (協議体案): a small set of organizations that together answer an issue.

Objective (maximized greedily; a weighted maximum-coverage problem, submodular, so greedy is
within 1 - 1/e of the best):

    F(S) = sum over the issue's needs a of  w_a * max over m in S of  fit(m, a) * town(m) * fair(m)
           - member_cost * |S|

Members beyond the first territorial and thematic pair join only while each adds at least
`member_cost + min_gain * F` (so a team stays small unless another member clearly adds coverage).

- the needs `a` are the issue as a whole (weight 2) and each sentence of its title and body
  (weight 1/n, n sentences), so two members that answer two different requests both count;
- the first territorial and the first thematic member are the best fits to the issue as a whole
  (times town and fairness); further members are added by largest gain of F;
- `fit(m, a)` is the text fit of m's activity to need a; `town(m)` is the town factor (1 when m
  works in the issue's town); `fair(m) = (1 + exposure(m)) ** -fairness`, where exposure counts
  how often the app has recently proposed m, so popular groups yield to equally fitting others.

Hard constraints, always met: at most `max_size` members, no organization twice, only
organizations with free capacity (capacity minus the 協議体 they are in now, which the caller may
override with `participation`), at least one territorial member (one covering the issue's town
when any with capacity does) and at least one thematic member when any exists; if one of these
cannot be met the proposal says so in `missing` instead of breaking it.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np

from .profiles import TERRITORIAL, THEMATIC, IssueProfile
from .results import TeamMember, TeamProposal


def _free(org, participation: Mapping[Hashable, int]) -> int:
    active = participation.get(org.id, org.active_teams)
    return org.capacity - active


def propose_team(index, issue: IssueProfile, *, max_size: int = 4,
                 exposure: Mapping[Hashable, float] | None = None,
                 participation: Mapping[Hashable, int] | None = None,
                 fairness: float = 0.3, member_cost: float = 0.01, min_gain: float = 0.2,
                 candidates: int = 30, pools=None) -> TeamProposal:
    """Propose a 協議体 for `issue` from the organizations in `index` (see the module docstring).
    `pools`: the issue's thematic and territorial rankings (without reasons) when the caller has
    them, each of at least max(candidates, 4 * max_size) matches or all there are; a ranking's
    best k are the first k of a longer one, so the proposal is the same."""
    if max_size < 2:
        raise ValueError("a team needs room for at least one territorial and one thematic member")
    if fairness < 0:
        raise ValueError("fairness must be >= 0")
    exposure = exposure or {}
    participation = participation or {}

    def eligible(matches):
        out = []
        for m in matches:
            org = index.organization(m.id)
            if _free(org, participation) > 0:
                out.append((m, org))
        return out

    pool_size = max(candidates, 4 * max_size)
    if pools is None:
        pools = (index.rank_thematic(issue, pool_size, explain=False),
                 index.rank_territorial(issue, pool_size, explain=False))
    thematic = eligible(pools[0][:pool_size])[:candidates]
    territorial = eligible(pools[1][:pool_size])[:candidates]
    pool = territorial + thematic
    if not pool:
        return TeamProposal(issue.id, (), 0.0, (), (TERRITORIAL, THEMATIC))

    needs = index._issue_needs(issue)
    fit = index._need_fit(needs, [org.id for _, org in pool])   # (len(pool), len(needs))
    weights = np.array([2.0] + [1.0 / max(1, len(needs) - 1)] * (len(needs) - 1))
    town = np.array([m.town for m, _ in pool])
    fair = np.array([(1.0 + max(0.0, float(exposure.get(org.id, 0.0)))) ** -fairness
                     for _, org in pool])
    value = fit * (town * fair)[:, None]
    kinds = [org.kind for _, org in pool]
    covers = [m.town >= 1.0 for m, _ in pool]

    chosen: list[int] = []
    best = np.zeros(len(needs))

    def gain(i):
        return float(weights @ np.maximum(best, value[i]) - weights @ best)

    def pick(indices):
        # The first member of each kind is the best fit to the issue as a whole (column 0).
        nonlocal best
        i = max(indices, key=lambda j: (value[j, 0], -j))
        chosen.append(i)
        best = np.maximum(best, value[i])

    missing = []
    terr = [i for i, k in enumerate(kinds) if k == TERRITORIAL]
    covering = [i for i in terr if covers[i]]
    if covering or terr:
        pick(covering or terr)
    else:
        missing.append(TERRITORIAL)
    them = [i for i, k in enumerate(kinds) if k == THEMATIC]
    if them:
        pick(them)
    else:
        missing.append(THEMATIC)
    while len(chosen) < max_size:
        rest = [i for i in range(len(pool)) if i not in chosen]
        if not rest:
            break
        i = max(rest, key=lambda j: (gain(j), -j))
        if gain(i) <= member_cost + min_gain * float(weights @ best):
            break
        chosen.append(i)
        best = np.maximum(best, value[i])

    objective = float(weights @ best) - member_cost * len(chosen)
    members = []
    for i in chosen:
        match, org = pool[i]
        reasons = index.explain(issue, org.id)
        members.append(TeamMember(org.id, org.kind, float(match.score), covers[i],
                                  reasons.themes, reasons))
    covered = tuple(dict.fromkeys(t for m in members for t in m.themes))
    return TeamProposal(issue.id, tuple(members), objective, covered, tuple(missing))
