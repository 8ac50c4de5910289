import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import webapp.models  # noqa: F401  (registers every table)
from webapp.db import create_engine_for
from webapp.migrate import current_revision, downgrade, head_revision, upgrade

NOW = "2026-04-01 00:00:00"


def _tables(url):
    engine = create_engine_for(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_an_empty_database_creates_every_table(empty_database_url):
    upgrade(empty_database_url)
    assert _tables(empty_database_url) == set(SQLModel.metadata.tables) | {"alembic_version"}
    engine = create_engine_for(empty_database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_migrations_match_the_models(empty_database_url):
    upgrade(empty_database_url)
    engine = create_engine_for(empty_database_url)
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect the lower(email) index; it is checked by test_models instead.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_upgrading_keeps_existing_rows(empty_database_url):
    upgrade(empty_database_url, "0001")
    engine = create_engine_for(empty_database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO user_account (email, display_name, password_hash, role, is_active, created_at)"
            " VALUES ('keep@example.jp', '残る人', 'x', 'staff', true, :now)"), {"now": NOW})
        connection.execute(sa.text(
            "INSERT INTO area (city_code, name, kana, postal_code, district, lat, lng)"
            " VALUES ('13222', '滝山', 'タキヤマ', '2030033', '西地区', 35.76, 139.51)"))
    engine.dispose()

    upgrade(empty_database_url)

    engine = create_engine_for(empty_database_url)
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT display_name, role FROM user_account")).all() == [
            ("残る人", "staff")
        ]
        # Accounts from before e-mail confirmation existed keep working (0006).
        confirmed, token = connection.execute(sa.text(
            "SELECT email_confirmed_at, session_token FROM user_account")).one()
        assert confirmed is not None and len(token) == 32
        area_id, user_id = connection.execute(
            sa.text("SELECT area.id, user_account.id FROM area, user_account")).one()
        connection.execute(sa.text(
            "INSERT INTO issue (title, body, area_id, reporter_id, show_reporter_name, status, source,"
            " created_at, updated_at) VALUES ('t', 'b', :a, :u, false, 'open', 'web', :now, :now)"),
            {"a": area_id, "u": user_id, "now": NOW})
        assert connection.execute(sa.text("SELECT count(*) FROM issue")).scalar() == 1
    engine.dispose()


def test_downgrade_to_base_and_upgrade_again(empty_database_url):
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) <= {"alembic_version"}
    upgrade(empty_database_url)
    assert "issue" in _tables(empty_database_url)


def test_migrations_are_linear():
    from alembic.script import ScriptDirectory

    from webapp.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(""))
    assert len(script.get_heads()) == 1


def _revisions():
    from alembic.script import ScriptDirectory

    from webapp.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(""))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_case_insensitive_email_survives_every_upgrade_and_downgrade(empty_database_url):
    """Table rebuilds (SQLite batch mode) must not lose the lower(email) unique index."""
    revisions = _revisions()
    steps = revisions + list(reversed(revisions[:-1]))
    for step, revision in enumerate(steps):
        if step < len(revisions):
            upgrade(empty_database_url, revision)
        else:
            downgrade(empty_database_url, revision)
        engine = create_engine_for(empty_database_url)
        with engine.connect() as connection:
            insert = sa.text(
                "INSERT INTO user_account (email, display_name, password_hash, role, is_active, created_at)"
                " VALUES (:email, 'x', 'x', 'resident', true, :now)")
            connection.execute(insert, {"email": f"Case{step}@example.jp", "now": NOW})
            try:
                with connection.begin_nested():
                    connection.execute(insert, {"email": f"case{step}@EXAMPLE.jp", "now": NOW})
            except sa.exc.IntegrityError:
                pass
            else:
                raise AssertionError(f"duplicate e-mail accepted at revision {revision}")
            connection.commit()
        engine.dispose()


def test_every_enum_value_is_allowed_by_the_migrated_check_constraints(database_url):
    """A new enum member needs a migration that widens its CHECK constraint; this finds a forgotten one."""
    engine = create_engine_for(database_url)
    inspector = sa.inspect(engine)
    missing, checked = [], 0
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        for table in SQLModel.metadata.sorted_tables:
            checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
            for column in table.columns:
                if isinstance(column.type, sa.Enum):
                    text = checks.get(f"ck_{table.name}_{column.type.name}", "")
                    checked += 1
                    missing += [f"{table.name}.{column.name}={v}" for v in column.type.enums if f"'{v}'" not in text]
    engine.dispose()
    assert checked >= 20
    assert missing == []


def test_rebuilding_the_organization_table_keeps_rows_that_point_at_it(empty_database_url):
    """0007 rebuilds organization (SQLite batch mode): with foreign keys on, dropping the old table
    would cascade into memberships and 協議体 members; the migration turns them off meanwhile."""
    upgrade(empty_database_url, "0004")
    engine = create_engine_for(empty_database_url)
    with engine.begin() as connection:
        user_id = connection.execute(sa.text(
            "INSERT INTO user_account (email, display_name, password_hash, role, is_active, created_at)"
            " VALUES ('owner@example.jp', '会長', 'x', 'resident', true, :now) RETURNING id"), {"now": NOW}).scalar()
        org_id = connection.execute(sa.text(
            "INSERT INTO organization (kind, category, name, description, offers, needs, activity_days, capacity,"
            " public_contact, private_contact, website, status, source, created_at, updated_at)"
            " VALUES ('territorial', 'jichikai', '滝山自治会', '', '', '', '', 2, '', '', '', 'active', 'web', :now, :now)"
            " RETURNING id"), {"now": NOW}).scalar()
        connection.execute(sa.text("INSERT INTO membership (user_id, organization_id, role, created_at)"
                                   " VALUES (:u, :o, 'owner', :now)"), {"u": user_id, "o": org_id, "now": NOW})
    engine.dispose()

    upgrade(empty_database_url)

    engine = create_engine_for(empty_database_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT role FROM membership")).scalars().all() == ["owner"]
        assert connection.execute(sa.text("SELECT verified FROM organization")).scalars().all() == [False]
    engine.dispose()
