"""Alembic environment: the URL comes from the caller (webapp.migrate) or DATABASE_URL."""
from __future__ import annotations

import os

from alembic import context
from sqlmodel import SQLModel

import webapp.models  # noqa: F401  (registers the tables on the metadata)
from webapp.config import normalize_database_url
from webapp.db import create_engine_for

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("DATABASE_URL is not set")
    return normalize_database_url(url)


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine_for(_url())
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by dropping it; with foreign keys on, that drop would
            # cascade into the rows that point at it (memberships of a rebuilt organization table).
            # The pragma only takes effect outside a transaction, hence before alembic begins one.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # leaves no transaction open, so alembic's own one commits
        # SQLite cannot ALTER most things; batch mode rebuilds tables and keeps their rows.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
