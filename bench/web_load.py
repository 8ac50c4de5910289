"""Load test of the issue pages (with suggestions) against gunicorn, at a constant arrival rate.

    .venv/bin/python bench/web_data.py --orgs 5000 --out bench/out/web.sqlite3
    .venv/bin/python bench/web_load.py --db bench/out/web.sqlite3 --rate 50 --duration 60 --search-max

The server (`kyodo serve`) and the load generator run in separate processes; the generator is
open-loop: request i is due at start + i/rate whatever happened before, and its latency counts
from that due time (so a slow server cannot hide its queue). Reports p50/p95/p99 and errors, and
with --search-max the highest rate (in steps) whose p95 stays under --p95-limit with no errors.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.webclient import ServerDidNotStart, kyodo_server


def _percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def generate(url: str, paths: list[str], rate: float, duration: float, seed: int = 0) -> dict:
    """Open-loop load; returns latencies (ms from due time) and error count."""
    host, port = url.removeprefix("http://").split(":")
    local = threading.local()
    rng = random.Random(seed)
    total = int(rate * duration)
    plan = [rng.choice(paths) for _ in range(total)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def fetch(path: str, due: float) -> None:
        try:
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException) as error:
            local.conn = None
            ok, response = False, error
        elapsed = (time.perf_counter() - due) * 1000
        with lock:
            latencies.append(elapsed)
            if not ok:
                errors.append(str(getattr(response, "status", response)))

    start = time.perf_counter() + 0.2
    with ThreadPoolExecutor(max_workers=128) as pool:
        for i, path in enumerate(plan):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fetch, path, due)
    return {
        "rate": rate, "duration": duration, "requests": total, "errors": len(errors),
        "error_samples": errors[:5], "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1), "p99_ms": round(_percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }


def _run_generator(url, paths, rate, duration) -> dict:
    """The generator in its own process, so it does not share a GIL with anything else here."""
    out = subprocess.run(
        [sys.executable, __file__, "--generate", "--url", url, "--rate", str(rate), "--duration", str(duration),
         "--paths", json.dumps(paths)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


class _Editor(threading.Thread):
    """Simulates organizations editing their profiles: one change-log row every `every` seconds
    for a random organization, as the web app writes on each save."""

    def __init__(self, db: Path, every: float):
        super().__init__(daemon=True)
        self.db, self.every, self.done, self.count = db, every, threading.Event(), 0
        self.start()

    def run(self):
        import sqlite3

        conn = sqlite3.connect(self.db, timeout=30)
        ids = [row[0] for row in conn.execute("SELECT id FROM organization")]
        rng = random.Random(1)
        while not self.done.wait(self.every):
            # As webapp.services.changes.record does: the version comes from the counter row,
            # taken in the same transaction as the entry.
            conn.execute("BEGIN IMMEDIATE")
            (version,) = conn.execute("UPDATE changelogversion SET version = version + 1 WHERE id = 1 "
                                      "RETURNING version").fetchone()
            conn.execute("INSERT INTO indexchange (version, entity, entity_id, created_at) VALUES (?, 'organization', ?, "
                         "strftime('%Y-%m-%d %H:%M:%f', 'now'))", (version, rng.choice(ids)))
            conn.commit()
            self.count += 1
        conn.close()

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench/out/web.sqlite3")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--search-max", action="store_true")
    parser.add_argument("--step-duration", type=float, default=20)
    parser.add_argument("--p95-limit", type=float, default=150)
    parser.add_argument("--edit-every", type=float, default=0,
                        help="seconds between simulated profile edits (each moves the index version, so "
                             "every worker replays it and recomputes the suggestions it serves); 0 = none")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--paths", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print(json.dumps(generate(args.url, json.loads(args.paths), args.rate, args.duration)))
        return

    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        try:
            with kyodo_server(f"sqlite:///{Path(args.db).resolve()}", workers=args.workers, output=log,
                              wait_seconds=120) as url:
                print(f"server ready in {time.perf_counter() - started:.1f} s ({args.workers} workers)",
                      flush=True)
                _measure(url, args)
        except ServerDidNotStart as error:
            log.seek(0)
            sys.exit(f"{error}\n{log.read().decode(errors='replace')}")


def _measure(url: str, args) -> None:
    listing = json.load(urllib.request.urlopen(url + "/api/v1/issues?per_page=100"))
    paths = [f"/issues/{item['id']}" for item in listing["items"]]
    _run_generator(url, paths, 10, 3)  # warm every worker's connections and templates
    editor = _Editor(Path(args.db), args.edit_every) if args.edit_every else None
    result = _run_generator(url, paths, args.rate, args.duration)
    if editor:
        result["edits"] = editor.stop()
    print(json.dumps({"fixed_rate": result}, ensure_ascii=False), flush=True)
    if args.search_max:
        best = None
        for rate in (50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1200):
            step = _run_generator(url, paths, rate, args.step_duration)
            print(json.dumps({"step": step}), flush=True)
            if step["errors"] or step["p95_ms"] > args.p95_limit:
                break
            best = rate
        print(json.dumps({"highest_rate_within_p95_limit": best, "p95_limit_ms": args.p95_limit}), flush=True)


if __name__ == "__main__":
    main()
