import urllib.request

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from webapp.cli import main

COUNTS = "SELECT (SELECT count(*) FROM area), (SELECT count(*) FROM chome), (SELECT count(*) FROM theme)," \
         " (SELECT count(*) FROM organization), (SELECT count(*) FROM issue)"


def _env(url, **extra):
    return {"DATABASE_URL": url, "KYODO_ENV": "testing", "KYODO_PASSWORD_HASH": "fast",
            "KYODO_CITY": "東久留米市", **extra}


def _counts(url):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        row = tuple(connection.execute(sa.text(COUNTS)).one())
    engine.dispose()
    return row


def _run(args, url, **extra):
    return CliRunner().invoke(main, args, env=_env(url, **extra), catch_exceptions=False)


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    for command in ("init-db", "seed", "serve", "create-user"):
        assert command in result.output


def test_seed_before_init_db_says_what_to_do(empty_database_url):
    result = _run(["seed"], empty_database_url)
    assert result.exit_code != 0
    assert "kyodo init-db" in result.output


def test_init_db_then_seed_is_idempotent(empty_database_url):
    assert _run(["init-db"], empty_database_url).exit_code == 0
    assert _run(["init-db"], empty_database_url).exit_code == 0
    first = _run(["seed"], empty_database_url)
    assert first.exit_code == 0, first.output
    assert _counts(empty_database_url) == (23, 80, 20, 0, 0)
    second = _run(["seed"], empty_database_url)
    assert "created none; updated none" in second.output
    assert _counts(empty_database_url) == (23, 80, 20, 0, 0)


def test_seed_demo_is_idempotent_and_labelled(empty_database_url):
    _run(["init-db"], empty_database_url)
    _run(["seed", "--demo"], empty_database_url)
    once = _counts(empty_database_url)
    _run(["seed", "--demo"], empty_database_url)
    assert _counts(empty_database_url) == once == (23, 80, 20, 70, 45)
    engine = sa.create_engine(empty_database_url)
    with engine.connect() as connection:
        sources = connection.execute(sa.text("SELECT DISTINCT source FROM organization")).scalars().all()
        reporter_active = connection.execute(sa.text(
            "SELECT DISTINCT u.is_active FROM issue i JOIN user_account u ON u.id = i.reporter_id")).scalars().all()
    engine.dispose()
    assert sources == ["demo"]
    assert reporter_active == [False]  # the demo reporter cannot log in


def test_seed_updates_a_changed_town_in_place(empty_database_url):
    _run(["init-db"], empty_database_url)
    _run(["seed"], empty_database_url)
    engine = sa.create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE area SET kana = 'まちがい' WHERE name = '滝山'"))
    result = _run(["seed"], empty_database_url)
    assert "updated towns 1" in result.output
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT kana FROM area WHERE name = '滝山'")).scalar() == "タキヤマ"
    engine.dispose()


def test_create_user_staff_and_promotion(empty_database_url):
    _run(["init-db"], empty_database_url)
    result = _run(["create-user", "--staff", "Staff@City.example.jp"], empty_database_url,
                  KYODO_NEW_PASSWORD="staff-password-1")
    assert result.exit_code == 0, result.output
    _run(["create-user", "resident@example.jp"], empty_database_url, KYODO_NEW_PASSWORD="resident-pass-1")
    again = _run(["create-user", "resident@example.jp"], empty_database_url, KYODO_NEW_PASSWORD="resident-pass-1")
    assert again.exit_code != 0 and "already registered" in again.output
    promoted = _run(["create-user", "--staff", "RESIDENT@example.jp"], empty_database_url,
                    KYODO_NEW_PASSWORD="resident-pass-1")
    assert promoted.exit_code == 0 and "promoted" in promoted.output
    engine = sa.create_engine(empty_database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT email, role FROM user_account ORDER BY email")).all()
    engine.dispose()
    assert rows == [("resident@example.jp", "staff"), ("staff@city.example.jp", "staff")]


def test_create_user_refuses_a_short_password(empty_database_url):
    _run(["init-db"], empty_database_url)
    result = _run(["create-user", "x@example.jp"], empty_database_url, KYODO_NEW_PASSWORD="short")
    assert result.exit_code != 0


def test_serve_refuses_to_start_without_a_secret_in_production(empty_database_url):
    result = CliRunner().invoke(main, ["serve", "--port", "5999"],
                                env={**_env(empty_database_url), "KYODO_ENV": "production", "SECRET_KEY": ""})
    assert result.exit_code != 0
    assert "SECRET_KEY" in result.output


@pytest.mark.slow
def test_serve_runs_gunicorn_and_answers_in_japanese(live_server):
    with urllib.request.urlopen(live_server + "/", timeout=10) as response:
        html = response.read().decode()
        server_header = response.headers.get("Server", "")
    assert '<html lang="ja">' in html
    assert html.count('class="town-card"') == 23
    assert "gunicorn" in server_header
