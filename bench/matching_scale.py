"""Speed and memory of the matching engine on synthetic profiles, side by side with a naive ranker.

    .venv/bin/python bench/matching_scale.py --orgs 10000 --issues 10000 --layout city
    .venv/bin/python bench/matching_scale.py --orgs 300000 --issues 1000 --layout nation

Profiles are built from realistic vocabulary: the city glossary's civic words and the themes'
keywords, in sentence patterns like those residents and groups write. `city` puts every
organization in one city of 23 towns (the worst case: every organization is a candidate for every
issue); `nation` spreads them over 1,700 municipalities of 20 towns each across Japan.
The naive ranker scores every organization with one sparse product, computes each
organization's town factor in Python and sorts everything.
"""
from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching import IssueProfile, MatchingIndex, OrgProfile, Town  # noqa: E402
from matching.geo import haversine_km  # noqa: E402
from nlp import load_themes  # noqa: E402

ORG_PATTERNS = [
    "{t}を中心に{a}と{b}に取り組む団体です。{c}の仲間が集まり、{d}も行っています。",
    "私たちは{a}のボランティアです。{b}や{c}について、地域の皆さんと一緒に考えています。",
    "{a}の活動を{n}年続けています。最近は{b}の相談が増え、{c}にも力を入れています。",
]
OFFER_PATTERNS = ["{a}の出前講座と{b}の手伝いができます。", "{a}のノウハウを提供します。"]
NEED_PATTERNS = ["{a}に協力してくれる団体を探しています。", "{a}の会場と{b}の担い手を求めています。"]
ISSUE_PATTERNS = [
    "{t}に住んでいます。最近{a}が気になっています。{b}について相談できるところはありますか。",
    "近所で{a}のことが心配です。{b}や{c}を手伝ってくれる人がいると助かります。",
]


def vocabulary() -> list[str]:
    words = set()
    glossary = Path(__file__).resolve().parents[1] / "seed_data" / "glossary.tsv"
    for line in glossary.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        words.update(w for w in line.split("\t") if len(w) >= 2)
    for theme in load_themes():
        words.update(theme["keywords"])
    return sorted(words)


def towns_for(layout: str, rng) -> tuple[list[Town], list[list[str]]]:
    """Towns, and the towns of each municipality."""
    if layout == "city":
        names = [f"町{i:02d}" for i in range(23)]
        towns = [Town(n, 35.75 + rng.uniform(-0.02, 0.02), 139.52 + rng.uniform(-0.03, 0.03))
                 for n in names]
        return towns, [names]
    towns, cities = [], []
    for c in range(1700):
        lat, lng = rng.uniform(31.5, 43.0), rng.uniform(130.5, 145.0)
        names = [f"市{c:04d}町{i:02d}" for i in range(20)]
        towns += [Town(n, lat + rng.normal(0, 0.02), lng + rng.normal(0, 0.02)) for n in names]
        cities.append(names)
    return towns, cities


