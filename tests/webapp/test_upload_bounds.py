"""Crafted register files are read within bounds or refused with a Japanese reason, before any
work in proportion to what they claim (figures: bench/upload_bounds.py, docs/BENCHMARKS.md)."""
from __future__ import annotations

import io
import tracemalloc

import pytest

from bench.upload_bounds import CRAFTED
from tests.webclient import post_form
from webapp.services.registry.tables import UnreadableFile, read_table

LIGHT = [name for name in CRAFTED if "200 MB" not in name]  # that one is measured by the bench only


@pytest.mark.parametrize("name", LIGHT)
def test_each_crafted_file_costs_less_than_100_mb(name):
    data = CRAFTED[name]()
    tracemalloc.start()
    try:
        try:
            table = read_table(data)
        except UnreadableFile as error:
            assert "。" in str(error)  # a sentence in Japanese for the staff member
        else:
            assert len(table.rows) <= 2000 and len(table.headers) <= 60
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, f"{name}: {peak / 1e6:.0f} MB"


def test_oversized_files_are_refused_with_the_reason(client, auth, factory):
    factory.staff(email="staff@example.jp")
    auth.login(email="staff@example.jp")
    # (Files under 500 KB: the test client spools larger bodies to a file it never closes.)
    for name, reason in [("csv of 100,000 rows", "行が多すぎます"), ("csv a,b then 400 KB of commas", "列が多すぎます")]:
        response = post_form(client, "/staff/registry/import", {"file": (io.BytesIO(CRAFTED[name]()), "名簿.csv")},
                             token_from="/staff/registry/", content_type="multipart/form-data")
        assert response.status_code == 422, name
        assert reason in response.get_data(as_text=True)


def test_a_sheet_claiming_sixteen_thousand_columns_is_read_by_its_real_cells(client, auth, factory):
    factory.staff(email="staff@example.jp")
    auth.login(email="staff@example.jp")
    data = CRAFTED["xlsx claiming 16,384 x 2,000 cells"]()
    response = post_form(client, "/staff/registry/import", {"file": (io.BytesIO(data), "名簿.xlsx")},
                         token_from="/staff/registry/", content_type="multipart/form-data")
    assert response.status_code == 302
    mapping = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "団体名" in mapping and "滝山自治会" in mapping
