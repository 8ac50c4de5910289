
import pytest
from sqlmodel import select

from tests.webclient import field_error, post_form
from webapp.models import Issue, IssueStatus, Notification, NotificationKind, OrgKind

pytestmark = pytest.mark.sudachi


def _issue_form(factory, **overrides):
    data = {"title": "団地で一人暮らしの母が心配です",
            "body": "滝山の団地で一人暮らしをしている高齢の母の様子を、ときどき見に来てくれる人はいないでしょうか。",
            "area": str(factory.area("滝山").id), "action": "save"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("field, overrides, message", [
    ("title", {"title": ""}, "タイトルを入力してください。"),
    ("body", {"body": "   "}, "内容を入力してください。"),
    ("area", {"area": "0"}, "町名を選んでください。"),
    ("area", {"area": "99999"}, "一覧から選んでください"),
    ("title", {"title": "あ" * 121}, "120文字以内"),
])
def test_bad_issue_input_is_shown_next_to_the_field_and_nothing_is_stored(client, auth, factory, db, field, overrides, message):
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    response = post_form(client, "/issues/new", _issue_form(factory, **overrides))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert db.exec(select(Issue)).all() == []


def test_posting_an_issue_hides_the_name_unless_chosen(client, auth, factory, db):
    factory.user(email="r@example.jp", display_name="山田太郎")
    auth.login(email="r@example.jp")
    response = post_form(client, "/issues/new", _issue_form(factory))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "匿名の住民" in page and "山田太郎 さん" in page  # the header greets them; the issue does not name them
    assert page.count("山田太郎") == 1


def test_similar_open_issues_appear_while_writing_and_unrelated_ones_do_not(client, auth, factory):
    reporter = factory.user()
    existing = factory.issue(reporter=reporter, town="滝山", title="一人暮らしの母の見守り",
                             body="団地で一人暮らしの高齢の母が転んでいないか心配です。見守ってくれる人がほしい。")
    factory.issue(reporter=reporter, town="南沢", title="川のごみ", body="川べりにペットボトルが捨てられている。")
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    draft = {"title": "母が一人暮らしで心配", "body": "滝山の団地の高齢の母が一人で暮らしていて心配です。"}
    html = post_form(client, "/issues/similar", {**draft, "area": factory.area("滝山").id},
                     token_from="/issues/new").get_data(as_text=True)
    assert "一人暮らしの母の見守り" in html and "川のごみ" not in html
    assert f'formaction="/issues/{existing.id}/support"' in html
    # No town chosen yet (the form's 「選んでください」 is 0): title and body are enough.
    for area in ("0", ""):
        html = post_form(client, "/issues/similar", {**draft, "area": area}, token_from="/issues/new").get_data(as_text=True)
        assert "一人暮らしの母の見守り" in html
    unrelated = post_form(client, "/issues/similar", {"title": "図書館の開館時間", "body": "図書館を夜も開けてほしい"},
                          token_from="/issues/new").get_data(as_text=True)
    assert "一人暮らしの母の見守り" not in unrelated
    assert client.post("/issues/similar", data=draft).status_code == 400  # no CSRF token


def test_the_same_town_comes_first_among_similar_issues(client, auth, factory):
    reporter = factory.user()
    body = "一人暮らしの高齢の母が転んでいないか心配です。見守ってくれる人がほしい。"
    factory.issue(reporter=reporter, town="南沢", title="一人暮らしの母の見守り（南沢）", body=body)
    factory.issue(reporter=reporter, town="滝山", title="一人暮らしの母の見守り（滝山）", body=body)
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    for town in ("滝山", "南沢"):
        html = post_form(client, "/issues/similar", {"title": "母が一人暮らしで心配", "body": body,
                                                     "area": factory.area(town).id},
                         token_from="/issues/new").get_data(as_text=True)
        others = {"滝山": "南沢", "南沢": "滝山"}[town]
        assert html.index(f"（{town}）") < html.index(f"（{others}）")


def test_checking_shows_similar_issues_and_themes_without_posting(client, auth, factory, db):
    factory.issue(reporter=factory.user(), town="滝山", title="一人暮らしの母の見守り",
                  body="団地で一人暮らしの高齢の母が心配です。")
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    response = post_form(client, "/issues/new", _issue_form(factory, action="check"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "一人暮らしの母の見守り" in html
    welfare = factory.theme("health_welfare")
    item = html[html.index(f'name="themes" value="{welfare.id}"'):]
    assert "おすすめ" in item[: item.index("</li>")]
    assert item.startswith(f'name="themes" value="{welfare.id}" checked')  # pre-ticked, not only marked
    assert len(db.exec(select(Issue)).all()) == 1


def test_owners_of_matching_organizations_are_notified_of_a_new_issue(client, auth, factory, db):
    owner = factory.user()
    factory.organization(owner=owner, name="見守りボランティア", towns=("滝山",),
                         description="一人暮らしの高齢者を訪ねて見守る活動をしています。")
    unrelated_owner = factory.user()
    factory.organization(owner=unrelated_owner, name="囲碁の会", towns=("滝山",), description="囲碁を楽しむ会です。")
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    post_form(client, "/issues/new", _issue_form(factory))
    notified = {n.user_id for n in db.exec(select(Notification).where(Notification.kind == NotificationKind.MATCHING_ISSUE))}
    assert owner.id in notified and unrelated_owner.id not in notified


def test_staff_change_status_through_the_page_and_others_cannot(client, auth, factory, db):
    issue = factory.issue(reporter=factory.user())
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    response = post_form(client, f"/issues/{issue.id}/status", {"status": "resolved", "reason": "解決"},
                         token_from=f"/issues/{issue.id}")
    assert response.status_code == 403
    auth.logout()
    factory.staff(email="s@example.jp")
    auth.login(email="s@example.jp")
    missing = post_form(client, f"/issues/{issue.id}/status", {"status": "resolved", "reason": ""},
                        token_from=f"/issues/{issue.id}")
    assert missing.status_code == 422 and "理由を入力してください" in field_error(missing.get_data(as_text=True), "reason")
    post_form(client, f"/issues/{issue.id}/status", {"status": "in_progress", "reason": "担当課に連絡しました"},
              token_from=f"/issues/{issue.id}")
    db.expire_all()
    assert db.get(Issue, issue.id).status == IssueStatus.IN_PROGRESS
    assert "受付中 → 対応中：担当課に連絡しました" in client.get(f"/issues/{issue.id}").get_data(as_text=True)


def test_support_and_comments_through_the_page(client, auth, factory, db):
    issue = factory.issue(reporter=factory.user())
    factory.user(email="n@example.jp", display_name="となりの人")
    auth.login(email="n@example.jp")
    post_form(client, f"/issues/{issue.id}/support", {}, token_from=f"/issues/{issue.id}")
    assert "1人（あなたも共感しています）" in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    empty = post_form(client, f"/issues/{issue.id}/comments", {"body": ""}, token_from=f"/issues/{issue.id}")
    assert empty.status_code == 422
    post_form(client, f"/issues/{issue.id}/comments", {"body": "同じことで困っています"}, token_from=f"/issues/{issue.id}")
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "同じことで困っています" in html and "となりの人" in html


def test_issue_page_explains_its_suggestions(client, factory):
    reporter = factory.user()
    factory.organization(kind=OrgKind.TERRITORIAL, name="滝山自治会", towns=("滝山",), description="団地の自治会")
    factory.organization(name="見守りの会", towns=("滝山",), description="お年寄りの見守り訪問をしています。")
    issue = factory.issue(reporter=reporter, town="滝山", title="高齢者の見守り",
                          body="一人暮らしの高齢者が増えています。見守りをしてくれる団体はありますか。")
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    thematic = html[html.index('aria-labelledby="thematic-heading"'):]
    thematic = thematic[: thematic.index("</ul>\n")]
    assert "見守りの会" in thematic and "共通することば" in thematic and "滝山" in thematic