def make_profiles(n_orgs, n_issues, layout, seed=0):
    rng = np.random.default_rng(seed)
    words = vocabulary()
    towns, cities = towns_for(layout, rng)

    def fill(pattern, town):
        w = rng.choice(words, 4, replace=False)
        return pattern.format(t=town, a=w[0], b=w[1], c=w[2], d=w[3], n=int(rng.integers(2, 30)))

    orgs = []
    for k in range(n_orgs):
        city = cities[int(rng.integers(len(cities)))]
        if rng.random() < 0.3:
            areas = tuple(city)                     # city-wide
        else:
            areas = tuple(rng.choice(city, int(rng.integers(1, 4)), replace=False))
        kind = "territorial" if rng.random() < 0.4 else "thematic"
        orgs.append(OrgProfile(
            f"o{k}", kind, f"{fill('{a}の会', areas[0])}{k}",
            fill(ORG_PATTERNS[k % len(ORG_PATTERNS)], areas[0]),
            fill(OFFER_PATTERNS[k % 2], areas[0]), fill(NEED_PATTERNS[k % 2], areas[0]), areas,
            capacity=int(rng.integers(1, 4))))
    issues = []
    for k in range(n_issues):
        city = cities[int(rng.integers(len(cities)))]
        town = str(rng.choice(city))
        issues.append(IssueProfile(f"i{k}", fill("{a}が心配", town),
                                   fill(ISSUE_PATTERNS[k % 2], town), town))
    return orgs, issues, towns


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def naive_rank(index, X, thematic_rows, org_list, town_xy, issue, k=10):
    """What one would write first: score everything, town factor in Python, full sort."""
    q = index.encoder_.transform([index._issue_text(issue)])
    raw = (X @ q.T).toarray().ravel()
    # Hub reduction (matching.hubness), recomputed from scratch: every organization's mean fit to
    # the indexed requests (issues and organizations' needs, its own left out, plus one empty).
    requests = sp.vstack([index.issues_.main.rows(sorted(index.issues_.slot.values())),
                          index.orgs_.extra.rows(np.arange(X.shape[0]))], format="csr")
    live = np.diff(requests.indptr) > 0
    own = np.asarray(X.multiply(index.orgs_.extra.rows(np.arange(X.shape[0]))).sum(axis=1)).ravel()
    means = (np.asarray((X @ requests[live].sum(axis=0).T)).ravel() - own) / (live.sum() + 1)
    text = np.clip(raw - index.hub_weight * means, 0, 1)
    theme = index.orgs_.theme.view() @ index._themes_of([index._issue_text(issue)], [issue.themes])[0]
    w = index.theme_weight
    text = text * ((1 - w) + w * theme)
    fit = index.town_fit_
    lat, lng = town_xy.get(issue.town, (np.nan, np.nan))
    scores = np.zeros(len(org_list))
    for j, org in enumerate(org_list):
        if issue.town in org.towns:
            factor = 1.0
        else:
            d = min(float(haversine_km(lat, lng, *town_xy[t])) for t in org.towns)
            factor = fit.outside * np.exp(-d / fit.scale_km) if d <= fit.max_km else 0.0
        scores[j] = text[j] * factor
    order = np.lexsort((np.arange(len(scores)), -scores))
    return [org_list[j].id for j in order if thematic_rows[j]][:k]


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def summary(times):
    times = sorted(times)
    return {"median_ms": round(statistics.median(times), 3),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
            "max_ms": round(times[-1], 3), "n": len(times)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orgs", type=int, default=10_000)
    p.add_argument("--issues", type=int, default=10_000)
    p.add_argument("--layout", choices=["city", "nation"], default="city")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--naive-queries", type=int, default=20)
    p.add_argument("--updates", type=int, default=200)
    p.add_argument("--n-jobs", type=int, default=2)
    args = p.parse_args(argv)

    t = time.perf_counter()
    orgs, issues, towns = make_profiles(args.orgs, args.issues, args.layout)
    gen_s = time.perf_counter() - t
    rss_before = rss_mb()
    t = time.perf_counter()
    index = MatchingIndex(n_jobs=args.n_jobs).fit(orgs, issues, towns)
    fit_s = time.perf_counter() - t
    del orgs[: len(orgs)]  # the index holds its own references; drop the list's
    gc.collect()
    # As a server worker should after loading: the fitted objects never become garbage, and
    # without this a full collection walks millions of them (seconds at 300k profiles).
    gc.freeze()
    out = {"orgs": args.orgs, "issues": args.issues, "layout": args.layout,
           "generate_s": round(gen_s, 1), "fit_s": round(fit_s, 1),
           "rss_mb_before_fit": round(rss_before), "rss_mb_fitted": round(rss_mb()),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    rng = np.random.default_rng(1)
    queries = [issues[int(i)] for i in rng.integers(len(issues), size=args.queries)]

    for q in queries[:5]:
        index.rank_thematic(q, 10, explain=False)   # warm caches (postings, csc) once
    out["rank10"] = summary([timed(lambda q=q: index.rank_thematic(q, 10, explain=False), 1)[0]
                             for q in queries])
    out["rank10_with_reasons"] = summary(
        [timed(lambda q=q: index.rank_thematic(q, 10), 1)[0] for q in queries[:50]])

    # Naive ranker over the same vectors, side by side in the same process.
    org_list = [index.orgs_.profiles[s] for s in range(len(index.orgs_.ids))]
    X = index.orgs_.main.rows(np.arange(len(org_list)))
    thematic_rows = np.array([o.kind == "thematic" for o in org_list])
    town_xy = {t.name: (t.lat, t.lng) for t in towns}
    naive = []
    agree = 0
    for q in queries[: args.naive_queries]:
        naive.append(timed(lambda q=q: naive_rank(index, X, thematic_rows, org_list, town_xy, q),
                           1)[0])
        fast_ids = [m.id for m in index.rank_thematic(q, 10, explain=False)]
        naive_ids = naive_rank(index, X, thematic_rows, org_list, town_xy, q, k=10)
        agree += fast_ids == naive_ids
    out["naive_rank10"] = summary(naive)
    out["naive_agrees"] = f"{agree}/{len(naive)}"

    out["team"] = summary([timed(lambda q=q: index.propose_team(q), 1)[0]
                           for q in queries[:50]])
    base_orgs = [index.orgs_.profiles[index.orgs_.slot[f"o{k}"]] for k in range(0, args.orgs,
                                                                                  max(1, args.orgs // args.updates))]
    updates = []
    for org in base_orgs[: args.updates]:
        edited = OrgProfile(**{**org.__dict__, "description": org.description + "見守りも始めました。"})
        updates.append(timed(lambda e=edited: index.upsert_org(e), 1)[0])
    out["upsert_org"] = summary(updates)
    out["upsert_issue"] = summary([timed(lambda i=i: index.upsert_issue(i), 1)[0]
                                   for i in queries[:50]])
    out["rank10_after_updates"] = summary(
        [timed(lambda q=q: index.rank_thematic(q, 10, explain=False), 1)[0] for q in queries])
    out["compact_ms"] = round(timed(index.compact, 1)[0], 1)
    out["rss_mb_end"] = round(rss_mb())
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
