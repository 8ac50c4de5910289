"""Load test of the issue pages (with suggestions) against gunicorn, at a constant arrival rate.

    .venv/bin/python bench/web_data.py --orgs 5000 --out bench/out/web.sqlite3
    .venv/bin/python bench/web_load.py --db bench/out/web.sqlite3 --rate 50 --duration 60 --search-max
    # PostgreSQL, 4 workers, an organization's profile edited every second, this checkout against main's:
    .venv/bin/python bench/web_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kyodo_bench \
        --workers 4 --edit-every 1 --compare /work/main/.venv/bin/kyodo
    # mixed: 10 % of requests are profile edits posted by logged-in owners; highest rate under 100 ms
    .venv/bin/python bench/web_load.py --database-url ... --workers 4 --writes 0.1 --search-max --p95-limit 100

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


WINDOW_S = 10  # seconds per window of the p95 over time
WARM_RATE = 20  # requests/s while warming up
GIVE_UP_S = 30  # a request still queued this long after its due time is an error, not sent


def _percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def generate(url: str, paths: list[str], rate: float, duration: float, seed: int = 0,
             writers: list[dict] = (), write_share: float = 0.0) -> dict:
    """Open-loop load; returns latencies (ms from due time) and error count. With ``writers``, a
    ``write_share`` of the requests are profile edits, each posted by a logged-in owner."""
    host, port = url.removeprefix("http://").split(":")
    local = threading.local()
    rng = random.Random(seed)
    total = int(rate * duration)
    plan = [None if writers and rng.random() < write_share else rng.choice(paths) for _ in range(total)]
    free = _log_in(url, writers) if writers else None
    write_latencies: list[float] = []
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    by_window: dict[int, list[float]] = {}  # latencies of the requests due in each WINDOW_S seconds
    start = time.perf_counter() + 0.2

    def fetch(path: str | None, due: float) -> None:
        if time.perf_counter() - due > GIVE_UP_S:  # the queue is hopeless: count it, do not send it
            with lock:
                latencies.append((time.perf_counter() - due) * 1000)
                errors.append("queued too long")
            return
        if path is None:
            return write(due)
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
            by_window.setdefault(int((due - start) // WINDOW_S), []).append(elapsed)
            if not ok:
                errors.append(str(getattr(response, "status", response)))

    def write(due: float) -> None:
        browser, org_id, form, token = free.get()
        try:
            form = {**form, "description": rng.choice(form["variants"])}
            data = {k: v for k, v in form.items() if k != "variants"}
            status, _ = browser.request(f"/orgs/{org_id}/edit", {"csrf_token": token, **data})
            ok = status == 302
        except OSError as error:
            ok, status = False, error
        finally:
            free.put((browser, org_id, form, token))
        elapsed = (time.perf_counter() - due) * 1000
        with lock:
            latencies.append(elapsed)
            write_latencies.append(elapsed)
            if not ok:
                errors.append(f"write {status}")

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
        # Where in the run the slow requests were (a start-up queue, or spread over the run).
        "p95_ms_by_window": [round(_percentile(by_window[w], 0.95), 1) for w in sorted(by_window)],
        **({"writes": len(write_latencies), "write_p95_ms": round(_percentile(write_latencies, 0.95), 1)}
           if writers else {}),
    }


def _log_in(url: str, writers: list[dict]):
    """One logged-in browser per owner, each with its CSRF token, in a queue of free ones."""
    import queue

    from tests.webclient import Browser

    free = queue.Queue()
    for writer in writers:
        browser = Browser(url).login(writer["email"])
        free.put((browser, writer["org_id"], writer["form"], browser.token(f"/orgs/{writer['org_id']}/edit")))
    return free


def _run_generator(url, paths, rate, duration, writers=(), write_share=0.0) -> dict:
    """The generator in its own process, so it does not share a GIL with anything else here."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as spec:
        json.dump({"paths": paths, "writers": list(writers), "write_share": write_share}, spec)
        spec.flush()
        out = subprocess.run(
            [sys.executable, __file__, "--generate", "--url", url, "--rate", str(rate), "--duration",
             str(duration), "--paths", spec.name],
            capture_output=True, text=True, check=True,
        )
    result = json.loads(out.stdout)
    result["load_average"] = _load_average()
    return result


def _server_cpu(url: str) -> float:
    """CPU seconds used so far by the processes of the server listening on ``url``'s port."""
    import os

    marker = f"serve\0--port\0{url.rsplit(':', 1)[1]}\0".encode()
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker not in f.read():
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _load_average() -> str:
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class _Editor(threading.Thread):
    """Simulates organizations editing their profiles: every `every` seconds a random organization's
    description changes, with its change-log entry (the version from the counter row, in the same
    transaction), as the web app writes on each save."""

    def __init__(self, database_url: str, every: float):
        super().__init__(daemon=True)
        self.database_url, self.every, self.done, self.count = database_url, every, threading.Event(), 0
        self.start()

    def run(self):
        import sqlalchemy as sa

        engine = sa.create_engine(_sqlalchemy_url(self.database_url))
        with engine.connect() as conn:
            ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM organization WHERE status = 'active'"))]
        rng = random.Random(1)
        while not self.done.wait(self.every):
            org_id = rng.choice(ids)
            with engine.begin() as conn:
                (version,) = conn.execute(sa.text(
                    "UPDATE changelogversion SET version = version + 1 WHERE id = 1 RETURNING version")).one()
                conn.execute(sa.text("UPDATE organization SET description = description || :more WHERE id = :id"),
                             {"more": rng.choice(EDITS), "id": org_id})
                conn.execute(sa.text("INSERT INTO indexchange (version, entity, entity_id, created_at) "
                                     "VALUES (:v, 'organization', :id, CURRENT_TIMESTAMP)"), {"v": version, "id": org_id})
            self.count += 1
        engine.dispose()

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.count


