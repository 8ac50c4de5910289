"""Theme suggestion for residents' colloquial posts: precision@1 and @3 on the 45 dev issues
(../shared/eval/dev/issues.jsonl), whose themes were labelled by hand in
bench/data/dev_issue_themes.tsv. P@1 = share of issues whose first suggestion is a labelled theme;
P@3 = share of the first three suggestions that are labelled themes (at most 1 even for an issue
with three labels). Compares the zero-shot ranking with the trained classifier side by side.

    .venv/bin/python bench/theme_suggestion.py [--dev ../shared/eval/dev]
"""
from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(dev: Path):
    issues = {json.loads(line)["id"]: json.loads(line) for line in (dev / "issues.jsonl").open(encoding="utf-8")}
    rows = [r for r in csv.reader((HERE / "data" / "dev_issue_themes.tsv").open(encoding="utf-8"), delimiter="\t")
            if r and not r[0].startswith("#")][1:]
    labels = {r[0]: set(r[1].split(",")) for r in rows}
    texts = {i: f"{issues[i]['title']}\n{issues[i]['body']}" for i in labels}
    return texts, labels


def score(rank, texts, labels) -> tuple[float, float, float]:
    p1 = p3 = 0.0
    start = time.perf_counter()
    for issue_id, text in texts.items():
        top = rank(text)[:3]
        p1 += top[0] in labels[issue_id]
        p3 += len(set(top) & labels[issue_id]) / 3
    elapsed = (time.perf_counter() - start) / len(texts) * 1000
    return p1 / len(texts), p3 / len(texts), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=HERE.parent / "../shared/eval/dev")
    args = parser.parse_args()
    texts, labels = load(args.dev)
    from nlp.themes import ThemeClassifier, ThemeSuggester

    zero_shot = ThemeSuggester().fit()
    trained = ThemeClassifier().fit_examples()
    print(f"{'model':<34} P@1    P@3    ms/issue")
    for name, model in [("zero-shot (ThemeSuggester)", zero_shot), ("trained (ThemeClassifier)", trained)]:
        p1, p3, ms = score(lambda t, m=model: [s.code for s in m.suggest(t, k=3)], texts, labels)
        print(f"{name:<34} {p1:.3f}  {p3:.3f}  {ms:.1f}")
    # The best possible P@3 (every label found in the first three) for reference.
    best = sum(min(len(v), 3) / 3 for v in labels.values()) / len(labels)
    print(f"{'(ceiling of P@3 with these labels)':<34} 1.000  {best:.3f}")


if __name__ == "__main__":
    main()
