"""Issue 11 in Chromium at phone width: a resident posts an issue → staff change its status → the
resident sees the notice in お知らせ → three other residents report it → it is hidden (the page
shows 「市が非公開にしました」) → staff restore it from the moderation queue → the text is back."""
import re

import pytest

from tests.e2e.actions import login_as, logout

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TITLE = "公園のベンチが壊れています"
BODY = "滝山の児童公園のベンチの板が割れていて、座ると危ないです。"


def test_post_status_notice_reports_hide_and_restore(live_server, new_page, factory):
    base = live_server
    resident = factory.user(email="poster@example.jp", display_name="投稿する住民")
    staff = factory.staff(email="staff@example.jp")
    reporters = [factory.user(email=f"reporter{i}@example.jp", display_name=f"通報する住民{i}") for i in range(3)]
    page = new_page()

    login_as(page, base, resident.email)
    page.goto(base + "/issues/new")
    page.get_by_label("タイトル").fill(TITLE)
    page.get_by_label("内容").fill(BODY)
    page.get_by_label("町名").select_option(label="滝山")
    page.get_by_role("button", name="投稿する").click()
    page.wait_for_url(re.compile(r"/issues/\d+$"))
    issue_url = page.url
    logout(page)

    login_as(page, base, staff.email)
    page.goto(issue_url)
    page.get_by_label("新しい状態").select_option(label="対応中")
    page.get_by_label("理由").fill("担当課が現地を確認します。")
    page.get_by_role("button", name="状態を変更する").click()
    page.wait_for_url(issue_url)
    logout(page)

    login_as(page, base, resident.email)
    page.goto(base + "/notifications/")
    notices = page.locator("main").inner_text()
    assert TITLE in notices and "対応中" in notices and "担当課が現地を確認します。" in notices
    logout(page)

    for reporter in reporters:
        login_as(page, base, reporter.email)
        page.goto(issue_url)
        page.get_by_role("link", name="この地域課題を通報する").click()
        page.get_by_label("宣伝・スパム").check()
        page.get_by_role("button", name="通報する").click()
        page.wait_for_url(issue_url)
        logout(page)

    page.goto(issue_url)
    notice = page.locator(".hidden-notice")
    assert "市が非公開にしました（3人から通報があったため" in notice.inner_text()
    assert TITLE not in page.locator("main").inner_text() and BODY not in page.locator("main").inner_text()

    login_as(page, base, staff.email)
    page.goto(base + "/staff/moderation")
    page.get_by_role("link", name="内容を確認して判断する").first.click()
    assert BODY in page.locator("main").inner_text()
    page.get_by_label("公開する（再公開・公開のまま）").check()
    page.get_by_label("理由").fill("確認したところ、問題のない内容でした。")
    page.get_by_role("button", name="決定する").click()
    page.wait_for_url(base + "/staff/moderation")
    logout(page)

    page.goto(issue_url)
    assert page.locator(".hidden-notice").count() == 0
    assert TITLE in page.get_by_role("heading", level=1).inner_text()
    assert BODY in page.locator("main").inner_text()
