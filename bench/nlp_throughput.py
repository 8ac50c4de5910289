"""Analyzer throughput against raw SudachiPy `tokenize`, same texts, same run, interleaved.

    .venv/bin/python bench/nlp_throughput.py [--docs N] [--rounds R]

Texts: the first N livedoor articles (title + body, as stored). "raw" is
`Dictionary(dict="core").tokenizer(SplitMode.C).tokenize` with every field, on the same texts cut
into the same ≤40 kB pieces; the analyzer starts from the unnormalized text (its time includes
cleaning, synonyms, compounds, parts and the glossary). Also timed: tokenize with the
part-of-speech field only (what the analyzer asks Sudachi for, so its own overhead shows), and a
first pass in which every word is new to the analyzer (as in a fresh `kyodo rank docs`).

These machines are shared and their speed drifts by ±25 % within seconds, so every text is run
through every variant in turn (in a new random order for each text) and each variant's CPU time
is summed over texts: a slow spell then hits all variants alike. Ratios are to raw tokenize's
time in the same round; the median over rounds is printed. The process pool of `analyze_many`
is timed on wall clock, whole rounds at a time, so its ratio depends on how busy the machine is.
"""
from __future__ import annotations

import argparse
import json
import random
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
    subset_tok = sudachi.tokenizer("C", sudachi.FAST_FIELDS)
    analyzer = Analyzer()
    bare = Analyzer(synonyms=False, compounds=False, parts=False)

    def raw(t):
        for piece in sudachi.chunks(t):
            raw_tok.tokenize(piece)

    def raw_subset(t):
        for piece in sudachi.chunks(t):
            subset_tok.tokenize(piece)

    def empty_loop(t):
        # The floor of any Python-level analyzer: visit each morpheme once, read its word id.
        for piece in sudachi.chunks(t):
            for m in subset_tok.tokenize(piece):
                m.word_id()

    runs = {
        "raw tokenize (all fields)": raw,
        "tokenize, part of speech only": raw_subset,
        "empty loop over morphemes": empty_loop,
        "Analyzer() full": analyzer,
        "Analyzer(words only)": bare,
    }
    # First pass: the analyzer meets every word for the first time (its lexicon is empty), as a
    # fresh `kyodo rank docs` does; interleaved text by text with raw tokenize.
    first = {"raw": 0.0, "analyzer": 0.0}
    pair = [("raw", raw), ("analyzer", analyzer)]
    for i, t in enumerate(texts):
        for name, fn in (pair if i % 2 else pair[::-1]):
            start = time.process_time()
            fn(t)
            first[name] += time.process_time() - start
    for fn in runs.values():  # the rounds below measure a warm process
        for t in texts:
            fn(t)
    names = list(runs)
    fns = list(runs.values())
    ratios: dict[str, list[float]] = {k: [] for k in [*names, "analyze_many, 2 processes"]}
    speeds: dict[str, list[float]] = {k: [] for k in ratios}
    clock = time.process_time
    shuffle = random.Random(0).shuffle
    order = list(range(len(fns)))
    for _ in range(args.rounds):
        used = [0.0] * len(fns)
        for t in texts:
            shuffle(order)  # a variant runs faster right after another read the same text
            for j in order:
                start = clock()
                fns[j](t)
                used[j] += clock() - start
        start = time.perf_counter()
        analyze_many(texts, analyzer, n_jobs=2)
        pool = time.perf_counter() - start
        for name, u in zip(names, used):
            ratios[name].append(used[0] / u)
            speeds[name].append(chars / u)
        ratios["analyze_many, 2 processes"].append(used[0] / pool)
        speeds["analyze_many, 2 processes"].append(chars / pool)
    print(f"{len(texts)} livedoor articles, {chars:,} characters, {args.rounds} rounds")
    print(f"first pass, every word new to the analyzer: ratio to raw "
          f"{first['raw'] / first['analyzer']:.3f} ({chars / first['analyzer'] / 1e3:.0f}k chars/s)")
    for name, measured in ratios.items():
        print(f"{name:36s} median {statistics.median(speeds[name]) / 1e3:5.0f}k chars/s   "
              f"ratio to raw {statistics.median(measured):.3f}   "
              f"(rounds {min(measured):.3f}–{max(measured):.3f})")


if __name__ == "__main__":
    main()
