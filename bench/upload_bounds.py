"""Crafted register uploads against the reader's bounds: time and extra memory of `read_table`.

    .venv/bin/python bench/upload_bounds.py

Each file runs in a fresh process (so one file's memory does not hide another's); the figure is
wall time and the growth of max RSS over the process's baseline. tests/webapp/test_upload_bounds.py
uses the same files (refusal, and extra memory under 100 MB by tracemalloc)."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _xlsx(rows: list[list[str]], *, dimension: str | None = None, extra_xml: bytes = b"") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if dimension:
                    data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + dimension.encode() + b'"', data)
                if extra_xml:
                    data = data.replace(b"</sheetData>", extra_xml + b"</sheetData>")
            target.writestr(info.filename, data)
    return out.getvalue()


SMALL = [["団体名", "町名"], ["滝山自治会", "滝山"]]
COLUMNS = [(a + b).strip().encode() for a in " ABCD" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]  # A … DZ
CRAFTED = {  # name -> a function making the bytes of a hostile (or oversized) register file
    "xlsx claiming 16,384 x 2,000 cells": lambda: _xlsx(SMALL, dimension="A1:XFD2000"),
    "xlsx claiming 16,384 x 1,048,576 cells": lambda: _xlsx(SMALL, dimension="A1:XFD1048576"),
    "xlsx with 300,000 empty rows": lambda: _xlsx(
        SMALL, extra_xml=b"".join(b'<row r="%d"/>' % n for n in range(3, 300_003))),
    "xlsx with 5,000 rows of 100 cells": lambda: _xlsx(SMALL, extra_xml=b"".join(
        b'<row r="%d">' % n + b"".join(b'<c r="%s%d" t="n"><v>1</v></c>' % (c, n) for c in COLUMNS[:100])
        + b"</row>" for n in range(3, 5_003))),
    "xlsx unpacking to 200 MB": lambda: _xlsx(SMALL, extra_xml=b"<!--" + b" " * 200_000_000 + b"-->"),
    "csv a,b then 400 KB of commas": lambda: b"a,b\n" + b"," * 400_000 + b"\n",
    "csv a,b then 200 lines of 2,000 commas": lambda: b"a,b\n" + (b"," * 2000 + b"\n") * 200,
    "csv of 5 MB blank lines": lambda: b"a,b\n" + b"\n" * 5_000_000,
    "csv of 100,000 rows": lambda: b"a,b\n" + b"x,y\n" * 100_000,
}


def _measure_one(name: str) -> dict:
    import resource
    import time

    from webapp.services.registry.tables import UnreadableFile, read_table

    data = CRAFTED[name]()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        table = read_table(data)
        outcome = f"read {len(table.rows)} rows"
    except UnreadableFile as error:
        outcome = "refused: " + str(error)[:60]
    seconds = time.perf_counter() - start
    extra_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    return {"file": name, "bytes": len(data), "seconds": round(seconds, 3), "extra_mb": round(extra_mb, 1),
            "outcome": outcome}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(_measure_one(sys.argv[2]), ensure_ascii=False))
        return
    for name in CRAFTED:
        result = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True,
                                cwd=ROOT, timeout=600)
        print(result.stdout.strip() or result.stderr.strip()[-500:])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
