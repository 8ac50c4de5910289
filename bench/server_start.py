"""Restart time: seconds from starting `kyodo serve` until it answers, and its first issue page.

    .venv/bin/python bench/server_start.py                      # the demo data (SQLite, made here)
    .venv/bin/python bench/server_start.py --db bench/out/web.sqlite3   # e.g. bench/web_data.py --orgs 5000

`kyodo serve` fits the matching and search indexes and the newest issues' suggestions before it
forks its workers (so nobody waits for a fit); the port opens only after that, so the time to the
first answer is the restart time a reverse proxy sees. Runs --runs times and prints each:
first without index snapshots (KYODO_INDEX_DIR empty: every start fits), then from the snapshots
that `kyodo build-index` writes (issue 14: the start loads them and replays newer changes).
Next to the wall time it prints the CPU seconds the server's processes (gunicorn's master and
workers) had used when it first answered: on a shared, loaded machine the wall time mostly
measures the other processes, the CPU time much less so. `--kyodo` runs another checkout's
entry point on the same database (e.g. main's, to compare).
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
    parser.add_argument("--skip-build", action="store_true",
                        help="with --index-dir: the snapshots there are current, run no build-index")
    parser.add_argument("--server-log", type=Path, help="append the servers' output to this file")
    parser.add_argument("--kyodo", help="another checkout's kyodo entry point (default: this one's)")
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
            if mode == "snapshot" and not args.skip_build:
                started = time.monotonic()
                kyodo = args.kyodo or str(Path(sys.executable).with_name("kyodo"))
                subprocess.run([kyodo, "build-index"], check=True, capture_output=True,
                               env={**os.environ, "DATABASE_URL": url_db, "KYODO_ENV": "development", **env})
                print(f"kyodo build-index: {time.monotonic() - started:.1f} s")
            for run in range(args.runs):
                started = time.monotonic()
                log = open(args.server_log, "a") if args.server_log else None  # noqa: SIM115
                with kyodo_server(url_db, workers=args.workers, env=env, wait_seconds=900,
                                  kyodo=args.kyodo, output=log) as url:
                    ready = time.monotonic() - started
                    cpu = server_cpu_seconds(int(url.rsplit(":", 1)[1]))
                    print(f"{mode} run {run + 1}: answers after {ready:.2f} s (server CPU {cpu:.2f} s, "
                          f"load average {os.getloadavg()[0]:.1f})", end="", flush=True)
                    page_started = time.monotonic()
                    with urllib.request.urlopen(url + "/issues/1", timeout=120) as response:
                        response.read()
                    page = time.monotonic() - page_started
                    pss = server_pss_mb(int(url.rsplit(":", 1)[1]))
                    print(f"; first issue page {page * 1000:.0f} ms; memory after it (PSS, master + workers) "
                          f"{pss:.0f} MB", flush=True)
                if log:
                    log.close()


def server_cpu_seconds(port: int) -> float:
    """User + system CPU seconds used so far by `kyodo serve --port <port>` and its workers."""
    stats = _processes()
    masters = _masters(stats, port)
    ticks = sum(t for pid, (_, ppid, t) in stats.items() if pid in masters or ppid in masters)
    return ticks / os.sysconf("SC_CLK_TCK")


def server_pss_mb(port: int) -> float:
    """Proportional set size of the server's processes (shared pages counted once in all), in MB."""
    stats = _processes()
    masters = _masters(stats, port)
    total_kb = 0
    for pid, (_, ppid, _) in stats.items():
        if pid in masters or ppid in masters:
            try:
                lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            except OSError:
                continue
            total_kb += sum(int(line.split()[1]) for line in lines if line.startswith("Pss:"))
    return total_kb / 1024


def _masters(stats: dict, port: int) -> set[int]:
    return {pid for pid, (cmdline, _, _) in stats.items()
            if b"serve" in cmdline and b"--port" in cmdline and str(port).encode() in cmdline}


def _processes() -> dict:
    """{pid: (command line parts, parent pid, CPU ticks)} of every process."""
    stats = {}
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError, IndexError):
            continue
        # fields after the name: state, ppid, ..., utime (12th), stime (13th)
        stats[int(proc.name) if proc.name.isdigit() else -1] = (cmdline, int(stat[1]), int(stat[11]) + int(stat[12]))
    return stats


if __name__ == "__main__":
    main()
