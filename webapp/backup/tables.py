"""Per-table row counts and row digests, read inside the caller's transaction, so that a backup's
manifest and a restored database can be compared table by table."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from .errors import BackupError

_BATCH = 2000


@dataclass(frozen=True)
class TableSummary:
    rows: int
    sha256: str


def summarize(connection: sa.Connection) -> dict[str, TableSummary]:
    """Every table of the connection's schema: its row count and the SHA-256 of its rows in primary
    key order (the same backend gives the same digest for the same rows)."""
    inspector = sa.inspect(connection)
    preparer = connection.dialect.identifier_preparer
    summaries = {}
    for table in sorted(inspector.get_table_names()):
        columns = [column["name"] for column in inspector.get_columns(table)]
        order = inspector.get_pk_constraint(table).get("constrained_columns") or columns
        query = sa.text(
            f"SELECT {', '.join(preparer.quote(c) for c in columns)} FROM {preparer.quote(table)} "
            f"ORDER BY {', '.join(preparer.quote(c) for c in order)}")
        digest, rows = hashlib.sha256(), 0
        result = connection.execution_options(stream_results=True, yield_per=_BATCH).execute(query)
        for partition in result.partitions():
            for row in partition:
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
                rows += 1
        summaries[table] = TableSummary(rows, digest.hexdigest())
    return summaries


def rows_held(connection: sa.Connection) -> int:
    """Rows in the schema's tables other than Alembic's version stamp (0: safe to replace)."""
    preparer = connection.dialect.identifier_preparer
    total = 0
    for table in sa.inspect(connection).get_table_names():
        if table != "alembic_version":
            total += connection.execute(sa.text(f"SELECT count(*) FROM {preparer.quote(table)}")).scalar_one()
    return total


def revision(connection: sa.Connection) -> str | None:
    """The Alembic revision the schema is at (None before `kyodo init-db`)."""
    if "alembic_version" not in sa.inspect(connection).get_table_names():
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def compare(expected: dict[str, TableSummary], actual: dict[str, TableSummary], *, what: str) -> None:
    """Raise BackupError naming every table whose rows differ between the manifest and ``what``."""
    differing = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want != got:
            differing.append(f"{table} ({want.rows if want else '-'} → {got.rows if got else '-'} rows)")
    if differing:
        raise BackupError(
            f"{what}の内容が目録と一致しません (rows differ from the manifest): " + ", ".join(differing))
