"""Cost of an issue page's suggestions in one process: computed from the index, and kept.

    .venv/bin/python bench/web_suggestions.py --db bench/out/web.sqlite3

Prints the fit time, then per issue: suggestions computed cold (first time), recomputed after a
change (the analyses of texts already seen are cached), and the rendered page with kept results;
then, for --edits profile edits (a sentence added to a random organization's description), how
many of the issue pages each edit makes recompute and what checking a kept result costs.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    return (f"{name}: median {statistics.median(values):.1f} ms, p95 {ordered[int(0.95 * len(ordered))]:.1f} ms, "
            f"max {ordered[-1]:.1f} ms ({len(values)} issues)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench/out/web.sqlite3")
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()
    os.environ.update(KYODO_ENV="testing", DATABASE_URL=f"sqlite:///{Path(args.db).resolve()}")

    from sqlmodel import select

    from webapp import create_app
    from webapp.db import get_session
    from webapp.models import Issue
    from webapp.services import changes, suggestion_cache
    from webapp.services import suggestions

    app = create_app()
    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        suggestions.current_index(session)
        print(f"fit: {time.perf_counter() - started:.1f} s")
        ids = list(session.exec(select(Issue.id)))
        for label in ("computed cold", "recomputed after a change"):
            if label.startswith("recomputed"):
                changes.record(session, entity="organization", entity_id=1)
                session.commit()
                suggestion_cache.clear()  # every page recomputed (organization 1 may be in no pool)
            times = []
            for issue_id in ids:
                started = time.perf_counter()
                suggestions.for_issue(session, issue_id=issue_id, max_age=0)
                times.append((time.perf_counter() - started) * 1000)
            print(_summary(f"suggestions {label}", times))
        client = app.test_client()
        times = []
        for issue_id in ids:
            started = time.perf_counter()
            assert client.get(f"/issues/{issue_id}").status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        print(_summary("page with kept suggestions", times))
        _edits(session, ids, args.edits)


def _edits(session, ids, count) -> None:
    import random

    from sqlmodel import select

    from webapp.models import Organization, OrgStatus
    from webapp.services import changes, suggestion_cache, suggestions

    rng = random.Random(3)
    org_ids = list(session.exec(select(Organization.id).where(Organization.status == OrgStatus.ACTIVE)))
    recomputed, checks = [], []
    for _ in range(count):
        org = session.get(Organization, rng.choice(org_ids))
        org.description += rng.choice(("毎月の定例会を開いています。", "新しい会員を募集しています。"))
        session.add(org)
        changes.record(session, entity="organization", entity_id=org.id)
        session.commit()
        before = suggestion_cache.stats.computed
        for issue_id in ids:
            started = time.perf_counter()
            computed = suggestion_cache.stats.computed
            suggestions.for_issue(session, issue_id=issue_id, max_age=0, shared_url="")
            if suggestion_cache.stats.computed == computed:
                checks.append((time.perf_counter() - started) * 1000)
        recomputed.append(suggestion_cache.stats.computed - before)
    print(f"after each of {count} profile edits: {statistics.mean(recomputed):.1f} of {len(ids)} issue pages "
          f"recomputed on average (max {max(recomputed)}, min {min(recomputed)})")
    print(_summary("kept result checked after an edit", checks).replace("issues)", "checks)"))
    print(f"cache: {suggestion_cache.stats}; hub drift: {suggestions._indexes.get(session).drift:.3g}")


if __name__ == "__main__":
    main()
