"""`kyodo backup`, `verify-backup` and `restore` on the test backend (SQLite, or PostgreSQL with a
real pg_dump/pg_restore when TEST_DATABASE_URL is set): complete while writes go on, every table
identical after a restore, a server on the restored database serves and accepts writes, and
damaged or misdirected backups are refused with a reason."""
from __future__ import annotations

import io
import json
import tarfile
import threading
import time
import urllib.parse
import urllib.request
import uuid

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.conftest import USING_POSTGRES
from tests.webclient import AuthActions, kyodo_server
from webapp import backup
from webapp.cli import main


@pytest.fixture
def new_database(tmp_path, postgres):
    """Make brand-new, empty databases (a SQLite path, or a uniquely named PostgreSQL database)."""
    made = []

    def make() -> str:
        if postgres is None:
            return f"sqlite:///{tmp_path / f'new-{uuid.uuid4().hex[:8]}.sqlite3'}"
        name = f"kyodo_backup_{uuid.uuid4().hex[:12]}"
        with postgres.engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return sa.engine.make_url(postgres.engine.url).set(database=name).render_as_string(hide_password=False)

    yield make
    if postgres is not None:
        with postgres.engine.connect() as connection:
            for name in made:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def demo_database(new_database):
    """A database migrated and loaded with the city, the demo data and an account with a membership."""
    from tests.factories import Factory
    from webapp.cities import resolve_city
    from webapp.db import create_engine_for, session_scope
    from webapp.migrate import upgrade
    from webapp.services import seeding

    url = new_database()
    upgrade(url)
    engine = create_engine_for(url)
    with session_scope(engine) as session:
        seeding.load_themes(session)
        seeding.load_city(session, city=resolve_city("東久留米市"))
        seeding.load_demo(session, city=resolve_city("東久留米市"))
        factory = Factory(session)
        factory.organization(owner=factory.user(email="owner@example.jp"), name="バックアップ確認の会")
    engine.dispose()
    return url


def _env(url):
    return {"DATABASE_URL": url, "KYODO_ENV": "testing", "KYODO_PASSWORD_HASH": "fast", "KYODO_CITY": "東久留米市"}


def _kyodo(args, url):
    return CliRunner().invoke(main, args, env=_env(url), catch_exceptions=False)


