"""PostgreSQL: pg_dump -Fc of kyodo's schema in a snapshot exported by a transaction that also
counts and digests every table (so the manifest describes exactly what was dumped), and
pg_restore in one transaction."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa

from . import tables
from .errors import BackupError
from .snapshot import Snapshot


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore and an environment carrying the password (not argv)."""
    url = sa.engine.make_url(database_url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} が見つかりません。PostgreSQL のクライアント (postgresql-client) を入れてください "
            f"({name} not found; install the PostgreSQL client tools).")
    return found


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what}に失敗しました ({what} failed): {result.stderr.strip()[-2000:]}")
    return result.stdout


def _engine(database_url: str) -> sa.Engine:
    from ..db import create_engine_for

    return create_engine_for(database_url)


def _schema(connection: sa.Connection) -> str:
    schema = connection.execute(sa.text("SELECT current_schema()")).scalar()
    if schema is None:
        raise BackupError(
            "search_path のスキーマがデータベースにありません (the schema in search_path does not exist).")
    return schema


def dump(database_url: str, payload: Path) -> Snapshot:
    pg_dump = _tool("pg_dump")
    uri, env = _libpq(database_url)
    engine = _engine(database_url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                # The transaction's snapshot is what pg_dump reads too, for as long as it stays open.
                snapshot_id = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
                schema = _schema(connection)
                summaries = tables.summarize(connection)
                revision = tables.revision(connection)
                _run([pg_dump, "--format=custom", f"--snapshot={snapshot_id}", f"--schema={schema}",
                      "--no-owner", "--no-privileges", f"--file={payload}", f"--dbname={uri}"],
                     env, "pg_dump")
    except sa.exc.OperationalError as error:
        raise BackupError(f"データベースに接続できません (cannot connect): {error.orig}") from None
    finally:
        engine.dispose()
    return Snapshot(alembic_revision=revision, schema=schema, tables=summaries)


def _table_of_contents(payload: Path) -> list[str]:
    return _run([_tool("pg_restore"), "--list", str(payload)], dict(os.environ), "pg_restore --list").splitlines()


def check_payload(payload: Path, expected: dict[str, tables.TableSummary]) -> None:
    contents = _table_of_contents(payload)
    # Entries read "<id>; <oid> <oid> TABLE DATA <schema> <table> <owner>".
    with_data = set()
    for line in contents:
        words = line.split()
        if " TABLE DATA " in line and len(words) > words.index("DATA") + 2:
            with_data.add(words[words.index("DATA") + 2])
    missing = sorted(set(expected) - with_data)
    if missing:
        raise BackupError(f"バックアップに表がありません (tables missing from the dump): {', '.join(missing)}")


def rows_held(database_url: str) -> int:
    engine = _engine(database_url)
    try:
        with engine.connect() as connection:
            return tables.rows_held(connection)
    except sa.exc.OperationalError as error:
        raise BackupError(f"データベースに接続できません (cannot connect): {error.orig}") from None
    finally:
        engine.dispose()


def load(payload: Path, database_url: str, manifest) -> None:
    pg_restore = _tool("pg_restore")
    uri, env = _libpq(database_url)
    engine = _engine(database_url)
    try:
        with engine.begin() as connection:
            schema = _schema(connection)
            if schema != manifest.schema:
                raise BackupError(
                    f"このバックアップはスキーマ {manifest.schema} のものです。復元先は {schema} です "
                    f"(the backup holds schema {manifest.schema}; the target's search_path is {schema}).")
            # Checked empty (or --force): kyodo's tables go, the backup's come back in their place.
            preparer = connection.dialect.identifier_preparer
            for table in sa.inspect(connection).get_table_names():
                connection.execute(sa.text(f"DROP TABLE {preparer.quote(schema)}.{preparer.quote(table)} CASCADE"))
    finally:
        engine.dispose()
    # The schema exists already: restore everything but its CREATE SCHEMA.
    listing = payload.with_suffix(".list")
    listing.write_text("\n".join(line for line in _table_of_contents(payload) if " SCHEMA - " not in line) + "\n")
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--use-list={listing}", f"--dbname={uri}", str(payload)], env, "pg_restore")


def check_restored(database_url: str, expected: dict[str, tables.TableSummary]) -> None:
    engine = _engine(database_url)
    try:
        with engine.connect() as connection:
            tables.compare(expected, tables.summarize(connection), what="復元したデータベース")
    finally:
        engine.dispose()