EDITS = ("毎月の定例会を開いています。", "新しい会員を募集しています。", "夏休みの催しを準備中です。")


def _sqlalchemy_url(url: str) -> str:
    from webapp.config import normalize_database_url

    return normalize_database_url(url)


def _writers(database_url: str, count: int) -> list[dict]:
    """`count` owners (made once, password tests.factories.DEFAULT_PASSWORD) of random organizations,
    each with its profile form as the edit page fills it in."""
    from sqlmodel import select

    from tests.factories import Factory
    from webapp.db import create_engine_for, session_scope
    from webapp.models import MemberRole, Membership, Organization, OrgStatus, User
    from webapp.services import organizations as org_service

    engine = create_engine_for(database_url)
    out = []
    with session_scope(engine) as session:
        org_ids = sorted(session.exec(select(Organization.id).where(Organization.status == OrgStatus.ACTIVE)))
        rng = random.Random(2)
        for n in range(count):
            email = f"bench-owner{n}@example.jp"
            user = session.exec(select(User).where(User.email == email)).first()
            if user is None:
                user = Factory(session).user(email=email)
                org_id = rng.choice(org_ids)
                org_service.add_member(session, org_id=org_id, user=user, role=MemberRole.OWNER)
            else:
                org_id = session.exec(select(Membership.organization_id).where(Membership.user_id == user.id)).first()
            data = org_service.profile_form_data(session, org_id=org_id)
            form = {key: value for key, value in data.model_dump().items()
                    if key not in ("area_ids", "theme_ids") and value is not None}
            form.update(kind=data.kind.value, category=data.category.value, areas=data.area_ids,
                        themes=data.theme_ids, variants=[data.description + e for e in ("",) + EDITS])
            out.append({"email": email, "org_id": org_id, "form": form})
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench/out/web.sqlite3")
    parser.add_argument("--database-url", help="instead of --db, e.g. postgresql+psycopg://...")
    parser.add_argument("--compare", metavar="KYODO",
                        help="another checkout's `kyodo` entry point, measured the same way just before this one")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="server setting, e.g. KYODO_REDIS_URL=redis://127.0.0.1:6379/0")
    parser.add_argument("--writes", type=float, default=0.0,
                        help="share of requests that are profile edits by logged-in owners (mixed load)")
    parser.add_argument("--writers", type=int, default=8)
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
        spec = json.loads(Path(args.paths).read_text())
        print(json.dumps(generate(args.url, spec["paths"], args.rate, args.duration,
                                  writers=spec["writers"], write_share=spec["write_share"])))
        return

    args.database_url = args.database_url or f"sqlite:///{Path(args.db).resolve()}"
    args.writer_list = _writers(args.database_url, args.writers) if args.writes else []
    env = dict(item.split("=", 1) for item in args.env)
    for label, kyodo in ([("compared", args.compare)] if args.compare else []) + [("this checkout", None)]:
        started = time.perf_counter()
        with tempfile.TemporaryFile() as log:
            try:
                with kyodo_server(args.database_url, workers=args.workers, output=log, wait_seconds=180,
                                  kyodo=kyodo, env=env) as url:
                    print(f"{label}: server ready in {time.perf_counter() - started:.1f} s ({args.workers} workers, "
                          f"{kyodo or 'kyodo'}), load average {_load_average()}", flush=True)
                    _measure(url, args, label)
            except ServerDidNotStart as error:
                log.seek(0)
                sys.exit(f"{error}\n{log.read().decode(errors='replace')}")


def _measure(url: str, args, label: str) -> None:
    listing = json.load(urllib.request.urlopen(url + "/api/v1/issues?per_page=100"))
    paths = [f"/issues/{item['id']}" for item in listing["items"]]
    if args.writes:  # mixed load reads organization pages too
        paths += [f"/orgs/{w['org_id']}" for w in args.writer_list] + ["/", "/issues/", "/orgs/"]
    writers, share = args.writer_list, args.writes
    # Warm every worker's connections, templates and kept suggestions: each page about 8 times
    # over the workers, so that the figures below are the steady state (the warm-up's own are
    # printed: a restart under load costs that).
    warm = _run_generator(url, paths, WARM_RATE, max(3.0, 8 * len(paths) / WARM_RATE))
    print(json.dumps({label: {"warm_up": warm}}, ensure_ascii=False), flush=True)
    editor = _Editor(args.database_url, args.edit_every) if args.edit_every else None
    cpu = _server_cpu(url)
    result = _run_generator(url, paths, args.rate, args.duration, writers, share)
    # CPU seconds of the server (master and workers) during the run: steadier than latencies on
    # a shared machine, and what edits cost the workers (compare with --edit-every 0).
    result["server_cpu_s"] = round(_server_cpu(url) - cpu, 1)
    if editor:
        result["edits"] = editor.stop()
    print(json.dumps({label: {"fixed_rate": result}}, ensure_ascii=False), flush=True)
    if args.search_max:
        best = None
        for rate in (20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 300, 400, 500):
            step = _run_generator(url, paths, rate, args.step_duration, writers, share)
            print(json.dumps({label: {"step": step}}), flush=True)
            if step["errors"] or step["p95_ms"] > args.p95_limit:
                break
            best = rate
        print(json.dumps({label: {"highest_rate_within_p95_limit": best, "p95_limit_ms": args.p95_limit}}),
              flush=True)


if __name__ == "__main__":
    main()
