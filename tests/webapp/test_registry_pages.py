"""The import pages, driven like a browser: upload (multipart, CSRF) → column mapping → preview → confirm."""
import io
import os
import re
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from tests.webclient import AuthActions, post_form
from webapp.models import AuditEntry, Organization, RecordSource
from webapp.registry.uploads import UploadStore

DATA = Path(__file__).parent / "data"
INDEX = "/staff/registry/"


@pytest.fixture
def app(make_app, tmp_path, monkeypatch):
    # Uploads go to the instance folder: keep them in the test's own directory.
    monkeypatch.setenv("KYODO_INSTANCE_PATH", str(tmp_path / "instance"))
    return make_app()


@pytest.fixture
def staff(factory, auth):
    user = factory.staff(email="staff@example.jp")
    auth.login(email="staff@example.jp")
    return user


def _uploads(app) -> list[str]:
    folder = Path(app.instance_path) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _upload(client, data: bytes, filename: str):
    return post_form(client, "/staff/registry/import", {"file": (io.BytesIO(data), filename)}, token_from=INDEX,
                     content_type="multipart/form-data")


def _token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/staff/registry/import/([A-Za-z0-9_-]{32})/mapping", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _selected(html: str) -> dict[str, str]:
    """The option each column's select shows as chosen."""
    out = {}
    for name, body in re.findall(r'<select[^>]*name="(columns-\d+)"[^>]*>(.*?)</select>', html, re.DOTALL):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        out[name] = next(g for g in chosen.groups() if g is not None) if chosen else ""
    return out


def _map(client, token: str, overrides: dict | None = None, **extra):
    url = f"/staff/registry/import/{token}/mapping"
    data = {**_selected(client.get(url).get_data(as_text=True)), **(overrides or {}), **extra}
    return post_form(client, url, data)


def _confirm(client, token: str, **data):
    return post_form(client, f"/staff/registry/import/{token}/confirm", {"use_suggested_themes": "y", **data},
                     token_from=f"/staff/registry/import/{token}/preview")


def _names(db) -> list[str]:
    return sorted(db.exec(select(Organization.name).where(Organization.source == RecordSource.IMPORT)).all())


def _row_html(html: str, number: int) -> str:
    """One row's card of the preview (up to the next row's card or the end of the list)."""
    start = html.index('<li class="card import-row')
    start = html.index(f'id="row-{number}"', start)
    ends = [i for i in (html.find('<li class="card import-row', start), html.find("</ol>", start)) if i >= 0]
    return html[start:min(ends)]


def test_a_cp932_register_goes_through_mapping_and_preview_into_the_database(app, client, staff, db):
    token = _token(_upload(client, (DATA / "register_cp932.csv").read_bytes(), "名簿.csv"))
    assert _uploads(app) == sorted([f"{token}.data", f"{token}.json", f"{token}.table"])

    mapping_page = client.get(f"/staff/registry/import/{token}/mapping").get_data(as_text=True)
    assert "1列目「No.」" in mapping_page and "例: 滝山四丁目自治会" in mapping_page and "cp932" in mapping_page
    assert _selected(mapping_page) == {
        "columns-0": "", "columns-1": "name", "columns-2": "category", "columns-3": "description",
        "columns-4": "towns", "columns-5": "member_count", "columns-6": "private_contact", "columns-7": "website"}

    response = _map(client, token)
    assert response.headers["Location"] == f"/staff/registry/import/{token}/preview"
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "取り込める</dt><dd>4行" in preview
    # Themes suggested by the text pipeline, per row.
    assert re.search(r"子どもの健全育成 <span class=\"badge badge-suggested\">おすすめ</span>", _row_html(preview, 5))
    assert re.search(r"環境の保全 <span class=\"badge badge-suggested\">おすすめ</span>", _row_html(preview, 4))
    assert _names(db) == []  # nothing before the confirmation

    response = _confirm(client, token)
    assert response.status_code == 302 and response.headers["Location"] == INDEX
    assert "4件の団体を取り込みました。" in client.get(INDEX).get_data(as_text=True)
    assert _names(db) == sorted(["NPO法人 みどりの会", "クルメ子ども食堂", "ひばりヶ丘団地自治会", "滝山四丁目自治会"])
    actions = db.exec(select(AuditEntry.actor_id).where(AuditEntry.action == "import")).all()
    assert actions == [staff.id] * 4
    assert _uploads(app) == []  # the uploaded file is gone once imported


