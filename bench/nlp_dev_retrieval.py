"""Text-only retrieval on the dev set: each issue against the thematic organizations, by the
vectorizer's similarity alone (no towns, no themes: that is matching's job). Ablations side by side.

    .venv/bin/python bench/nlp_dev_retrieval.py

Scored with ../shared/eval/score.py (nDCG@5, MRR, ...). Shows what each part of nlp/ adds.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1] / "../shared/eval"

VARIANTS = {
    "default hybrid": {},
    "no word vectors": {"semantic": False},
    "no synonyms/glossary": {"synonym_weight": 0.0},
    "no glossary (Sudachi synonyms only)": {"analyzer": {"glossary": None}},
    "no mode-A parts of compounds": {"analyzer": {"parts": False}},
    "no joined compounds": {"analyzer": {"compounds": False}},
    "chars only": {"word_weight": 0, "synonym_weight": 0, "semantic_weight": 0},
    "words+synonyms+vectors, no chars": {"char_weight": 0},
}


def main() -> None:
    import nlp

    with open(EVAL / "dev/orgs.jsonl", encoding="utf-8") as f:
        orgs = [r for r in map(json.loads, f) if r["kind"] == "thematic"]
    with open(EVAL / "dev/issues.jsonl", encoding="utf-8") as f:
        issues = list(map(json.loads, f))
    org_texts = ["\n".join((o["name"], o["description"], o["offers"])) for o in orgs]
    issue_texts = [i["title"] + "\n" + i["body"] for i in issues]
    for name, params in VARIANTS.items():
        if "analyzer" in params:
            params = {**params, "analyzer": nlp.Analyzer(**params["analyzer"])}
        v = nlp.sentence_vectorizer(**params).fit(org_texts + issue_texts)
        idx, _ = nlp.top_k(v.transform(issue_texts), v.transform(org_texts), 10)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as run:
            for issue, row in zip(issues, idx):
                run.write(json.dumps({"query": issue["id"],
                                      "ranked": [orgs[j]["id"] for j in row]}) + "\n")
        score = subprocess.run(
            [sys.executable, str(EVAL / "score.py"), "rank", "--qrels", str(EVAL / "dev/qrels.tsv"),
             "--run", run.name, "--orgs", str(EVAL / "dev/orgs.jsonl")],
            capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        print(f"{name:38s} {score}")


if __name__ == "__main__":
    main()
