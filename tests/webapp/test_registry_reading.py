"""Reading register files, guessing the column mapping, and the keys that find variant names."""
import io
from pathlib import Path

import openpyxl
import pytest

from webapp.services.registry.columns import IGNORE, apply_overrides, guess_mapping, mapping_errors
from webapp.services.registry.names import name_key
from webapp.services.registry.tables import MAX_ROWS, UnreadableFile, read_table

DATA = Path(__file__).parent / "data"
HEADERS = ["団体名", "区分", "町名"]
ROW = ["みどりの会", "NPO法人", "南沢"]


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_cp932_csv_exported_from_excel_is_read_below_its_title_line():
    table = read_table((DATA / "register_cp932.csv").read_bytes())
    assert table.encoding == "cp932"
    assert table.headers[:3] == ("No.", "団体名", "種別")
    # Row numbers are the ones Excel shows: title on 1, header on 2, data from 3.
    assert [r.number for r in table.rows] == [3, 4, 5, 6]
    assert table.rows[1].cells[1] == "ＮＰＯ法人　みどりの会"
    assert table.rows[3].cells[5] == "1,200"


@pytest.mark.parametrize("encoding, expected", [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"),
                                                ("cp932", "cp932"), ("utf-16", "utf-16")])
def test_each_encoding_japanese_registers_come_in(encoding, expected):
    text = "\r\n".join(",".join(r) for r in (HEADERS, ROW, ["ひばりヶ丘団地自治会", "自治会", "ひばりが丘団地"]))
    if encoding == "utf-16":
        text = text.replace(",", "\t")  # Excel's 「Unicode テキスト」 is tab-separated UTF-16
    table = read_table(text.encode(encoding))
    assert table.encoding == expected
    assert table.headers == tuple(HEADERS)  # a BOM never sticks to the first header
    assert [r.cells for r in table.rows] == [tuple(ROW), ("ひばりヶ丘団地自治会", "自治会", "ひばりが丘団地")]


def test_an_xlsx_is_read_with_numbers_as_text_and_blank_rows_skipped():
    table = read_table(xlsx_bytes([HEADERS + ["会員数"], ROW + [25], [None, None, None, None], ["滝山自治会", "自治会", "滝山", 320.0]]))
    assert table.format == "xlsx"
    assert table.headers == ("団体名", "区分", "町名", "会員数")
    assert [r.number for r in table.rows] == [2, 4]
    assert table.rows[0].cells[3] == "25" and table.rows[1].cells[3] == "320"


def test_quoted_cells_keep_their_commas_and_newlines():
    table = read_table('団体名,活動内容\n"みどりの会","清掃、花壇\n環境学習"\n'.encode())
    assert table.rows[0].cells == ("みどりの会", "清掃、花壇\n環境学習")


@pytest.mark.parametrize("data, message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"PK\x03\x04not really a zip", ".xlsx"),
    ("団体名,区分\n".encode(), "データの行がありません"),
    (b"", "行がありません"),
    (bytes(range(256)) * 4, "文字"),
    ("団体名,区分\nみどりの会,NPO法人,余分な値\n".encode(), "見出しのない列"),
])
def test_files_that_are_not_registers_are_refused_in_japanese(data, message):
    with pytest.raises(UnreadableFile, match=message):
        read_table(data)


def test_too_many_rows_are_refused():
    lines = ["団体名,町名"] + [f"団体{i},滝山" for i in range(MAX_ROWS + 1)]
    with pytest.raises(UnreadableFile, match="行が多すぎます"):
        read_table("\n".join(lines).encode())


def test_the_mapping_is_guessed_from_japanese_and_english_headers():
    table = read_table((DATA / "register_cp932.csv").read_bytes())
    assert guess_mapping(table.headers) == [
        IGNORE, "name", "category", "description", "towns", "member_count", "private_contact", "website"]
    assert guess_mapping(["名称", "区分", "所在地", "加入世帯数", "ホームページ", "公開連絡先", "代表者名", "電話番号", "備考"]) == [
        "name", "category", "towns", "member_count", "website", "public_contact", "private_contact",
        "private_contact", IGNORE]
    assert guess_mapping(["Organization Name", "Type", "Description", "Town", "Members", "URL"]) == [
        "name", "category", "description", "towns", "member_count", "website"]
    # Full-width and spaced headers, and the two 「種」 words of Japanese registers.
    assert guess_mapping(["団体名（正式名称）", "種類", "種別", "活動　内容", "ＵＲＬ"]) == [
        "name", "kind", "category", "description", "website"]


def test_a_single_valued_target_is_guessed_for_one_column_only():
    assert guess_mapping(["団体名", "名称"]) == ["name", IGNORE]


def test_mapping_errors_name_the_column_and_require_a_name():
    assert mapping_errors(["name", "website", "website"]) == {
        2: "「ウェブサイト」はほかの列（2列目）にも選ばれています。1列だけにしてください。"}
    assert mapping_errors(["description", "towns"]) == {-1: "団体名の列を選んでください。"}
    assert mapping_errors(["name", "description", "description"]) == {}


def test_mapping_overrides_by_header_and_refuses_unknown_ones():
    headers = ("名称", "備考")
    assert apply_overrides(headers, ["name", IGNORE], {"備考": "description"}) == ["name", "description"]
    assert apply_overrides(headers, ["name", "description"], {"備考": None}) == ["name", IGNORE]
    with pytest.raises(ValueError, match="見出し「住所」"):
        apply_overrides(headers, ["name", IGNORE], {"住所": "towns"})
    with pytest.raises(ValueError, match="取り込み先"):
        apply_overrides(headers, ["name", IGNORE], {"備考": "password"})


@pytest.mark.parametrize("variant", [
    "NPO法人 みどりの会", "特定非営利活動法人みどりの会", "ＮＰＯ法人　ミドリの会", "みどりの会", "（特非）みどりの会",
    "みどりの会（NPO法人）", " みどり の 会 ",
])
def test_variant_names_share_one_key(variant):
    assert name_key(variant) == name_key("みどりの会") == "みどりの会"


def test_different_organizations_keep_different_keys():
    assert name_key("くるめNPOセンター") != name_key("くるめセンター")  # NPO inside a name stays
    assert name_key("みどりの会") != name_key("みどり会")
    assert name_key("ひばりヶ丘団地自治会") == name_key("ひばりが丘団地自治会")
    assert name_key("滝山自治会") != name_key("滝山四丁目自治会")
