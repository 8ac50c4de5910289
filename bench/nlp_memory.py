"""Resident memory of one process with the Sudachi dictionary and a fitted vectorizer loaded.

    .venv/bin/python bench/nlp_memory.py

Fits the default sentence vectorizer (words, synonyms, chars, word vectors) on the dev
organizations and issues, transforms them, suggests themes, then scores JSTS valid, and prints
VmRSS and VmHWM (peak) after each step.
"""
from __future__ import annotations

import json
from pathlib import Path

DEV = Path(__file__).resolve().parents[1] / "../shared/eval/dev"


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    raise KeyError(field)


def main() -> None:
    print(f"python + imports not yet: {_status('VmRSS')} MB")
    import nlp

    print(f"after import nlp: {_status('VmRSS')} MB")
    nlp.Analyzer()("辞書を読み込む")
    print(f"after loading the dictionary: {_status('VmRSS')} MB")
    texts = []
    for name, fields in (("orgs.jsonl", ("name", "description", "offers", "needs")),
                         ("issues.jsonl", ("title", "body"))):
        with open(DEV / name, encoding="utf-8") as f:
            texts += ["\n".join(r[k] for k in fields) for r in map(json.loads, f)]
    vectorizer = nlp.sentence_vectorizer().fit(texts)
    X = vectorizer.transform(texts)
    nlp.suggest_themes(texts[0])
    print(f"after fitting the vectorizer on {len(texts)} dev texts ({X.shape[1]} features) and "
          f"suggesting themes: VmRSS {_status('VmRSS')} MB, peak VmHWM {_status('VmHWM')} MB")
    with open(DEV.parent / "jsts/valid-v1.3.json", encoding="utf-8") as f:
        pairs = list(map(json.loads, f))
    nlp.pair_similarities([p["sentence1"] for p in pairs], [p["sentence2"] for p in pairs])
    print(f"after also scoring JSTS valid ({len(pairs)} pairs, as `kyodo similarity` does): "
          f"VmRSS {_status('VmRSS')} MB, peak VmHWM {_status('VmHWM')} MB")


if __name__ == "__main__":
    main()