def test_a_register_with_bad_rows_is_refused_whole_and_the_preview_says_why(app, client, staff, db):
    token = _token(_upload(client, (DATA / "register_errors_bom.csv").read_bytes(), "errors.csv"))
    _map(client, token)
    preview = client.get(f"/staff/registry/import/{token}/preview").get_data(as_text=True)
    assert "3行にエラーがあります。" in preview
    assert "団体名が空です。" in _row_html(preview, 3)
    assert "町名「新宿」は東久留米市の町名にありません。" in _row_html(preview, 4)
    assert "会員数「たくさん」を数として読めません（例: 120）。" in _row_html(preview, 5)
    assert 'name="only_valid"' in preview

    response = _confirm(client, token)
    assert response.status_code == 422
    assert "3行にエラーがあるため、1件も取り込みませんでした。" in response.get_data(as_text=True)
    assert _names(db) == [] and db.exec(select(AuditEntry).where(AuditEntry.action == "import")).all() == []
    assert len(_uploads(app)) == 3  # kept, so the staff member can choose again

    response = _confirm(client, token, only_valid="y")
    assert response.status_code == 302
    assert "エラーのある3行は取り込んでいません。" in client.get(INDEX).get_data(as_text=True)
    assert _names(db) == ["前沢ふれあいの会"]


def test_a_possible_duplicate_is_imported_only_when_ticked(app, client, staff, db, factory):
    existing = factory.organization(name="特定非営利活動法人みどりの会", towns=("南沢",))
    factory.organization(name="滝山自治会", towns=("滝山",))
    register = "団体名,区分,町名\r\nＮＰＯ法人　ミドリの会,NPO法人,南沢\r\n滝山 自治会,自治会,滝山\r\n前沢の森,任意団体,前沢\r\n"
    token = _token(_upload(client, register.encode("cp932"), "dup.csv"))
    _map(client, token)
    preview = client.get(f"/staff/registry/import/{token}/preview").get_data(as_text=True)
    assert "重複の可能性</dt><dd>2行" in preview
    assert f'href="/orgs/{existing.id}">特定非営利活動法人みどりの会</a>' in _row_html(preview, 2)
    assert 'name="include_rows" value="2"' in preview and 'name="include_rows" value="4"' not in preview

    response = _confirm(client, token, include_rows=["3"])
    assert response.status_code == 302
    assert "重複の可能性がある1行は取り込んでいません。" in client.get(INDEX).get_data(as_text=True)
    assert _names(db) == ["前沢の森", "滝山 自治会"]


def test_only_duplicates_and_none_ticked_imports_nothing_and_says_so(app, client, staff, db, factory):
    factory.organization(name="みどりの会", towns=("南沢",))
    token = _token(_upload(client, "団体名,区分,町名\nNPO法人みどりの会,NPO法人,南沢\n".encode(), "dup.csv"))
    _map(client, token)
    response = _confirm(client, token)
    assert response.status_code == 422
    assert "取り込む行がありません。" in response.get_data(as_text=True)
    assert _names(db) == []


def test_a_ticked_row_that_is_no_duplicate_is_refused(app, client, staff, db):
    token = _token(_upload(client, "団体名,区分,町名\nみどりの会,NPO法人,南沢\n".encode(), "a.csv"))
    _map(client, token)
    response = _confirm(client, token, include_rows=["2"])
    assert response.status_code == 422 and _names(db) == []


def test_an_xlsx_register_is_imported(app, client, staff, db):
    book = openpyxl.Workbook()
    book.active.append(["名称", "種類", "区分", "活動内容", "活動地域", "会員数"])
    book.active.append(["南町ふれあいサロン", "目的型", "任意団体", "高齢者の居場所づくり", "南町、弥生", 18])
    book.active.append(["下里子ども会", "地縁型", "子ども会", "夏祭りとラジオ体操", "下里", 60])
    buffer = io.BytesIO()
    book.save(buffer)
    token = _token(_upload(client, buffer.getvalue(), "名簿.xlsx"))
    assert _map(client, token).status_code == 302
    assert _confirm(client, token).status_code == 302
    assert _names(db) == ["下里子ども会", "南町ふれあいサロン"]
    salon = db.exec(select(Organization).where(Organization.name == "南町ふれあいサロン")).one()
    assert salon.member_count == 18


