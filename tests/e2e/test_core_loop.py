"""The whole core loop in Chromium at phone width: register → create a territorial and a thematic
organization → post an issue → both are suggested with reasons → form a 協議体 → invite → accept →
the public page shows it."""
import re

import pytest

from tests.e2e.actions import login, logout, register

pytestmark = [pytest.mark.e2e, pytest.mark.slow]









def create_org(page, base, *, kind_label, category, name, description, offers, needs, town):
    page.goto(base + "/orgs/new")
    page.get_by_label(kind_label).check()
    page.get_by_label("区分").select_option(label=category)
    page.get_by_label("団体名").fill(name)
    page.get_by_label("団体の紹介").fill(description)
    page.get_by_label("提供できること").fill(offers)
    page.get_by_label("求めていること").fill(needs)
    page.locator("fieldset", has_text="活動している町").get_by_label(town, exact=True).check()
    page.get_by_role("button", name="登録する").click()
    page.wait_for_url(re.compile(r"/orgs/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_core_loop(live_server, new_page, mailbox):
    base = live_server
    page = new_page()

    register(page, base, "kaicho@example.jp", "滝山の会長", mailbox)
    jichikai = create_org(page, base, kind_label="地縁型", category="自治会", name="滝山けやき自治会",
                          description="滝山の団地の自治会です。高齢の一人暮らしの世帯が増えています。",
                          offers="集会所を貸し出せます。", needs="一人暮らしの高齢者の見守りを一緒にしてくれる団体を探しています。",
                          town="滝山")
    logout(page)

    register(page, base, "npo@example.jp", "見守りNPOの代表", mailbox)
    npo = create_org(page, base, kind_label="目的型", category="NPO法人", name="NPO法人 見守りの輪",
                     description="一人暮らしの高齢者を週に一度訪ねる見守り活動をしています。",
                     offers="訪問と電話による安否確認", needs="訪問先を紹介してくれる地域の団体", town="滝山")
    logout(page)

    register(page, base, "resident@example.jp", "滝山の住民", mailbox)
    page.goto(base + "/issues/new")
    page.get_by_label("タイトル").fill("一人暮らしの母が心配です")
    page.get_by_label("内容").fill("滝山の団地で一人で暮らす高齢の母の様子を、ときどき見に来てくれる人はいないでしょうか。")
    page.get_by_label("町名").select_option(label="滝山")
    page.get_by_role("button", name="投稿する").click()
    page.wait_for_url(re.compile(r"/issues/\d+$"))
    issue_url = page.url

    territorial = page.get_by_role("list", name="地域の団体（地縁型）")
    thematic = page.get_by_role("list", name="テーマの団体（目的型）")
    assert "滝山けやき自治会" in territorial.inner_text()
    assert "NPO法人 見守りの輪" in thematic.inner_text()
    assert "共通することば" in thematic.inner_text()
    assert "滝山" in territorial.inner_text()
    logout(page)

    login(page, base, "kaicho@example.jp")
    page.goto(issue_url)
    page.get_by_role("link", name="この案で協議体を提案する").click()
    page.get_by_label("市民が主体").check()
    page.get_by_label("提案する団体").select_option(label="滝山けやき自治会")
    invite_box = page.locator("fieldset", has_text="招待する団体").get_by_label(re.compile("見守りの輪"))
    assert invite_box.is_checked()
    page.get_by_role("button", name="提案して招待を送る").click()
    page.wait_for_url(re.compile(r"/consortia/\d+$"))
    consortium_url = page.url
    assert "結成準備中" in page.locator("h1 + p").inner_text()
    logout(page)

    login(page, base, "npo@example.jp")
    page.goto(base + "/notifications/")
    assert "協議体" in page.locator("main").inner_text()
    page.goto(consortium_url)
    page.get_by_label("参加する").check()
    page.get_by_label("メッセージ（任意）").fill("ぜひ一緒に取り組みます。")
    page.get_by_role("button", name="回答する").click()
    page.wait_for_url(consortium_url)
    logout(page)

    public = new_page(1280, 900)
    public.goto(consortium_url)
    text = public.locator("main").inner_text()
    assert "活動中" in text
    assert "滝山けやき自治会" in text and "NPO法人 見守りの輪" in text
    assert "一人暮らしの母が心配です" in text
    assert jichikai != npo
