from webapp.models import IssueStatus, OrgKind, RecordSource
from webapp.services import issues as issue_service


def test_top_page_is_japanese_and_lists_the_23_towns(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert html.count('class="town-card"') == 23
    for town in ("滝山", "ひばりが丘団地", "柳窪", "南沢"):
        assert town in html
    assert "東地区" in html and "西地区" in html


def test_top_page_counts_organizations_and_open_issues_per_town(client, factory):
    owner = factory.user()
    factory.organization(owner=owner, towns=("滝山", "南沢"))
    factory.issue(reporter=owner, town="滝山")
    html = client.get("/").get_data(as_text=True)
    takiyama = html[html.index(">滝山<"):]
    takiyama = takiyama[: takiyama.index("</li>")]
    assert "団体 1" in takiyama and "課題 1" in takiyama


def test_pages_are_readable_on_a_phone(client):
    html = client.get("/").get_data(as_text=True)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    with client.get("/static/kyodo.css") as response:
        assert "@media (max-width" in response.get_data(as_text=True)


def test_organization_list_filters_by_kind_town_and_theme(client, factory):
    welfare = factory.theme("health_welfare")
    factory.organization(name="見守りの会", towns=("滝山",), theme_ids=[welfare.id])
    factory.organization(name="滝山自治会", kind=OrgKind.TERRITORIAL, towns=("滝山",))
    factory.organization(name="南沢の川を守る会", towns=("南沢",))
    html = client.get("/orgs/?kind=thematic").get_data(as_text=True)
    assert "見守りの会" in html and "南沢の川を守る会" in html and "滝山自治会" not in html
    takiyama = factory.area("滝山").id
    html = client.get(f"/orgs/?area={takiyama}").get_data(as_text=True)
    assert "見守りの会" in html and "滝山自治会" in html and "南沢の川を守る会" not in html
    html = client.get(f"/orgs/?theme={welfare.id}").get_data(as_text=True)
    assert "見守りの会" in html and "滝山自治会" not in html


def test_bad_filter_values_are_ignored_not_errors(client):
    for query in ("kind=zzz", "area=abc", "theme=-1", "page=0", "page=99999999999999", "area=9999"):
        assert client.get(f"/orgs/?{query}").status_code == 200
        assert client.get(f"/issues/?{query.replace('kind', 'status')}").status_code == 200


def test_lists_are_paginated(client, factory):
    for n in range(23):
        factory.organization(name=f"団体{n:02d}")
    first = client.get("/orgs/").get_data(as_text=True)
    second = client.get("/orgs/?page=2").get_data(as_text=True)
    assert "1 / 2 ページ（全23件）" in first
    assert first.count('class="card"') == 20 and second.count('class="card"') == 3


def test_private_contact_and_member_emails_are_hidden_from_the_public(client, auth, factory):
    owner = factory.user(email="owner@example.jp")
    org = factory.organization(owner=owner, public_contact="公開連絡先 042-000-0000",
                               private_contact="代表の携帯 090-1111-2222")
    factory.user(email="stranger@example.jp")

    anonymous = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "公開連絡先 042-000-0000" in anonymous
    assert "090-1111-2222" not in anonymous and "owner@example.jp" not in anonymous

    auth.login(email="stranger@example.jp")
    stranger = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "090-1111-2222" not in stranger and "owner@example.jp" not in stranger
    auth.logout()

    auth.login(email="owner@example.jp")
    member = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "090-1111-2222" in member and "owner@example.jp" in member


def test_staff_see_private_contact(client, auth, factory):
    factory.staff(email="staff@example.jp")
    org = factory.organization(private_contact="非公開 090-3333-4444")
    auth.login(email="staff@example.jp")
    assert "090-3333-4444" in client.get(f"/orgs/{org.id}").get_data(as_text=True)


def test_issue_detail_hides_the_reporter_unless_they_chose_otherwise(client, factory):
    reporter = factory.user(display_name="山田花子")
    hidden = factory.issue(reporter=reporter, title="匿名の投稿")
    shown = factory.issue(reporter=reporter, title="名前を出す投稿", show_reporter_name=True)
    hidden_html = client.get(f"/issues/{hidden.id}").get_data(as_text=True)
    assert "山田花子" not in hidden_html and issue_service.ANONYMOUS_REPORTER in hidden_html
    assert "山田花子" in client.get(f"/issues/{shown.id}").get_data(as_text=True)


def test_issue_detail_shows_status_history_and_comments(client, factory, db):
    reporter = factory.user()
    staff = factory.staff()
    issue = factory.issue(reporter=reporter, title="公園の街灯が切れている")
    issue_service.add_comment(db, issue_id=issue.id, author=reporter, body="夜は真っ暗です")
    issue_service.change_status(db, issue_id=issue.id, new_status=IssueStatus.IN_PROGRESS,
                                reason="担当課に連絡しました", staff=staff)
    db.commit()
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "夜は真っ暗です" in html
    assert "受付中 → 対応中：担当課に連絡しました" in html


def test_issue_list_filters_by_status_and_town(client, factory, db):
    reporter = factory.user()
    staff = factory.staff()
    open_issue = factory.issue(reporter=reporter, title="滝山の課題", town="滝山")
    factory.issue(reporter=reporter, title="南沢の課題", town="南沢")
    done = factory.issue(reporter=reporter, title="解決した課題", town="滝山")
    issue_service.change_status(db, issue_id=done.id, new_status=IssueStatus.RESOLVED,
                                reason="解決しました", staff=staff)
    db.commit()
    html = client.get(f"/issues/?area={factory.area('滝山').id}").get_data(as_text=True)
    assert "滝山の課題" in html and "解決した課題" in html and "南沢の課題" not in html
    html = client.get("/issues/?status=open").get_data(as_text=True)
    assert "滝山の課題" in html and "解決した課題" not in html
    assert open_issue.id


def test_missing_pages_answer_404_in_japanese(client):
    for url in ("/orgs/999999", "/issues/999999", "/no-such-page"):
        response = client.get(url)
        assert response.status_code == 404
        assert "見つかりませんでした" in response.get_data(as_text=True)


def test_demo_rows_are_labelled(client, factory, db):
    org = factory.organization(name="架空の会")
    org.source = RecordSource.DEMO
    db.add(org)
    db.commit()
    assert "デモ用の架空の団体です" in client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "デモ（架空）" in client.get("/orgs/").get_data(as_text=True)
