"""The engine (one per app) and the session (one per request)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlmodel import Session

_ENGINE_KEY = "kyodo.engine"


def create_engine_for(url: str, **kwargs) -> sa.Engine:
    """An engine with the per-backend settings kyodo relies on (SQLite: foreign keys, WAL)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Several gunicorn workers share the file: let readers proceed during writes.
            if url not in ("sqlite://", "sqlite:///:memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def init_app(app: Flask) -> None:
    app.extensions[_ENGINE_KEY] = create_engine_for(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> sa.Engine:
    return (app or current_app).extensions[_ENGINE_KEY]


def get_session() -> Session:
    """The request's session; the view (or CLI command) commits once, errors roll back."""
    if "db_session" not in g:
        from . import delivery
        from .services.mail import MailSettings

        engine = get_engine()
        g.db_session = delivery.attach(
            Session(engine, expire_on_commit=False), engine, MailSettings.from_config(current_app.config)
        )
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()  # anything not committed by now is abandoned on purpose
        session.close()


@contextmanager
def session_scope(engine: sa.Engine) -> Iterator[Session]:
    """A session outside a request: commits on success, rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
