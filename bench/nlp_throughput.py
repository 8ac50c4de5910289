"""Analyzer throughput against raw SudachiPy `tokenize`, same texts, same run, interleaved rounds.

    .venv/bin/python bench/nlp_throughput.py [--docs N] [--rounds R]

Ratios use each variant's CPU time (the pool: wall time) against raw tokenize's CPU time, the
median over rounds; wall-clock ratios are printed too. Texts: the first N livedoor articles (title + body, as stored). "raw" is
`Dictionary(dict="core").tokenizer(SplitMode.C).tokenize` with every field, on the same texts cut
into the same ≤40 kB pieces; the analyzer starts from the unnormalized text (its time includes
normalization, synonyms, compounds, parts and the glossary). Prints chars/s per round and the
median ratio.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

LIVEDOOR = Path(__file__).resolve().parents[1] / "../shared/eval/livedoor/livedoor_news.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from sudachipy import Dictionary, SplitMode

    from nlp import Analyzer, analyze_many, sudachi

    with open(LIVEDOOR, encoding="utf-8") as f:
        texts = [(r["title"] + "\n" + r["body"]) for r in map(json.loads, f)][: args.docs]
    chars = sum(map(len, texts))
    raw_tok = Dictionary(dict="core").tokenizer(SplitMode.C)
    subset_tok = sudachi.tokenizer("C")
    analyzer = Analyzer()
    bare = Analyzer(synonyms=False, compounds=False, parts=False)
    analyzer("準備"), bare("準備")

    def raw():
        for t in texts:
            for piece in sudachi.chunks(t):
                raw_tok.tokenize(piece)

    def raw_subset():
        for t in texts:
            for piece in sudachi.chunks(t):
                subset_tok.tokenize(piece)

    def empty_loop():
        # The floor of any Python-level analyzer: visit each morpheme once, read its word id.
        for t in texts:
            for piece in sudachi.chunks(t):
                for m in subset_tok.tokenize(piece):
                    m.word_id()

    runs = {
        "raw tokenize (all fields)": raw,
        "raw tokenize (analyzer's fields)": raw_subset,
        "empty loop over morphemes": empty_loop,
        "Analyzer() full": lambda: [analyzer(t) for t in texts],
        "Analyzer(words only)": lambda: [bare(t) for t in texts],
        "analyze_many, 2 processes": lambda: analyze_many(texts, analyzer, n_jobs=2),
    }
    # CPU time of this process for the one-process variants (robust on a shared machine); wall
    # time for the process pool, whose work happens in its children.
    speeds: dict[str, list[float]] = {k: [] for k in runs}
    ratios: dict[str, list[float]] = {k: [] for k in runs}
    walls: dict[str, list[float]] = {k: [] for k in runs}
    for r in range(args.rounds):
        for name, fn in runs.items():
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            wall = time.perf_counter() - start
            used = wall if name.startswith("analyze_many") else time.process_time() - cpu
            speeds[name].append(chars / used)
            walls[name].append(chars / wall)
        base = speeds["raw tokenize (all fields)"][-1]
        base_wall = walls["raw tokenize (all fields)"][-1]
        for name in runs:
            ratios[name].append(speeds[name][-1] / base)
            walls[name][-1] /= base_wall
    print(f"{len(texts)} livedoor articles, {chars:,} characters, {args.rounds} interleaved rounds")
    for name in runs:
        print(f"{name:34s} median {statistics.median(speeds[name]) / 1e3:7.0f}k chars/s   "
              f"ratio to raw: CPU-time {statistics.median(ratios[name]):.2f}, "
              f"wall {statistics.median(walls[name]):.2f}")


if __name__ == "__main__":
    main()
