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
    theme = coll.theme.data[slots] @ index._issue_theme(issue)
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


def standings_many(index, issues: list[IssueProfile], org_ids: Iterable[Hashable]) -> list[dict[Hashable, Standing]]:
    """`standings(index, issue, org_ids)` for each of `issues`, computed for all of them at once
    (a worker checking every kept page after one edit does this once, not once per page). Issues
    the index holds as given are scored from their stored rows; others one by one."""
    index._check()
    coll, kept = index.orgs_, index.issues_
    wanted = {coll.slot[i]: i for i in org_ids if i in coll.slot}
    out: list[dict] = [{} for _ in issues]
    if not wanted or not issues:
        return out
    stored = [n for n, issue in enumerate(issues)
              if kept.slot.get(issue.id) is not None and kept.profiles[kept.slot[issue.id]] == issue]
    for n in sorted(set(range(len(issues))) - set(stored)):
        out[n] = standings(index, issues[n], wanted.values())
    if not stored:
        return out
    orgs = np.fromiter(wanted, dtype=np.int64)
    rows = np.array([kept.slot[issues[n].id] for n in stored], dtype=np.int64)
    # Each organization's row against every issue through the issues' inverted index (the few
    # changed organizations are the queries), rather than multiplying hundreds of issue rows.
    org_rows = coll.main.rows(orgs)
    raw = np.empty((len(rows), len(orgs)), dtype=np.float32)
    for j in range(len(orgs)):
        raw[:, j] = kept.main.dot_all(org_rows[j])[rows]
    theme = kept.theme.data[rows] @ coll.theme.data[orgs].T
    hub = index.hub_.means(orgs, coll.main.dot_all) if index.hub_weight else np.zeros(len(orgs))
    thematic_text = np.clip(raw - index.hub_weight * np.asarray(hub, dtype=np.float32)[None, :], 0.0, 1.0)
    thematic = index._fit_scores(thematic_text, theme)
    fit = index._fit_scores(np.clip(raw, 0.0, 1.0), theme)
    kinds = coll.kind.view()[orgs]
    by_town: dict[str, tuple] = {}
    for row, n in enumerate(stored):
        issue = issues[n]
        if issue.town not in by_town:
            by_town[issue.town] = _town_standing(index, coll, issue.town, orgs)
        keep, factor, covers, dist = by_town[issue.town]
        for j in np.flatnonzero(keep).tolist():
            kind = THEMATIC if kinds[j] == 1 else TERRITORIAL
            score = thematic[row, j] * factor[j] if kind == THEMATIC else fit[row, j] * factor[j]
            out[n][wanted[int(orgs[j])]] = Standing(
                wanted[int(orgs[j])], kind, float(score), bool(covers[j]),
                float(np.nan_to_num(dist[j], nan=np.inf)), float(fit[row, j]))
    return out


def _town_standing(index, coll, town: str, slots: np.ndarray):
    """MatchingIndex._town_candidates for the given organization slots only, in their order:
    whether each is a candidate, its town factor, whether it covers the town, its distance."""
    fit, towns = index.town_fit_, index.towns_
    n = len(slots)
    best = np.full(n, np.inf)
    covers = np.zeros(n, dtype=bool)
    t = towns.row.get(town) if town else None
    located = bool(town) and towns.has_coordinates(town)
    d = towns.distances_from(town) if located else None
    for j, slot in enumerate(slots.tolist()):
        rows = coll.towns[slot]
        if t is not None and (rows == t).any():
            covers[j] = True
        if d is not None and len(rows):
            near = d[rows]
            near = near[near <= fit.max_km]
            if len(near):
                best[j] = float(near.min())
    unknown = (np.array([int(s) in coll.no_coordinates for s in slots.tolist()], dtype=bool) if located
               else np.ones(n, dtype=bool))
    best[covers] = 0.0
    keep = coll.alive.view()[slots] & (covers | np.isfinite(best) | unknown)
    dist = np.where(np.isfinite(best), best, np.nan)
    factor = fit.factor(covers, dist)
    return keep & (factor > 0), factor, covers, dist


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
