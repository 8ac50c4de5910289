"""Locks for decisions that read several rows and must not interleave with another request's.

A rule spanning rows (every party signed → in force; capacity not exceeded; an invitation
answered once) holds under concurrency only if what the decision reads cannot change before its
transaction commits. Each helper here takes the lock, then makes the session forget what it had
loaded, so the decision reads rows as they are once the lock is ours.

- PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` on the row (others wait; foreign keys still work),
  ``pg_advisory_xact_lock`` for something that is not a row yet (an import token).
- SQLite has only one writer at a time: ``BEGIN IMMEDIATE`` takes the database's write lock at
  once, so the reads that follow already see every committed write and no other writer can come
  in between (a deferred transaction that reads first and writes later can fail instead)."""
from __future__ import annotations

import hashlib
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

M = TypeVar("M", bound=SQLModel)


def _on_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _sqlite_write_lock(session: Session) -> None:
    connection = session.connection()
    raw = connection.connection.dbapi_connection
    # Python's sqlite3 opens a transaction only before the first write; if one is open, this
    # connection already holds the write lock, and every read since then was consistent.
    if not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _forget_loaded_rows(session: Session) -> None:
    session.flush()
    session.expire_all()


def hold(session: Session, model: type[M], ident) -> M | None:
    """Lock the row ``model`` with primary key ``ident`` until the transaction ends and return it
    as stored now (None if it does not exist)."""
    if _on_sqlite(session):
        _sqlite_write_lock(session)
        _forget_loaded_rows(session)
        return session.get(model, ident, populate_existing=True)
    _forget_loaded_rows(session)
    return session.get(model, ident, populate_existing=True, with_for_update={"key_share": True})


def hold_key(session: Session, key: str) -> None:
    """Lock a name (not a row) until the transaction ends: one holder at a time per key."""
    if _on_sqlite(session):
        _sqlite_write_lock(session)
    else:
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})
    _forget_loaded_rows(session)
