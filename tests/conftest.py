"""Shared fixtures: a fresh, migrated and seeded database per test (SQLite file, or a PostgreSQL
schema when TEST_DATABASE_URL is set), the app, a client and helpers that go through real forms."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.webclient import ServerDidNotStart, kyodo_server

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
USING_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql"))


def _schema_url(base_url: str, schema: str) -> str:
    from webapp.config import normalize_database_url

    separator = "&" if "?" in base_url else "?"
    return normalize_database_url(base_url) + f"{separator}options=" + quote(f"-csearch_path={schema}")


class PostgresSchemas:
    """One schema per database a test asks for, so runs never see each other's rows."""

    def __init__(self, base_url: str):
        from webapp.config import normalize_database_url

        self.base_url = normalize_database_url(base_url)
        self.engine = sa.create_engine(self.base_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self._template_sql: str | None = None
        self._libpq_url = sa.engine.make_url(self.base_url).set(drivername="postgresql").render_as_string(
            hide_password=False)

    def _named(self, prefix: str = "kyodo_test") -> str:
        schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.created.append(schema)  # dropped at the end of the run, whatever happens to it
        return schema

    def new(self) -> str:
        schema = self._named()
        with self.engine.connect() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        return schema

    def migrated(self) -> str:
        """A new schema holding what `_migrate_and_seed` gives, written from a dump of a template
        schema migrated once per run: migrating every test's schema took about 0.5 s each."""
        import psycopg

        if self._template_sql is None:
            self._template_sql = self._dump_template()
        schema = self._named()
        # Its own connection: the dump empties search_path for the session, and SQL sent without
        # parameters is not scanned for placeholders (the dump holds '%' in LIKE patterns).
        with psycopg.connect(self._libpq_url, autocommit=True) as connection:
            connection.execute(self._template_sql.replace(self._template, schema))
        return schema

    def _dump_template(self) -> str:
        self._template = self._named("kyodo_template")
        with self.engine.connect() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{self._template}"'))
        _migrate_and_seed(_schema_url(self.base_url, self._template))
        done = subprocess.run(
            ["pg_dump", f"--schema={self._template}", "--no-owner", "--no-privileges", "--inserts",
             f"--dbname={self._libpq_url}"],
            capture_output=True, text=True)
        if done.returncode != 0:
            pytest.exit(f"pg_dump of the template schema failed: {done.stderr.strip()}", returncode=3)
        dump = done.stdout
        # Plain dumps may carry psql meta-commands (\restrict); the server only takes SQL.
        return "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))

    def drop(self, schema: str) -> None:
        with self.engine.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    def close(self) -> None:
        for schema in self.created:
            self.drop(schema)
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresSchemas | None]:
    if not USING_POSTGRES:
        yield None
        return
    schemas = PostgresSchemas(TEST_DATABASE_URL)
    try:
        with schemas.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}", returncode=3)
    yield schemas
    schemas.close()


@pytest.fixture
def empty_database_url(tmp_path, postgres) -> Iterator[str]:
    """A database with nothing in it (not even migrations)."""
    if postgres is None:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    schema = postgres.new()
    yield _schema_url(TEST_DATABASE_URL, schema)
    postgres.drop(schema)


def _migrate_and_seed(url: str) -> None:
    from webapp.cities import resolve_city
    from webapp.config import DEFAULT_CITY
    from webapp.db import create_engine_for, session_scope
    from webapp.migrate import upgrade
    from webapp.services import seeding

    upgrade(url)
    engine = create_engine_for(url)
    with session_scope(engine) as session:
        seeding.load_themes(session)
        seeding.load_city(session, city=resolve_city(DEFAULT_CITY))
    engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "kyodo.sqlite3"
    _migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path, postgres, request) -> Iterator[str]:
    """A migrated database holding the towns of 東久留米市 and the 20 themes, private to the test."""
    if postgres is None:
        path = tmp_path / "kyodo.sqlite3"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    schema = postgres.migrated()
    url = _schema_url(TEST_DATABASE_URL, schema)
    yield url
    postgres.drop(schema)


def app_config(database_url: str, **overrides) -> dict:
    config = {
        "KYODO_ENV": "testing",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "KYODO_CITY": "東久留米市",
        "KYODO_PASSWORD_HASH": "fast",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }
    config.update(overrides)
    return config



@pytest.fixture
def make_app(database_url):
    """Build apps on the test database with config overrides; their engines are disposed after."""
    from webapp import create_app
    from webapp.db import get_engine

    built = []

    def make(**overrides):
        built.append(create_app(app_config(database_url, **overrides)))
        return built[-1]

    yield make
    for app in built:
        get_engine(app).dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session on the test database, for arranging data and checking what was stored."""
    from sqlmodel import Session

    from webapp.db import get_engine

    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def factory(db):
    from tests.factories import Factory

    return Factory(db)


@pytest.fixture
def mailbox():
    """A local SMTP server (aiosmtpd) collecting the mail the app sends."""
    from tests.mailbox import Mailbox

    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def mail_app(make_app, mailbox):
    """The app, sending its mail to ``mailbox``."""
    return make_app(**mailbox.config)


@pytest.fixture
def live_server(database_url, tmp_path, mailbox):
    """`kyodo serve` (gunicorn, two workers, production settings) on the test database, sending
    mail to the ``mailbox`` fixture."""
    env = {"KYODO_INSTANCE_PATH": str(tmp_path), "KYODO_LOGIN_LIMIT": "100 per minute",
           "KYODO_LOGIN_ACCOUNT_LIMIT": "100 per minute", "KYODO_ACCOUNT_MAIL_LIMIT": "100 per minute",
           "KYODO_ACCOUNT_MAIL_ADDRESS_LIMIT": "100 per minute", **mailbox.env}
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        try:
            with kyodo_server(database_url, workers=2, env=env, output=log) as url:
                yield url
        except ServerDidNotStart as error:
            pytest.fail(f"{error}\n{log_path.read_text()}")


@pytest.fixture
def auth(client):
    from tests.webclient import AuthActions

    return AuthActions(client)
