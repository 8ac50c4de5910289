"""Reading a register file (CSV in UTF-8, UTF-8 with BOM, cp932 or UTF-16; or .xlsx) into rows."""
from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

MAX_ROWS = 2000
MAX_COLUMNS = 60
# A title line such as 「自治会名簿（令和6年4月1日現在）」 often sits above the header row.
HEADER_SEARCH_ROWS = 10
# Bounds checked while reading, before any work proportional to what a file merely claims: lines
# (blank ones included), fields in one line, and the bytes an .xlsx unpacks to.
MAX_RECORDS = 2 * MAX_ROWS + HEADER_SEARCH_ROWS
MAX_FIELDS = 4 * MAX_COLUMNS
MAX_XLSX_UNPACKED = 32 * 1024 * 1024  # a full 2,000 × 60 register unpacks to about 5 MB
TOO_MANY_LINES = f"行が多すぎます（空行を含めて{MAX_RECORDS}行まで）。{MAX_ROWS}行までに分けて取り込んでください。"
TOO_MANY_FIELDS = f"1行の列が多すぎます（{MAX_FIELDS}列を超えています）。{MAX_COLUMNS}列までにしてください。"


class UnreadableFile(ValueError):
    """The file is not a register we can read; the message is Japanese, for the staff member."""


@dataclass(frozen=True)
class Row:
    number: int  # the row number a spreadsheet shows (1 = the first line of the file)
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    format: str  # "csv" | "xlsx"
    encoding: str  # "utf-8", "utf-8-sig", "cp932", "utf-16" or "" for xlsx

    def to_dict(self) -> dict:
        return {"headers": list(self.headers), "rows": [[r.number, list(r.cells)] for r in self.rows],
                "format": self.format, "encoding": self.encoding}

    @classmethod
    def from_dict(cls, data: dict) -> Table:
        return cls(tuple(data["headers"]), tuple(Row(n, tuple(cells)) for n, cells in data["rows"]),
                   data["format"], data["encoding"])

    def samples(self, column: int, limit: int = 3) -> list[str]:
        """The first non-empty values of a column, for the mapping page."""
        found = []
        for row in self.rows:
            value = row.cells[column] if column < len(row.cells) else ""
            if value:
                found.append(value)
                if len(found) == limit:
                    break
        return found


def read_table(data: bytes) -> Table:
    """The header row and the data rows of a CSV or .xlsx file, whatever its encoding."""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            "Excel 97-2003 形式（.xls）は読めません。Excel で「.xlsx」か「CSV」として保存し直してください。"
        )
    text, encoding = _decode(data)
    return _tabulate(_csv_records(text), format="csv", encoding=encoding)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's 「Unicode テキスト」 export.
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise UnreadableFile("文字のファイルではないようです。CSV（カンマ区切り）か .xlsx を選んでください。")
    # Strict UTF-8 first: cp932 text almost never decodes as valid UTF-8, the reverse often does.
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding, errors="strict"), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        "文字コードを判別できませんでした。UTF-8 か Shift_JIS（Excel の「CSV（カンマ区切り）」）で保存してください。"
    )


def _csv_records(text: str) -> list[list[str]]:
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    records = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(record) > MAX_FIELDS:
                raise UnreadableFile(TOO_MANY_FIELDS)
            records.append(record)
            if len(records) > MAX_RECORDS:
                raise UnreadableFile(TOO_MANY_LINES)
    except csv.Error as error:
        raise UnreadableFile(f"CSV として読めませんでした（{error}）。") from None
    return records


def _check_unpacked_size(data: bytes) -> None:
    """A few KB of .xlsx can unpack to gigabytes: refuse before openpyxl opens anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableFile(f".xlsx ファイルとして読めませんでした（{type(error).__name__}）。") from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise UnreadableFile(f".xlsx の中身が大きすぎます（展開すると{unpacked // (1024 * 1024)}MB）。"
                             "行を分けるか、CSV で保存してください。")


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    _check_unpacked_size(data)  # zipfile never reads past a member's declared size
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, print areas); harmless here.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableFile(f".xlsx ファイルとして読めませんでした（{type(error).__name__}）。") from None
    try:
        sheet = book.worksheets[0]
        # The sheet's <dimension> may claim 16,384 columns and a million rows (openpyxl pads every
        # row to it), or fewer rows than it has (openpyxl would drop the rest without a word):
        # forget it, read the rows really there, at most one column past the limit (to tell the
        # staff member it is too wide), and stop after MAX_RECORDS rows.
        sheet.reset_dimensions()
        records, filled = [], 0
        for values in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
            records.append([_cell_text(v) for v in values])
            if len(records[-1]) > MAX_COLUMNS and records[-1][MAX_COLUMNS]:
                raise UnreadableFile(f"{len(records)}行目の列が多すぎます。{MAX_COLUMNS}列までにしてください。")
            filled += any(records[-1])
            if filled > MAX_ROWS + HEADER_SEARCH_ROWS:
                break  # enough to say it is too long, without reading the rest
            if len(records) > MAX_RECORDS:
                raise UnreadableFile(TOO_MANY_LINES)
    finally:
        book.close()
    return _tabulate(records, format="xlsx", encoding="")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _tabulate(records: list[list[str]], *, format: str, encoding: str) -> Table:
    cleaned = [[cell.strip() for cell in record] for record in records]
    header_index = _header_index(cleaned)
    if header_index is None:
        raise UnreadableFile("ファイルに行がありません。1行目に見出し（団体名など）のある表を選んでください。")
    headers = cleaned[header_index]
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(headers) > MAX_COLUMNS:
        raise UnreadableFile(f"列が多すぎます（{len(headers)}列）。{MAX_COLUMNS}列までにしてください。")
    width = len(headers)
    rows = []
    for index in range(header_index + 1, len(cleaned)):
        cells = cleaned[index]
        if not any(cells):
            continue
        if any(cells[width:]):
            raise UnreadableFile(
                f"{index + 1}行目に見出しのない列に値があります。見出し行にすべての列の名前を入れてください。"
            )
        rows.append(Row(index + 1, tuple((cells + [""] * width)[:width])))
    if not rows:
        raise UnreadableFile("見出しの下にデータの行がありません。")
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(f"行が多すぎます（{len(rows)}行）。{MAX_ROWS}行までに分けて取り込んでください。")
    headers = tuple(h or f"（{i + 1}列目）" for i, h in enumerate(headers))
    return Table(headers, tuple(rows), format, encoding)


def _header_index(records: list[list[str]]) -> int | None:
    """The first row with as many filled cells as a header needs (skips a title line above it)."""
    head = records[:HEADER_SEARCH_ROWS]
    filled = [sum(1 for c in r if c) for r in head]
    if not filled or max(filled) == 0:
        return None
    needed = min(2, max(filled))
    return next(i for i, n in enumerate(filled) if n >= needed)
