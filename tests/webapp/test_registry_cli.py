"""`kyodo import-orgs FILE`: all rows or none, errors per row in Japanese, duplicates skipped."""
import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from webapp.cli import main

DATA = Path(__file__).parent / "data"


def _run(database_url, *args):
    env = {"DATABASE_URL": database_url, "KYODO_ENV": "testing", "KYODO_CITY": "東久留米市"}
    return CliRunner().invoke(main, ["import-orgs", *map(str, args)], env=env, catch_exceptions=False)


def _rows(database_url, sql):
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(sql)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


ORGS = "SELECT name, source FROM organization ORDER BY id"
IMPORT_AUDIT = "SELECT entity_id, actor_id, action FROM auditentry WHERE action = 'import' ORDER BY id"


def test_a_register_with_bad_rows_stores_nothing_and_lists_every_error(database_url):
    result = _run(database_url, DATA / "register_errors_bom.csv")
    assert result.exit_code == 1
    for line in ("3行目（団体名なし）: 団体名が空です。",
                 "4行目（新宿見守り隊）: 町名「新宿」は東久留米市の町名にありません。",
                 "5行目（下里子ども会）: 会員数「たくさん」を数として読めません（例: 120）。",
                 "3行にエラーがあるため、1件も取り込みませんでした（全4行）。"):
        assert line in result.output
    assert _rows(database_url, ORGS) == []
    assert _rows(database_url, "SELECT count(*) FROM auditentry") == [(0,)]


def test_dry_run_then_import_then_a_rerun_that_finds_only_duplicates(database_url):
    file = DATA / "register_cp932.csv"
    dry = _run(database_url, file, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "「団体名」→団体名" in dry.output and "4件を取り込めます。何も保存していません。" in dry.output
    assert _rows(database_url, ORGS) == []

    first = _run(database_url, file)
    assert first.exit_code == 0, first.output
    assert "4件の団体を取り込みました" in first.output
    assert _rows(database_url, ORGS) == [("滝山四丁目自治会", "import"), ("NPO法人 みどりの会", "import"),
                                         ("クルメ子ども食堂", "import"), ("ひばりヶ丘団地自治会", "import")]
    # The command line has no logged-in staff member: the audit log names nobody.
    assert [(actor, action) for _id, actor, action in _rows(database_url, IMPORT_AUDIT)] == [(None, "import")] * 4

    again = _run(database_url, file)
    assert again.exit_code == 0, again.output
    assert "3行目「滝山四丁目自治会」は「滝山四丁目自治会」と同じ名前とみられます: 取り込みません" in again.output
    assert "0件の団体を取り込みました（重複の可能性で取り込まなかった行: 4）" in again.output
    assert len(_rows(database_url, ORGS)) == 4

    forced = _run(database_url, file, "--include-duplicates")
    assert forced.exit_code == 0 and len(_rows(database_url, ORGS)) == 8


def test_mapping_overrides_from_inline_json_or_a_file(database_url, tmp_path):
    register = tmp_path / "register.csv"
    register.write_text("名称,備考,連絡先,町名\n前沢の森,雑木林の手入れ,公開窓口 042-000-0009,前沢\n", encoding="utf-8")
    mapping = {"備考": "description", "連絡先": "public_contact"}
    result = _run(database_url, register, "--mapping", json.dumps(mapping, ensure_ascii=False),
                  "--default-category", "voluntary")
    assert result.exit_code == 0, result.output
    assert _rows(database_url, "SELECT name, category, description, public_contact, private_contact FROM organization") == [
        ("前沢の森", "voluntary", "雑木林の手入れ", "公開窓口 042-000-0009", "")]

    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps({"名称": None}), encoding="utf-8")
    refused = _run(database_url, register, "--mapping", mapping_file)
    assert refused.exit_code != 0 and "団体名の列を選んでください。" in refused.output
    unknown = _run(database_url, register, "--mapping", '{"住所": "towns"}')
    assert unknown.exit_code != 0 and "見出し「住所」はファイルにありません" in unknown.output


def test_an_unreadable_file_is_refused_in_japanese(database_url, tmp_path):
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    result = _run(database_url, old)
    assert result.exit_code == 1 and "Excel 97-2003 形式（.xls）は読めません" in result.output
