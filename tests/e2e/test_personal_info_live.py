"""The live personal-information check in Chromium at phone width: the warning appears under the
field while the resident types, names what was found, and goes away when it is removed."""
import pytest

from tests.e2e.actions import register

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_warning_appears_under_the_field_while_typing(live_server, new_page, mailbox):
    base = live_server
    page = new_page()
    register(page, base, "writer@example.jp", "書く人", mailbox)
    page.goto(base + "/issues/new")
    body = page.get_by_label("内容")
    body.press_sequentially("街灯が消えています。連絡は０９０ー１２３４ー５６７８へ", delay=5)
    warning = page.locator("#body-personal-info")
    warning.wait_for(state="visible")
    assert "電話番号（０９０ー１２３４ー５６７８）" in warning.inner_text()
    assert "body-personal-info" in body.get_attribute("aria-describedby")
    body.fill("街灯が消えています。3丁目の交差点です。")
    body.press("End")
    body.press_sequentially("2024年から", delay=5)
    warning.wait_for(state="hidden")
    title = page.get_by_label("タイトル")
    title.fill("滝山1-2-3の前")
    title.press_sequentially("の街灯", delay=5)
    page.locator("#title-personal-info").wait_for(state="visible")
    assert "番地までの住所" in page.locator("#title-personal-info").inner_text()
