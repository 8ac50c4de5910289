"""Backups taken while writes arrive: are acknowledged writes ever missing after a restore?

A writer commits one audit-log row every 1/RATE s into the demo database (a commit that returned
is an acknowledged write). Meanwhile `kyodo backup` runs every SECONDS/BACKUPS s and once more after
the writer stops; on SQLite a plain copy of the database file (what `cp` does) is taken at the
same moments. Every backup is restored with `kyodo restore` into a new database and every row
acknowledged before that backup started is looked for.

    .venv/bin/python bench/backup_under_writes.py --backend sqlite
    .venv/bin/python bench/backup_under_writes.py --backend postgresql  # 127.0.0.1:5432, scratch db
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KYODO = str(Path(sys.executable).with_name("kyodo"))
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def kyodo(*args: str, url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "KYODO_ENV": "development"}
    result = subprocess.run([KYODO, *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"kyodo {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result.stdout


class Databases:
    def __init__(self, backend: str, work: Path):
        self.backend, self.work, self.made = backend, work, []
        self.admin = sa.create_engine(POSTGRES + "test", isolation_level="AUTOCOMMIT") if backend == "postgresql" else None

    def new(self) -> str:
        if self.admin is None:
            return f"sqlite:///{self.work / f'{uuid.uuid4().hex[:8]}.sqlite3'}"
        name = f"kyodo_bench_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return POSTGRES + name

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as connection:
                for name in self.made:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.admin.dispose()


def writer(url: str, rate: float, stop: threading.Event, acknowledged: list[tuple[float, int]]) -> None:
    from sqlmodel import Session

    from webapp.db import create_engine_for
    from webapp.models import AuditEntry

    engine = create_engine_for(url)
    n, next_at = 0, time.monotonic()
    while not stop.is_set():
        n += 1
        with Session(engine) as session:
            session.add(AuditEntry(entity="organization", entity_id=n, action="update", summary="bench write"))
            session.commit()
        acknowledged.append((time.monotonic(), n))
        next_at += 1 / rate
        time.sleep(max(0.0, next_at - time.monotonic()))
    engine.dispose()


def written(url: str) -> set[int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(sa.text(
                "SELECT entity_id FROM auditentry WHERE summary = 'bench write'")).scalars())
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=20, help="writes per second")
    parser.add_argument("--backups", type=int, default=6, help="backups while the writer runs")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kyodo-bench-backup-") as tmp:
        work = Path(tmp)
        databases = Databases(args.backend, work)
        try:
            source = databases.new()
            kyodo("init-db", url=source)
            kyodo("seed", "--demo", url=source)
            stop, acknowledged = threading.Event(), []
            thread = threading.Thread(target=writer, args=(source, args.rate, stop, acknowledged))
            thread.start()
            taken = []  # (started, backup path, copied file or None, seconds)
            try:
                for i in range(args.backups):
                    time.sleep(args.seconds / args.backups)
                    started = time.monotonic()
                    copy = None
                    if args.backend == "sqlite":
                        copy = work / f"cp-{i}.sqlite3"
                        # `cp` in its own process, as an operator would run it: a copy made inside the
                        # writer's process would close the writer's POSIX locks on the file (SQLite's
                        # documented hazard) and let another connection delete the live -wal.
                        subprocess.run(["cp", sa.engine.make_url(source).database, str(copy)], check=True)
                    path = work / f"backup-{i}.kyodo"
                    kyodo("backup", str(path), url=source)
                    taken.append((started, path, copy, time.monotonic() - started))
            finally:
                stop.set()
                thread.join()
            started = time.monotonic()
            kyodo("backup", str(work / "final.kyodo"), url=source)
            taken.append((started, work / "final.kyodo", None, time.monotonic() - started))

            missing_backup = missing_copy = checked = checked_copy = 0
            for started, path, copy, seconds in taken:
                expected = {n for at, n in acknowledged if at < started}
                target = databases.new()
                kyodo("restore", str(path), url=target)
                gone = expected - written(target)
                missing = len(gone)
                if gone:
                    print("  missing ids", min(gone), max(gone), "of", max(expected), file=sys.stderr)
                line = f"{path.name}: {seconds:.2f} s, acknowledged before it {len(expected)}, missing {missing}"
                missing_backup += missing
                checked = max(checked, len(expected))
                if copy is not None:
                    lost = len(expected - written(f"sqlite:///{copy}"))
                    missing_copy += lost
                    checked_copy += len(expected)
                    line += f"; plain file copy missing {lost}"
                print(line)
            print(f"{args.backend}: {len(acknowledged)} writes at {args.rate:g}/s, {len(taken)} backups; "
                  f"missing after restore: {missing_backup} (of {checked} in the final backup)")
            if args.backend == "sqlite":
                print(f"plain copies of the database file: {missing_copy} acknowledged writes missing "
                      f"(summed over {len(taken) - 1} copies)")
        finally:
            databases.close()


if __name__ == "__main__":
    main()