def test_a_mapping_without_a_name_or_with_a_field_twice_is_explained_next_to_the_column(app, client, staff):
    token = _token(_upload(client, (DATA / "register_cp932.csv").read_bytes(), "名簿.csv"))
    response = _map(client, token, {"columns-1": ""})
    assert response.status_code == 422
    assert "団体名の列を選んでください。" in response.get_data(as_text=True)
    response = _map(client, token, {"columns-0": "website"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="columns-7-error"><li>「ウェブサイト」はほかの列（1列目）にも選ばれています', html)
    assert client.get(f"/staff/registry/import/{token}/preview").headers["Location"].endswith("/mapping")


def test_mapping_options_rescue_rows_without_category_or_town(app, client, staff, db):
    token = _token(_upload(client, "団体名,活動内容\n前沢ふれあいの会,高齢者の居場所\n".encode(), "a.csv"))
    _map(client, token)
    assert "種類（地縁型・目的型）も区分も分かりません" in client.get(f"/staff/registry/import/{token}/preview").get_data(as_text=True)
    _map(client, token, default_category="voluntary", citywide_if_empty="y")
    assert _confirm(client, token).status_code == 302
    assert _names(db) == ["前沢ふれあいの会"]


def test_an_unreadable_or_oversized_upload_is_refused_next_to_the_field(make_app, tmp_path, monkeypatch, factory):
    monkeypatch.setenv("KYODO_INSTANCE_PATH", str(tmp_path / "small"))
    app = make_app(KYODO_IMPORT_MAX_BYTES=200)
    client = app.test_client()
    factory.staff(email="staff@example.jp")
    AuthActions(client).login(email="staff@example.jp")
    response = _upload(client, (DATA / "register_cp932.csv").read_bytes(), "big.csv")
    assert response.status_code == 422
    assert re.search(r'id="file-error">\s*<li>ファイルが大きすぎます', response.get_data(as_text=True))
    response = _upload(client, b"\xd0\xcf\x11\xe0" + b"\x00" * 50, "old.xls")
    assert response.status_code == 422 and "Excel 97-2003 形式（.xls）は読めません" in response.get_data(as_text=True)
    response = post_form(client, "/staff/registry/import", {}, token_from=INDEX)
    assert response.status_code == 422 and "ファイルを選んでください。" in response.get_data(as_text=True)
    assert _uploads(app) == []  # nothing refused is kept


def test_an_upload_belongs_to_its_uploader_and_a_token_is_never_a_path(app, client, staff, factory):
    token = _token(_upload(client, (DATA / "register_cp932.csv").read_bytes(), "../../secret.csv"))
    assert "ファイル: secret.csv" in client.get(f"/staff/registry/import/{token}/mapping").get_data(as_text=True)

    other = app.test_client()
    factory.staff(email="other@example.jp")
    AuthActions(other).login(email="other@example.jp")
    assert other.get(f"/staff/registry/import/{token}/mapping").status_code == 404
    assert post_form(other, f"/staff/registry/import/{token}/cancel", {}, token_from=INDEX).status_code == 404
    assert len(_uploads(app)) == 3

    for bad in ("..%2F..%2Fkyodo", "x" * 31, "a" * 32):
        assert client.get(f"/staff/registry/import/{bad}/mapping").status_code == 404

    response = post_form(client, f"/staff/registry/import/{token}/cancel", {}, token_from=INDEX)
    assert response.status_code == 302 and _uploads(app) == []


def test_abandoned_uploads_are_purged_after_a_day(tmp_path):
    store = UploadStore(tmp_path, max_bytes=1000)
    old = store.save(io.BytesIO(b"a,b\n1,2\n"), filename="old.csv", user_id=1)
    young = store.save(io.BytesIO(b"a,b\n1,2\n"), filename="new.csv", user_id=1)
    past = (tmp_path / f"{old}.data").stat().st_mtime - 2 * 24 * 3600
    for suffix in ("data", "json"):
        os.utime(tmp_path / f"{old}.{suffix}", (past, past))
    assert store.purge_stale() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{young}.data", f"{young}.json"])
