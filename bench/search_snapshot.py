"""Search index snapshot at scale (issue 14): the JSON file of before against the arrays of now.

    .venv/bin/python bench/search_snapshot.py --docs 5000 --out /tmp/i14s/5k
    nice -n 19 .venv/bin/python bench/search_snapshot.py --docs 300000 --distinct 30000 --jobs 2 --out /tmp/i14s/300k

Documents are bench/matching_scale.py's organizations (`nation` layout: Japanese sentences of
glossary and theme words) and 1 % as many issues. They are analysed once, then laid out both
ways: the index before (one object per document, postings as sets of keys, one JSON file; its
code is kept as tests/search_reference.py) and services/search_index.py's. Each is saved, then loaded
by a fresh process that reports the SHA-256 check index_snapshots does before loading, the load,
its RSS and query times; both must answer every query identically. The process loading the new
one then upserts documents (the overlay), searches again and merges the overlay once.
With `--distinct K` only K documents are generated and analysed, and their analysed form is
repeated under all N keys (Sudachi takes ≈ 2 ms a document: 300,000 are ≈ 12 min of CPU): the
files, the load and the scans have the full size, the answers are K-periodic.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matching_scale import rss_mb  # noqa: E402
from tests.search_reference import ReferenceSearchIndex as OldIndex  # noqa: E402

QUERIES = ["見守り", "子ども 食堂", "ごみ", "ゴミ", "高齢者", "こうれいしゃ", "防災 訓練", "ボランティア",
           "地域", "会", "市0123町05", "存在しない語"]


# ---------------------------------------------------------------- documents
def documents(n: int) -> list[tuple]:
    from bench.matching_scale import make_profiles

    orgs, issues, _ = make_profiles(n, max(n // 100, 1), "nation")
    return ([(("organization", k + 1), o.name, f"{o.description}\n{o.offers}\n{o.needs}")
             for k, o in enumerate(orgs)]
            + [(("issue", k + 1), i.title, i.body) for k, i in enumerate(issues)])


_analyser = None


def _analyse(chunk):
    global _analyser
    from webapp.services.search_index import SearchIndex

    _analyser = _analyser or SearchIndex()
    return [(key, _analyser._document(title, text)) for key, title, text in chunk]


def analyse(docs: list[tuple], jobs: int) -> dict:
    chunks = [docs[i: i + 500] for i in range(0, len(docs), 500)]
    if jobs <= 1:
        return dict(pair for chunk in map(_analyse, chunks) for pair in chunk)
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return dict(pair for chunk in pool.imap(_analyse, chunks) for pair in chunk)


# ---------------------------------------------------------------- loading in a fresh process
def _time_queries(index) -> tuple[dict, str]:
    times, answers = {}, []
    for query in QUERIES:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            found = index.search(query)
            runs.append(time.perf_counter() - started)
        times[query] = [round(statistics.median(runs) * 1000, 1), len(found)]
        answers.append(found)
    return times, hashlib.sha256(json.dumps(answers).encode()).hexdigest()[:16]


def load_and_query(directory: Path, layout: str) -> None:
    from webapp.services.search_index import SearchIndex

    SearchIndex()  # imports and the analyzer, as a server has them before loading
    rss_before = rss_mb()
    started = time.perf_counter()
    for path in sorted(directory.iterdir()):  # what index_snapshots._check_files does first
        with open(path, "rb") as f:
            hashlib.file_digest(f, "sha256")
    sha_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    index = OldIndex.load(directory) if layout == "old" else SearchIndex.load(directory, verify=False)
    load_s, load_cpu = time.perf_counter() - started, time.process_time() - cpu
    out = {"sha256_s": round(sha_s, 3), "load_s": round(load_s, 3), "load_cpu_s": round(load_cpu, 3),
           "rss_mb_before": round(rss_before), "rss_mb_loaded": round(rss_mb())}
    started = time.perf_counter()
    index.search("準備")  # the first search also maps pages and loads the reading tokenizer
    out["first_query_ms"] = round((time.perf_counter() - started) * 1000, 1)
    out["queries_ms"], out["answers"] = _time_queries(index)
    out["rss_mb_after_queries"] = round(rss_mb())
    if layout == "new":
        edited = documents(1000)
        started = time.perf_counter()
        for (kind, k), title, text in edited:  # changes of existing documents, new words included
            index.upsert((kind, k), title + "改", text)
        out["upsert_1000_s"] = round(time.perf_counter() - started, 2)
        out["queries_ms_after_1000_upserts"] = _time_queries(index)[0]
        base, alive, changed = index._state
        started, cpu = time.perf_counter(), time.process_time()
        index._set(base.merged(alive, changed))
        out["merge_s"] = round(time.perf_counter() - started, 3)
        out["merge_cpu_s"] = round(time.process_time() - cpu, 3)
        out["queries_ms_after_merge"] = _time_queries(index)[0]
    print(json.dumps(out, ensure_ascii=False))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", type=int, default=5000)
    p.add_argument("--distinct", type=int, default=0, help="analyse only this many, repeat them")
    p.add_argument("--jobs", type=int, default=1, help="processes analysing the documents")
    p.add_argument("--out", type=Path, default=Path("/tmp/kyodo-search-snapshot"))
    p.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--layout", choices=["old", "new"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.load:
        load_and_query(args.load, args.layout)
        return

    from webapp.services.search_arrays import DocumentArrays
    from webapp.services.search_index import SearchIndex

    out = {"docs": args.docs, "load_average": os.getloadavg()[0]}
    started = time.perf_counter()
    docs = documents(args.distinct or args.docs)
    analysed = analyse(docs, args.jobs)
    out["analyse_s"] = round(time.perf_counter() - started, 1)
    if args.distinct:
        # The same documents again under further ids of their type.
        pairs, top = list(analysed.items()), {}
        for (kind, id_), _ in pairs:
            top[kind] = max(top.get(kind, 0), id_)
        for copy in range(1, -(-args.docs // args.distinct)):
            for (kind, id_), doc in pairs:
                analysed[kind, id_ + copy * top[kind]] = doc
    out["n"] = len(analysed)
    for layout in ("new", "old"):
        directory = args.out / layout
        directory.mkdir(parents=True, exist_ok=True)
        for path in directory.iterdir():
            path.unlink()
        started, cpu = time.perf_counter(), time.process_time()
        if layout == "new":
            index = SearchIndex()
            index._set(DocumentArrays.empty().merged(index._state[1], analysed))
        else:
            index = OldIndex()
            for key, doc in analysed.items():
                index._add(key, doc)
        out[f"{layout}_layout_s"] = round(time.perf_counter() - started, 2)
        out[f"{layout}_layout_cpu_s"] = round(time.process_time() - cpu, 2)
        started = time.perf_counter()
        index.save(directory)
        out[f"{layout}_save_s"] = round(time.perf_counter() - started, 2)
        out[f"{layout}_size_mb"] = round(sum(f.stat().st_size for f in directory.iterdir()) / 2**20, 1)
        del index
    del analysed
    for layout in ("old", "new"):
        loaded = subprocess.run([sys.executable, __file__, "--load", str(args.out / layout), "--layout", layout],
                                check=True, capture_output=True, text=True, cwd=ROOT)
        out[layout] = json.loads(loaded.stdout.strip().splitlines()[-1])
    out["same_answers"] = out["old"]["answers"] == out["new"]["answers"]
    out["load_average_end"] = os.getloadavg()[0]
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
