"""SQLite: copied page by page through SQLite's online backup API, which reads one consistent
snapshot (WAL included) while other connections keep writing; copying the file alone misses
whatever is still in ``-wal``."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

from . import tables
from .errors import BackupError
from .snapshot import Snapshot


def _path(database_url: str) -> Path:
    database = sa.engine.make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("メモリ上の SQLite はバックアップできません (an in-memory database has no backup).")
    return Path(database)


def _summaries(path: Path) -> tuple[str | None, dict[str, tables.TableSummary]]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return tables.revision(connection), tables.summarize(connection)
    finally:
        engine.dispose()


def dump(database_url: str, payload: Path) -> Snapshot:
    source_path = _path(database_url)
    if not source_path.is_file():
        raise BackupError(f"{source_path} がありません (no such database file).")
    try:
        with closing(sqlite3.connect(source_path, timeout=30)) as source, closing(sqlite3.connect(payload)) as copy:
            source.backup(copy)  # all pages in one step: one read transaction, one snapshot
            # One self-contained file: no -wal beside the backup.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"{source_path} を読めません (cannot read the SQLite database: {error}).") from None
    revision, summaries = _summaries(payload)
    return Snapshot(alembic_revision=revision, schema=None, tables=summaries)


def check_payload(payload: Path, expected: dict[str, tables.TableSummary]) -> None:
    with closing(sqlite3.connect(payload.resolve().as_uri() + "?mode=ro", uri=True)) as connection:
        try:
            result = connection.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"バックアップのデータベースが壊れています (corrupt SQLite payload: {error}).") from None
    if result != [("ok",)]:
        raise BackupError(f"バックアップのデータベースが壊れています (integrity check: {result[:3]}).")
    tables.compare(expected, _summaries(payload)[1], what="バックアップ")


def rows_held(database_url: str) -> int:
    path = _path(database_url)
    if not path.exists():
        return 0
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return tables.rows_held(connection)
    finally:
        engine.dispose()


def load(payload: Path, database_url: str, manifest) -> None:
    target = _path(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The backup API replaces every page of the target in one transaction, -wal included.
    try:
        with closing(sqlite3.connect(payload)) as source, closing(sqlite3.connect(target, timeout=30)) as destination:
            source.backup(destination)
    except sqlite3.Error as error:
        raise BackupError(f"{target} に書き込めません (cannot write the SQLite database: {error}).") from None


def check_restored(database_url: str, expected: dict[str, tables.TableSummary]) -> None:
    tables.compare(expected, _summaries(_path(database_url))[1], what="復元したデータベース")
