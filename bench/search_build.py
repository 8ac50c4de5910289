"""The search index build alone (issue 14): `build_search_index` against a database, then the
snapshot written as `kyodo build-index` writes it; wall and CPU seconds and peak RSS.

    OPENBLAS_NUM_THREADS=1 /usr/bin/time -v nice -n 19 .venv/bin/python bench/search_build.py \
        --db /tmp/i14b/web300k.sqlite3 --out /tmp/i14b/search300k

Peak RSS is the process's high-water mark (getrusage), which `/usr/bin/time -v` reports too; the
RSS before the build is the imports, the engine and the analyzer's dictionaries. --chunk-size
passes the build's chunk size (the default is the build's own).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matching_scale import rss_mb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="an SQLite database")
    parser.add_argument("--out", type=Path, help="write the snapshot here (emptied first)")
    parser.add_argument("--chunk-size", type=int, help="documents analysed per chunk")
    args = parser.parse_args()

    from sqlmodel import Session

    from webapp.db import create_engine_for
    from webapp.services import search
    from webapp.services.search_index import SearchIndex

    SearchIndex()._document("見守り", "")  # Sudachi's dictionaries, loaded before the first figure
    out = {"db": str(args.db), "code": str(ROOT), "load_average": os.getloadavg()[0],
           "rss_mb_before": round(rss_mb())}
    engine = create_engine_for(f"sqlite:///{args.db.resolve()}")
    kwargs = {"chunk_size": args.chunk_size} if args.chunk_size else {}
    started, cpu = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        index = search.build_search_index(session, **kwargs)
    out["documents"] = len(index)
    out["build_s"], out["build_cpu_s"] = round(time.perf_counter() - started, 1), round(time.process_time() - cpu, 1)
    out["rss_mb_built"] = round(rss_mb())
    if args.out:
        shutil.rmtree(args.out, ignore_errors=True)
        args.out.mkdir(parents=True)
        started = time.perf_counter()
        index.save(args.out)
        out["save_s"] = round(time.perf_counter() - started, 1)
        out["size_mb"] = round(sum(f.stat().st_size for f in args.out.iterdir()) / 2**20, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["load_average_end"] = os.getloadavg()[0]
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
