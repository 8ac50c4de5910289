"""Where a few organizations stand for an issue, without ranking everyone: the numbers the rankings
order them by, so that a caller keeping an issue's results can tell whether an edited
organization could now enter them. Uses the index's own scoring code, so the numbers are the
rankings' (up to float rounding: compare with a small tolerance)."""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from .profiles import TERRITORIAL, THEMATIC, IssueProfile


@dataclass(frozen=True)
class Standing:
    """An organization's place for an issue: `score` orders the thematic ranking; territorial
    ranks by (not `covers`, `distance_km` (inf if unknown), -`fit`), see MatchingIndex."""

    id: Hashable
    kind: str
    score: float
    covers: bool
    distance_km: float
    fit: float


def standings(index, issue: IssueProfile, org_ids: Iterable[Hashable]) -> dict[Hashable, Standing]:
    """The standing of each of `org_ids` that is a candidate for `issue` (indexed, alive, near
    enough); the others are absent."""
    index._check()
    coll = index.orgs_
    wanted = {coll.slot[i]: i for i in org_ids if i in coll.slot}
    if not wanted:
        return {}
    slots, factor, covers, dist = index._town_candidates(coll, [issue.town] if issue.town else [], None)
    mask = np.isin(slots, np.fromiter(wanted, dtype=np.int64))
    slots, factor, covers, dist = slots[mask], factor[mask], covers[mask], dist[mask]
    if not len(slots):
        return {}
    q = index._issue_row(issue)
    theme = coll.theme.data[slots] @ index._issue_theme(issue, q)
    thematic = index._fit_scores(index._org_text_scores(q, slots), theme) * factor
    fit = index._fit_scores(index._text_scores(coll.main, q, slots, len(coll.slot)), theme)
    kinds = coll.kind.view()[slots]
    out = {}
    for i, slot in enumerate(slots.tolist()):
        kind = THEMATIC if kinds[i] == 1 else TERRITORIAL
        out[wanted[slot]] = Standing(
            wanted[slot], kind, float(thematic[i]) if kind == THEMATIC else float(fit[i] * factor[i]),
            bool(covers[i]), float(np.nan_to_num(dist[i], nan=np.inf)), float(fit[i]))
    return out


def hub_means(index) -> np.ndarray:
    """Every organization slot's current mean fit to requests (matching.hubness), by slot; the
    thematic scores move by at most `hub_weight` times a change of these."""
    index._check()
    n = len(index.orgs_.ids)
    if not n:
        return np.zeros(0)
    return np.array(index.hub_.means(np.arange(n), index.orgs_.main.dot_all), dtype=np.float64)


def largest_move(index, before: np.ndarray) -> float:
    """The largest change of a still-live organization's hub mean since `before` (hub_means then)."""
    n = len(before)
    alive = index.orgs_.alive.view()[:n]  # a replaced organization got a new slot: it changed anyway
    if not n or not alive.any():
        return 0.0
    return float(np.abs(hub_means(index)[:n] - before)[alive].max())