def _tables(url) -> dict[str, list[tuple]]:
    """Every row of every table, in primary key order, read independently of the backup code."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            inspector, rows = sa.inspect(connection), {}
            for name in inspector.get_table_names():
                order = inspector.get_pk_constraint(name)["constrained_columns"] or ["version_num"]
                rows[name] = [tuple(row) for row in connection.execute(
                    sa.text(f'SELECT * FROM "{name}" ORDER BY {", ".join(order)}'))]
            return rows
    finally:
        engine.dispose()


def _rewrite_manifest(source, target, **changes):
    with tarfile.open(source) as tar, tarfile.open(target, "w") as out:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        manifest.update(changes)
        raw = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(raw)
        out.addfile(info, io.BytesIO(raw))
        for member in tar.getmembers():
            if member.name != "manifest.json":
                out.addfile(member, tar.extractfile(member))


def test_restore_gives_identical_tables_and_a_server_that_serves_and_writes(demo_database, new_database, tmp_path):
    path = tmp_path / "kyodo.backup"
    made = _kyodo(["backup", str(path)], demo_database)
    assert made.exit_code == 0, made.output
    assert path.is_file() and not (tmp_path / "kyodo.backup.partial").exists()
    checked = _kyodo(["verify-backup", str(path)], demo_database)
    assert checked.exit_code == 0 and "OK" in checked.output

    target = new_database()
    restored = _kyodo(["restore", str(path)], target)
    assert restored.exit_code == 0, restored.output
    before, after = _tables(demo_database), _tables(target)
    assert len(before) >= 29 and set(before) == set(after)
    for table in before:
        assert after[table] == before[table], table
    assert len(after["organization"]) == 71 and after["user_account"]

    with kyodo_server(target, workers=1) as url:
        with urllib.request.urlopen(url + "/search?q=" + urllib.parse.quote("バックアップ確認の会")) as response:
            assert "バックアップ確認の会" in response.read().decode()

    # Writes go on after the restore: ids continue after the restored rows (sequences came back).
    from webapp import create_app
    from tests.conftest import app_config

    app = create_app(app_config(target))
    # The registration form answers its "check your mail" page and stores the (unconfirmed) account.
    assert AuthActions(app.test_client()).register(email="after-restore@example.jp").status_code == 200
    engine = sa.create_engine(target)
    with engine.connect() as connection:
        new_id = connection.execute(sa.text("SELECT id FROM user_account WHERE email = 'after-restore@example.jp'")).scalar()
    engine.dispose()
    from webapp.db import get_engine

    get_engine(app).dispose()
    assert new_id > max(row[0] for row in before["user_account"])


def test_writes_during_a_backup_are_all_there_up_to_its_snapshot(demo_database, new_database, tmp_path):
    """A writer commits rows as fast as it can while the backup runs: every row committed before
    the backup started is in the restored database, and the restore's own table check passes
    (the manifest and the payload describe one snapshot)."""
    from webapp.db import create_engine_for

    engine = create_engine_for(demo_database)
    acknowledged: list[tuple[float, int]] = []
    stop = threading.Event()

    def write():
        from sqlmodel import Session

        from webapp.models import AuditEntry

        n = 0
        while not stop.is_set():
            n += 1
            with Session(engine) as session:
                session.add(AuditEntry(entity="organization", entity_id=n, action="update", summary="backup race"))
                session.commit()
            acknowledged.append((time.monotonic(), n))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 20:
            assert writer.is_alive(), "the writer stopped (see its exception above)"
            time.sleep(0.01)
        started = time.monotonic()
        manifest = backup.create(demo_database, tmp_path / "during.backup")
        time.sleep(0.1)  # the writer keeps going after the snapshot too
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    target = new_database()
    backup.restore(tmp_path / "during.backup", target)
    rows = {n for (n,) in _query(target, "SELECT entity_id FROM auditentry WHERE summary = 'backup race'")}
    before_backup = {n for at, n in acknowledged if at < started}
    assert before_backup and before_backup <= rows
    assert len(rows) < len(acknowledged)  # writes after the snapshot are not in it...
    assert manifest.tables["auditentry"].rows == len(_query(target, "SELECT id FROM auditentry"))  # ...nor counted


def _query(url, sql):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql)).all()
    finally:
        engine.dispose()


def test_restore_refuses_a_database_with_rows_unless_forced(demo_database, new_database, tmp_path):
    from tests.conftest import _migrate_and_seed

    database_url = new_database()  # PostgreSQL: the backup's schema (public), not the tests' own
    _migrate_and_seed(database_url)
    path = tmp_path / "kyodo.backup"
    assert _kyodo(["backup", str(path)], demo_database).exit_code == 0
    refused = _kyodo(["restore", str(path)], database_url)  # holds the towns and themes
    assert refused.exit_code != 0
    assert "既にデータがあります" in refused.output and "--force" in refused.output
    assert _query(database_url, "SELECT count(*) FROM organization") == [(0,)]

    forced = _kyodo(["restore", "--force", str(path)], database_url)
    assert forced.exit_code == 0, forced.output
    assert _query(database_url, "SELECT count(*) FROM organization") == [(71,)]


@pytest.mark.parametrize("damage", ["truncated", "flipped byte"])
def test_a_damaged_backup_is_refused_and_the_target_untouched(damage, demo_database, database_url, tmp_path):
    path = tmp_path / "kyodo.backup"
    assert _kyodo(["backup", str(path)], demo_database).exit_code == 0
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF  # inside the payload, past the manifest
    path.write_bytes(bytes(data))
    checked = _kyodo(["verify-backup", str(path)], demo_database)
    assert checked.exit_code != 0
    assert "バックアップ" in checked.output
    refused = _kyodo(["restore", "--force", str(path)], database_url)
    assert refused.exit_code != 0
    assert _query(database_url, "SELECT count(*) FROM area") == [(23,)]


def test_a_backup_from_a_newer_kyodo_is_refused(demo_database, database_url, tmp_path):
    path = tmp_path / "kyodo.backup"
    assert _kyodo(["backup", str(path)], demo_database).exit_code == 0
    _rewrite_manifest(path, tmp_path / "newer.backup", alembic_revision="9999")
    refused = _kyodo(["restore", "--force", str(tmp_path / "newer.backup")], database_url)
    assert refused.exit_code != 0 and "より新しい版" in refused.output


def test_not_a_backup_and_missing_files_say_so(database_url, tmp_path):
    (tmp_path / "notes.txt").write_text("これはバックアップではない")
    assert "完全な kyodo のバックアップではありません" in _kyodo(["verify-backup", str(tmp_path / "notes.txt")], database_url).output
    assert "がありません" in _kyodo(["verify-backup", str(tmp_path / "absent")], database_url).output
    result = _kyodo(["backup", str(tmp_path / "no" / "such" / "dir" / "x.backup")], database_url)
    assert result.exit_code != 0 and "ありません" in result.output


@pytest.mark.skipif(not USING_POSTGRES, reason="a SQLite backup into PostgreSQL needs TEST_DATABASE_URL")
def test_a_backup_of_one_backend_is_not_restored_into_the_other(database_url, tmp_path):
    from tests.conftest import _migrate_and_seed

    sqlite_url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    _migrate_and_seed(sqlite_url)
    backup.create(sqlite_url, tmp_path / "sqlite.backup")
    refused = _kyodo(["restore", "--force", str(tmp_path / "sqlite.backup")], database_url)
    assert refused.exit_code != 0 and "sqlite" in refused.output


@pytest.mark.skipif(not USING_POSTGRES, reason="schemas are PostgreSQL's (TEST_DATABASE_URL)")
def test_a_backup_goes_back_only_into_the_schema_it_came_from(demo_database, database_url, tmp_path):
    backup.create(demo_database, tmp_path / "public.backup")  # schema public
    refused = _kyodo(["restore", "--force", str(tmp_path / "public.backup")], database_url)  # kyodo_test_…
    assert refused.exit_code != 0 and "スキーマ public" in refused.output
    assert _query(database_url, "SELECT count(*) FROM area") == [(23,)]
    # A database in its own schema is backed up as that schema alone (search_path passed to pg_dump).
    own = backup.create(database_url, tmp_path / "own.backup")
    assert own.schema.startswith("kyodo_test_") and own.tables["area"].rows == 23
    assert backup.verify(tmp_path / "own.backup").schema == own.schema


@pytest.mark.skipif(USING_POSTGRES, reason="about SQLite files")
def test_a_file_that_is_not_a_database_is_not_backed_up(tmp_path):
    (tmp_path / "kyodo.sqlite3").write_text("not a database " * 100)
    result = _kyodo(["backup", str(tmp_path / "x.backup")], f"sqlite:///{tmp_path / 'kyodo.sqlite3'}")
    assert result.exit_code != 0 and "読めません" in result.output
    assert not (tmp_path / "x.backup").exists() and not (tmp_path / "x.backup.partial").exists()


def test_restore_forgets_the_suggestions_shared_in_redis(demo_database, new_database, tmp_path):
    """After a restore the change-log versions come back with other data: a result kept in Redis
    under such a version would be served as current, so the restore deletes them (and nothing else)."""
    import redis

    url = "redis://127.0.0.1:6379/13"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.set("kyodo:suggestions:abc:1:5", "{}")
    client.set("kyodo:other", "kept")
    try:
        path = tmp_path / "kyodo.backup"
        assert _kyodo(["backup", str(path)], demo_database).exit_code == 0
        restored = CliRunner().invoke(main, ["restore", str(path)],
                                      env={**_env(new_database()), "KYODO_REDIS_URL": url}, catch_exceptions=False)
        assert restored.exit_code == 0, restored.output
        assert "1 件消しました" in restored.output
        assert client.get("kyodo:suggestions:abc:1:5") is None and client.get("kyodo:other") == b"kept"
    finally:
        client.delete("kyodo:suggestions:abc:1:5", "kyodo:other")
