"""The poster corrects and then withdraws an issue in Chromium at phone width; the issue page
with its 修正の履歴 (opened) and as withdrawn has no axe violation at either width."""
import pytest

from tests.e2e.actions import login_as
from tests.e2e.test_accessibility import WIDTHS, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_poster_edits_then_withdraws_and_the_pages_stay_accessible(live_server, new_page, factory):
    poster = factory.user(email="poster@example.jp")
    issue = factory.issue(reporter=poster, title="街灯が消えている", body="滝山の公園の前の街灯が消えています。")
    base = live_server
    page = new_page(width=WIDTHS["phone"], height=900, bypass_csp=True)
    login_as(page, base, "poster@example.jp")
    page.goto(f"{base}/issues/{issue.id}")
    page.get_by_role("link", name="内容を修正する").click()
    page.get_by_label("タイトル").fill("公園前の街灯が消えている")
    page.get_by_label("内容").fill("滝山の公園の前の街灯が三日前から消えています。")
    page.get_by_role("button", name="修正を保存する").click()
    page.get_by_role("heading", name="修正の履歴").wait_for()
    assert "街灯が消えている → 公園前の街灯が消えている" in page.content()
    page.get_by_text("変更前との違いを見る").click()
    assert page.locator(".diff-list p.prose ins").first.inner_text() == "三日前から"
    found = {}
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        found[f"edited {name}"] = axe_violations(page)

    page.get_by_role("link", name="取り下げる").click()
    page.get_by_label("取り下げの理由").fill("市に電話して直してもらえました")
    page.get_by_role("button", name="確認へ進む").click()
    page.get_by_role("button", name="取り下げを確定する").click()
    page.get_by_text("投稿者が取り下げました（市に電話して直してもらえました）").wait_for()
    assert page.get_by_role("link", name="内容を修正する").count() == 0
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        found[f"withdrawn {name}"] = axe_violations(page)
    assert not any(found.values()), found
