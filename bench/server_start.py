"""Restart time: seconds from starting `kyodo serve` until it answers, and its first issue page.

    .venv/bin/python bench/server_start.py                      # the demo data (SQLite, made here)
    .venv/bin/python bench/server_start.py --db bench/out/web.sqlite3   # e.g. bench/web_data.py --orgs 5000

`kyodo serve` fits the matching and search indexes and the newest issues' suggestions before it
forks its workers (so nobody waits for a fit); the port opens only after that, so the time to the
first answer is the restart time a reverse proxy sees. Runs --runs times and prints each:
first without index snapshots (KYODO_INDEX_DIR empty: every start fits), then from the snapshots
that `kyodo build-index` writes (issue 14: the start loads them and replays newer changes).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.webclient import kyodo_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an SQLite database (default: a fresh demo database)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["fit", "snapshot"], help="measure one mode only")
    parser.add_argument("--index-dir", type=Path,
                        help="keep the snapshots here (default: a temporary directory); build-index "
                             "then only brings them up to date (a 300,000-organization fit takes minutes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kyodo-bench-start-") as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "demo.sqlite3"
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "KYODO_ENV": "development"}
            kyodo = str(Path(sys.executable).with_name("kyodo"))
            for command in (["init-db"], ["seed", "--demo"]):
                subprocess.run([kyodo, *command], env=env, check=True, capture_output=True)
        url_db = f"sqlite:///{db.resolve()}"
        index_dir = (args.index_dir or Path(tmp) / "indexes").resolve()
        modes = [args.only] if args.only else ["fit", "snapshot"]
        for mode in modes:
            env = {"KYODO_INSTANCE_PATH": tmp, "KYODO_INDEX_DIR": str(index_dir) if mode == "snapshot" else ""}
            if mode == "snapshot":
                started = time.monotonic()
                kyodo = str(Path(sys.executable).with_name("kyodo"))
                subprocess.run([kyodo, "build-index"], check=True, capture_output=True,
                               env={**os.environ, "DATABASE_URL": url_db, "KYODO_ENV": "development", **env})
                print(f"kyodo build-index: {time.monotonic() - started:.1f} s")
            for run in range(args.runs):
                started = time.monotonic()
                with kyodo_server(url_db, workers=args.workers, env=env, wait_seconds=900) as url:
                    ready = time.monotonic() - started
                    page_started = time.monotonic()
                    with urllib.request.urlopen(url + "/issues/1", timeout=60) as response:
                        response.read()
                    page = time.monotonic() - page_started
                print(f"{mode} run {run + 1}: answers after {ready:.2f} s; first issue page {page * 1000:.0f} ms"
                      f" (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
