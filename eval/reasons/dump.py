#!/usr/bin/env python3
"""Print the reasons shown for the first-ranked organization of each dev issue and colloquial post.

    .venv/bin/python eval/reasons/dump.py dev|colloquial   (from the repository root)

One line per query: `QUERY ORG term / term / left≈right | themes` (the input of labels.tsv).
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from matching import MatchingIndex  # noqa: E402
from webapp.cli.rank_matching import _issue, _org, _towns  # noqa: E402


def _shared() -> Path:
    for c in (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"):
        if (c / "dev").is_dir():
            return c
    sys.exit("../shared/eval not found")


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "dev"
    dev = _shared() / "dev"
    org_files = [dev / "orgs.jsonl"]
    issues = dev / "issues.jsonl"
    if which == "colloquial":
        org_files.append(ROOT / "eval" / "colloquial" / "hub_orgs.jsonl")
        issues = ROOT / "eval" / "colloquial" / "issues.jsonl"
    orgs = [_org(json.loads(line)) for f in org_files for line in open(f, encoding="utf-8")]
    posts = [_issue(json.loads(line)) for line in open(issues, encoding="utf-8")]
    index = MatchingIndex(n_jobs=2).fit(orgs, posts, _towns())
    for post in posts:
        for m in index.rank_thematic(post, 1):
            terms = " / ".join(t.left if t.left == t.right else f"{t.left}≈{t.right}"
                               for t in m.reasons.terms)
            print(post.id, m.id, terms, "|", ",".join(m.reasons.themes))


if __name__ == "__main__":
    main()
