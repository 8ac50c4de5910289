"""Fit peak, snapshot size and load time of the matching index at scale (issue 14, part 3).

    /usr/bin/time -v .venv/bin/python bench/index_snapshot.py --orgs 300000 --issues 1000 --fit-only
    .venv/bin/python bench/index_snapshot.py --orgs 300000 --issues 1000 --out /tmp/kyodo-snap

Profiles come from bench/matching_scale.py (`nation` layout). The fit runs in this process (its
peak RSS is ru_maxrss right after the fit); the snapshot is then written, and loaded in a fresh
process that answers the same 20 queries, which must equal the fitted index's answers.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matching_scale import rss_mb  # noqa: E402


def _answers(index, issues) -> list:
    return [[(m.id, round(m.score, 5)) for m in index.rank_thematic(i, 10, explain=False)]
            for i in issues]


def load_and_answer(directory: Path, queries: Path) -> None:
    from matching import IssueProfile
    from matching.persist import load_index

    issue_list = [IssueProfile(*fields) for fields in json.loads(queries.read_text("utf-8"))]
    started = time.perf_counter()
    index = load_index(directory)
    seconds = time.perf_counter() - started
    print(json.dumps({"load_s": round(seconds, 2), "rss_mb_loaded": round(rss_mb()),
                      "answers": _answers(index, issue_list)}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orgs", type=int, default=300_000)
    p.add_argument("--issues", type=int, default=1000)
    p.add_argument("--layout", choices=["city", "nation"], default="nation")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--fit-only", action="store_true")
    p.add_argument("--out", type=Path, default=Path("/tmp/kyodo-index-snapshot"))
    p.add_argument("--queries", type=int, default=20)
    p.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.load:
        load_and_answer(args.load, args.load.with_suffix(".queries.json"))
        return

    from bench.matching_scale import make_profiles
    from matching import MatchingIndex
    from matching.persist import save_index

    orgs, issues, towns = make_profiles(args.orgs, args.issues, args.layout)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    index = MatchingIndex(n_jobs=args.n_jobs).fit(orgs, issues, towns)
    out = {"orgs": args.orgs, "issues": args.issues, "fit_s": round(time.perf_counter() - started, 1),
           "peak_rss_mb_before_fit": round(before),
           "peak_rss_mb_fit": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "rss_mb_fitted": round(rss_mb())}
    if not args.fit_only:
        del orgs
        shutil.rmtree(args.out, ignore_errors=True)
        args.out.mkdir(parents=True)
        started = time.perf_counter()
        save_index(index, args.out)
        out["save_s"] = round(time.perf_counter() - started, 1)
        out["snapshot_mb"] = round(sum(f.stat().st_size for f in args.out.iterdir()) / 2**20)
        expected = _answers(index, issues[: args.queries])
        args.out.with_suffix(".queries.json").write_text(json.dumps(
            [[i.id, i.title, i.body, i.town, list(i.themes)] for i in issues[: args.queries]]), "utf-8")
        del index
        loaded = subprocess.run(
            [sys.executable, __file__, "--load", str(args.out)],
            check=True, capture_output=True, text=True, cwd=ROOT)
        result = json.loads(loaded.stdout.strip().splitlines()[-1])
        out["load_s"], out["rss_mb_loaded"] = result["load_s"], result["rss_mb_loaded"]
        out["same_answers"] = json.loads(json.dumps(expected)) == result["answers"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
