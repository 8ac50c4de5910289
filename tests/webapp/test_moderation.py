"""Reporting (通報), the moderation queue, hiding and restoring, and the NGワード list (issue 11).

A hidden issue or organization must be absent from every surface (search, the API, the export,
suggestions in both directions, lists) and come back after restore: one test per surface below."""
from __future__ import annotations

from datetime import UTC, datetime

import jsonschema
import pytest
from sqlmodel import Session, select

from tests.webclient import post_form
from webapp.models import (
    AuditEntry,
    ContentReport,
    ModerationCase,
    Notification,
    NotificationKind,
    OrgKind,
    ReportReason,
)
from webapp.services import exports, moderation, moderation_queue, ng_words, personal_info, search, suggestions
from webapp.services import issues as issue_service
from webapp.services.errors import Conflict, Forbidden


def _fresh(db) -> Session:
    """The test's session, reading what the requests committed since (no second connection left
    open: it would hold the schema the test drops at the end)."""
    db.commit()
    db.expire_all()
    return db


def _report(db, item, entity, reporter, reason=ReportReason.SPAM, text="", n=3):
    row = moderation.report(db, entity=entity, entity_id=item.id, reporter=reporter, reason=reason, text=text,
                            reports_to_hide=n)
    db.commit()
    return row


def _hide(db, staff, entity, item_id, reason="個人の電話番号が書かれていたため"):
    moderation.decide(db, entity=entity, entity_id=item_id, staff=staff, action=moderation.HIDE, reason=reason)
    db.commit()


def _restore(db, staff, entity, item_id, reason="確認したところ問題ありませんでした"):
    moderation.decide(db, entity=entity, entity_id=item_id, staff=staff, action=moderation.RESTORE, reason=reason)
    db.commit()


@pytest.fixture
def people(factory):
    return {"poster": factory.user(display_name="投稿した人"), "staff": factory.staff(email="staff@example.jp"),
            "others": [factory.user(display_name=f"通報した人{i}") for i in range(4)]}


# ---------------------------------------------------------------- reporting
def test_a_report_needs_a_reason_and_other_needs_a_text(db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    with pytest.raises(Conflict) as error:
        _report(db, issue, moderation.ISSUE, people["others"][0], reason=ReportReason.OTHER, text="  ")
    assert error.value.field == "text"
    _report(db, issue, moderation.ISSUE, people["others"][0], reason=ReportReason.OTHER, text="内容が重複しています")
    assert db.exec(select(ContentReport)).one().text == "内容が重複しています"


def test_one_report_per_person_and_item_and_none_on_ones_own(db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    _report(db, issue, moderation.ISSUE, people["others"][0])
    with pytest.raises(Conflict, match="すでに通報"):
        _report(db, issue, moderation.ISSUE, people["others"][0], reason=ReportReason.ABUSE)
    db.rollback()
    with pytest.raises(Conflict, match="ご自身"):
        _report(db, issue, moderation.ISSUE, people["poster"])
    db.rollback()
    assert len(db.exec(select(ContentReport)).all()) == 1


def test_an_unconfirmed_account_cannot_report(db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    with pytest.raises(Forbidden):
        _report(db, issue, moderation.ISSUE, factory.user(confirmed=False))


def test_the_nth_report_hides_the_item_once_and_tells_the_author_not_who(db, factory, people):
    issue = factory.issue(reporter=people["poster"], title="騒音の件")
    for reporter in people["others"][:2]:
        _report(db, issue, moderation.ISSUE, reporter)
    assert not moderation.is_hidden(db, entity=moderation.ISSUE, entity_id=issue.id)
    _report(db, issue, moderation.ISSUE, people["others"][2])
    assert moderation.is_hidden(db, entity=moderation.ISSUE, entity_id=issue.id)
    _report(db, issue, moderation.ISSUE, people["others"][3])  # a 4th does not hide again
    actions = [e.action for e in db.exec(select(AuditEntry).where(AuditEntry.entity == "issue"))]
    assert actions.count("auto_hide") == 1 and actions.count("report") == 4
    notes = db.exec(select(Notification).where(Notification.kind == NotificationKind.MODERATION)).all()
    assert [n.user_id for n in notes] == [people["poster"].id]
    assert "騒音の件" in notes[0].message
    assert not any(p.display_name in notes[0].message for p in people["others"])


def test_the_threshold_is_a_setting(db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    _report(db, issue, moderation.ISSUE, people["others"][0], n=1)
    assert moderation.is_hidden(db, entity=moderation.ISSUE, entity_id=issue.id)


# ---------------------------------------------------------------- staff decisions
def test_staff_hide_and_restore_with_a_reason_and_the_author_hears_both(db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    with pytest.raises(Conflict) as error:
        moderation.decide(db, entity="issue", entity_id=issue.id, staff=people["staff"], action="hide", reason=" ")
    assert error.value.field == "reason"
    with pytest.raises(Forbidden):
        moderation.decide(db, entity="issue", entity_id=issue.id, staff=people["poster"], action="hide", reason="x")
    _hide(db, people["staff"], "issue", issue.id)
    with pytest.raises(Conflict, match="すでに非公開"):
        _hide(db, people["staff"], "issue", issue.id)
    db.rollback()
    _restore(db, people["staff"], "issue", issue.id)
    with pytest.raises(Conflict, match="すでに公開"):
        _restore(db, people["staff"], "issue", issue.id)
    db.rollback()
    messages = [n.message for n in db.exec(select(Notification).where(
        Notification.kind == NotificationKind.MODERATION).order_by(Notification.id))]
    assert len(messages) == 2 and "非公開" in messages[0] and "個人の電話番号" in messages[0] and "再び公開" in messages[1]
    actions = [e.action for e in db.exec(select(AuditEntry).where(AuditEntry.entity == "issue")
                                         .order_by(AuditEntry.id))]
    assert actions[-2:] == ["hide", "restore"]


def test_a_decision_on_a_stale_page_is_refused(db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    _report(db, issue, moderation.ISSUE, people["others"][0])
    seen = db.exec(select(ModerationCase)).one().version
    _report(db, issue, moderation.ISSUE, people["others"][1])  # a new report since the page was opened
    with pytest.raises(Conflict, match="先に対応"):
        moderation.decide(db, entity="issue", entity_id=issue.id, staff=people["staff"], action="hide",
                          reason="確認しました", version=seen)


def test_keeping_a_reported_item_public_clears_it_from_the_queue(db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    _report(db, issue, moderation.ISSUE, people["others"][0])
    assert [i.entity_id for i in moderation_queue.queue(db)[0]] == [issue.id]
    _restore(db, people["staff"], "issue", issue.id, reason="問題のない内容です")
    assert moderation_queue.queue(db) == ([], [])
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "keep")).one()
    assert not db.exec(select(Notification).where(Notification.kind == NotificationKind.MODERATION)).all()


def test_the_queue_lists_reported_hidden_and_guarded_posts_newest_first(db, factory, people):
    first = factory.issue(reporter=people["poster"], title="一つ目")
    second = factory.issue(reporter=people["poster"], title="二つ目")
    personal_info.record_posted_anyway(db, actor=people["poster"], entity="issue", entity_id=first.id,
                                       texts={"title": first.title, "body": "電話は090-1234-5678です"})
    db.commit()
    _report(db, second, moderation.ISSUE, people["others"][0], reason=ReportReason.PERSONAL_INFO)
    waiting, hidden = moderation_queue.queue(db)
    assert [(i.title, i.cause) for i in waiting] == [("二つ目", "通報"), ("一つ目", "個人情報の警告後に投稿")]
    assert waiting[0].reasons == [("個人情報", 1)]
    _hide(db, people["staff"], "issue", first.id)
    waiting, hidden = moderation_queue.queue(db)
    assert [i.title for i in waiting] == ["二つ目"] and [i.title for i in hidden] == ["一つ目"]
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == personal_info.POSTED_ANYWAY)).one()
    db.refresh(entry)
    assert entry.details["review"] == "done"


def test_every_action_is_in_the_audit_log_with_readable_details(client, auth, db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    _report(db, issue, moderation.ISSUE, people["others"][0], reason=ReportReason.ABUSE)
    _hide(db, people["staff"], "issue", issue.id, reason="誹謗中傷を確認")
    auth.login("staff@example.jp")
    html = client.get("/staff/audit?entity=issue").get_data(as_text=True)
    assert "通報の理由" in html and "誹謗中傷" in html and "判断の理由" in html and "誹謗中傷を確認" in html


# ---------------------------------------------------------------- what a hidden item looks like
def test_a_hidden_issue_shows_the_notice_in_place_of_its_text(client, auth, db, factory, people):
    issue = factory.issue(reporter=people["poster"], title="秘密のタイトル", body="秘密の本文です。")
    _hide(db, people["staff"], "issue", issue.id, reason="個人情報のため")
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "市が非公開にしました（個人情報のため）" in html
    assert "秘密のタイトル" not in html and "秘密の本文" not in html
    auth.login(people["poster"].email)  # the author still sees their own text, marked
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "市が非公開にしました（個人情報のため）" in html and "秘密の本文" in html and "あなたにだけ" in html
    auth.logout()
    auth.login("staff@example.jp")
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "秘密の本文" in html and "職員には内容を表示" in html and "公開の判断（職員）" in html


def test_a_hidden_comment_shows_the_notice(client, auth, db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    comment = issue_service.add_comment(db, issue_id=issue.id, author=people["others"][0], body="ひどいコメント")
    db.commit()
    _hide(db, people["staff"], "comment", comment.id, reason="誹謗中傷")
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "市が非公開にしました（誹謗中傷）" in html and "ひどいコメント" not in html
    data = client.get(f"/api/v1/issues/{issue.id}").get_json()
    assert data["comments"][0]["body"] == "市が非公開にしました（誹謗中傷）" and data["comments"][0]["hidden"]
    spec = client.get("/api/v1/openapi.json").get_json()
    jsonschema.validate(data, {"$ref": "#/components/schemas/Issue", "components": spec["components"]})


def test_a_hidden_organization_profile_shows_the_notice(client, db, factory, people):
    org = factory.organization(name="あやしい団体", description="怪しい宣伝文です。")
    _hide(db, people["staff"], "organization", org.id, reason="宣伝のため")
    html = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "市が非公開にしました（宣伝のため）" in html
    assert "あやしい団体" not in html and "怪しい宣伝文" not in html


# ---------------------------------------------------------------- every surface, both ways
@pytest.fixture
def matched(factory, people):
    """A 見守り issue in 滝山 and the two organizations the matching engine puts forward for it."""
    welfare = factory.theme("health_welfare").id
    jichikai = factory.organization(name="滝山見守り自治会", kind=OrgKind.TERRITORIAL, towns=("滝山",),
                                    description="高齢者の見守りと声かけを続けている自治会です。", theme_ids=[welfare],
                                    offers="見守りの担い手", needs="専門的な相談先")
    npo = factory.organization(name="見守りサポートの会", kind=OrgKind.THEMATIC, towns=("滝山",),
                               description="高齢者の見守りと相談を専門にするNPOです。", theme_ids=[welfare],
                               offers="専門的な相談", needs="見守りの担い手")
    issue = factory.issue(reporter=people["poster"], title="一人暮らしの高齢者の見守り",
                          body="滝山で一人暮らしの高齢者が増え、見守りの担い手が足りません。", theme_ids=[welfare])
    return {"issue": issue, "jichikai": jichikai, "npo": npo}


def _both_ways(db, item_entity, item_id, staff, check):
    """check(present: bool) before hiding, while hidden, and after restoring."""
    check(True)
    _hide(db, staff, item_entity, item_id)
    check(False)
    _restore(db, staff, item_entity, item_id)
    check(True)


@pytest.mark.sudachi
def test_a_hidden_issue_leaves_search_and_comes_back(client, db, matched, people):
    issue = matched["issue"]

    def check(present):
        assert (("issue", issue.id) in {(h.type, h.id) for h in search.search(db, query="一人暮らし").items}) == present
        assert (issue.title in client.get("/search/?q=一人暮らし").get_data(as_text=True)) == present
    _both_ways(db, "issue", issue.id, people["staff"], check)


def test_a_hidden_issue_leaves_the_api_and_comes_back(client, db, matched, people):
    issue = matched["issue"]

    def check(present):
        ids = [i["id"] for i in client.get("/api/v1/issues").get_json()["items"]]
        assert (issue.id in ids) == present
        assert client.get(f"/api/v1/issues/{issue.id}").status_code == (200 if present else 404)
        assert client.get(f"/api/v1/issues/{issue.id}/suggestions").status_code == (200 if present else 404)
    _both_ways(db, "issue", issue.id, people["staff"], check)


def test_a_hidden_issue_leaves_the_export_and_the_list_and_comes_back(client, db, matched, people):
    issue = matched["issue"]

    def check(present):
        assert (issue.id in [r["id"] for r in exports.records(_fresh(db), "issues")]) == present
        assert (issue.title in client.get("/issues/").get_data(as_text=True)) == present
    _both_ways(db, "issue", issue.id, people["staff"], check)


@pytest.mark.sudachi
def test_a_hidden_issue_leaves_the_suggestions_and_the_index_and_comes_back(db, matched, people):
    issue = matched["issue"]

    def check(present):
        for org in (matched["jichikai"], matched["npo"]):
            shown = [s.issue_id for s in suggestions.for_organization(_fresh(db), org_id=org.id).issues]
            assert (issue.id in shown) == present
        similar = suggestions.similar_issues(_fresh(db), title=issue.title, body=issue.body)
        assert (issue.id in [s.issue_id for s in similar]) == present
    _both_ways(db, "issue", issue.id, people["staff"], check)


@pytest.mark.sudachi
def test_a_hidden_organization_leaves_search_and_comes_back(client, db, matched, people):
    org = matched["npo"]

    def check(present):
        assert (("organization", org.id) in {(h.type, h.id) for h in search.search(db, query="サポート").items}) == present
        assert (org.name in client.get("/search/?q=サポート").get_data(as_text=True)) == present
    _both_ways(db, "organization", org.id, people["staff"], check)


def test_a_hidden_organization_leaves_the_api_export_and_list_and_comes_back(client, db, matched, people):
    org = matched["npo"]

    def check(present):
        ids = [o["id"] for o in client.get("/api/v1/organizations?per_page=100").get_json()["items"]]
        assert (org.id in ids) == present
        assert client.get(f"/api/v1/organizations/{org.id}").status_code == (200 if present else 404)
        assert (org.id in [r["id"] for r in exports.records(_fresh(db), "organizations")]) == present
        assert (org.name in client.get("/orgs/").get_data(as_text=True)) == present
    _both_ways(db, "organization", org.id, people["staff"], check)


@pytest.mark.sudachi
def test_a_hidden_organization_leaves_the_suggestions_and_comes_back(db, matched, people):
    org, other, issue = matched["npo"], matched["jichikai"], matched["issue"]

    def check(present):
        found = suggestions.for_issue(_fresh(db), issue_id=issue.id, max_age=0)
        ids = {s.organization_id for s in found.territorial + found.thematic + found.team}
        assert (org.id in ids) == present
        partners = [s.organization_id for s in suggestions.for_organization(_fresh(db), org_id=other.id).partners]
        assert (org.id in partners) == present
    _both_ways(db, "organization", org.id, people["staff"], check)


def test_hiding_records_a_change_every_worker_replays(db, matched, people):
    from webapp.models import IndexChange

    before = len(db.exec(select(IndexChange)).all())
    _hide(db, people["staff"], "issue", matched["issue"].id)
    _hide(db, people["staff"], "organization", matched["npo"].id)
    rows = db.exec(select(IndexChange).order_by(IndexChange.version)).all()[before:]
    assert [(r.entity, r.entity_id) for r in rows] == [("issue", matched["issue"].id),
                                                       ("organization", matched["npo"].id)]


# ---------------------------------------------------------------- the web flow
def test_reporting_through_the_form(client, auth, db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    auth.login(people["others"][0].email)
    page = client.get(f"/report/issue/{issue.id}").get_data(as_text=True)
    assert "個人情報" in page and "誹謗中傷" in page and "宣伝・スパム" in page and "関係のない内容" in page
    response = post_form(client, f"/report/issue/{issue.id}", {"reason": "other", "text": ""})
    assert response.status_code == 422 and "内容を書いてください" in response.get_data(as_text=True)
    response = post_form(client, f"/report/issue/{issue.id}", {"reason": "spam", "text": ""})
    assert response.status_code == 302
    assert "すでに通報" in client.get(f"/report/issue/{issue.id}").get_data(as_text=True)
    assert "ご自身の投稿" not in client.get(f"/report/issue/{issue.id}").get_data(as_text=True)
    exported = client.get("/account/export.json").get_json()  # the reporter's own data includes it
    assert [(r["item"], r["item_id"], r["reason"]) for r in exported["reports"]] == [("issue", issue.id, "spam")]


def test_the_report_link_is_on_issues_comments_and_profiles_but_not_ones_own(client, auth, db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    comment = issue_service.add_comment(db, issue_id=issue.id, author=people["others"][0], body="よい提案です")
    db.commit()
    org = factory.organization(name="公開の団体")
    auth.login(people["poster"].email)
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert f"/report/comment/{comment.id}" in html and f"/report/issue/{issue.id}" not in html
    assert f"/report/organization/{org.id}" in client.get(f"/orgs/{org.id}").get_data(as_text=True)


def test_staff_hide_and_restore_from_the_case_page(client, auth, db, factory, people):
    issue = factory.issue(reporter=people["poster"], body="見せたくない本文")
    auth.login("staff@example.jp")
    page = client.get(f"/staff/moderation/issue/{issue.id}").get_data(as_text=True)
    assert "見せたくない本文" in page
    response = post_form(client, f"/staff/moderation/issue/{issue.id}", {"action": "hide", "reason": ""},
                         token_from=f"/staff/moderation/issue/{issue.id}")
    assert response.status_code == 422 and "理由を入力" in response.get_data(as_text=True)
    response = post_form(client, f"/staff/moderation/issue/{issue.id}",
                         {"action": "hide", "reason": "確認のため", "version": "0"},
                         token_from=f"/staff/moderation/issue/{issue.id}")
    assert response.status_code == 302
    assert "確認のため" in client.get("/staff/moderation").get_data(as_text=True)
    response = post_form(client, f"/staff/moderation/issue/{issue.id}",
                         {"action": "hide", "reason": "もう一度", "version": "0"},
                         token_from=f"/staff/moderation/issue/{issue.id}")
    assert response.status_code == 422  # a stale page
    response = post_form(client, f"/staff/moderation/issue/{issue.id}",
                         {"action": "restore", "reason": "問題なし", "version": "1"},
                         token_from=f"/staff/moderation/issue/{issue.id}")
    assert response.status_code == 302
    assert not moderation.is_hidden(_fresh(db), entity="issue", entity_id=issue.id)


# ---------------------------------------------------------------- NGワード
def test_staff_add_and_remove_words_normalized(client, auth, db, people):
    auth.login("staff@example.jp")
    assert post_form(client, "/staff/ng-words", {"word": "バカ"}, token_from="/staff/ng-words").status_code == 302
    response = post_form(client, "/staff/ng-words", {"word": "ﾊﾞｶ"}, token_from="/staff/ng-words")
    assert response.status_code == 422 and "すでにあります" in response.get_data(as_text=True)
    words = ng_words.list_words(_fresh(db))
    assert [(w.word, w.normalized) for w in words] == [("バカ", "ばか")]
    assert post_form(client, f"/staff/ng-words/{words[0].id}/delete", {}, token_from="/staff/ng-words").status_code == 302
    assert ng_words.list_words(_fresh(db)) == []
    assert [e.action for e in _fresh(db).exec(select(AuditEntry).where(AuditEntry.entity == "ng_word"))] == ["add", "remove"]


def test_an_ng_word_is_caught_live_and_on_the_server_and_posting_anyway_queues_it(client, auth, db, factory, people):
    ng_words.add_word(db, word="ＳＰＡＭ", staff=people["staff"])
    db.commit()
    auth.login(people["poster"].email)
    live = post_form(client, "/issues/personal-info", {"text": "これはspamです"}, token_from="/issues/new").get_json()
    assert live["found"][0]["kind"] == "ng_word" and "NGワード" in live["message"] and "別の言い方" in live["message"]
    area = factory.area().id
    data = {"title": "お知らせ", "body": "これはＳｐａｍです", "area": str(area)}
    response = post_form(client, "/issues/new", data, token_from="/issues/new")
    assert response.status_code == 422 and "NGワード" in response.get_data(as_text=True)
    response = post_form(client, "/issues/new", {**data, "post_anyway": "y"}, token_from="/issues/new")
    assert response.status_code == 302
    session = _fresh(db)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == personal_info.NG_WORD_POSTED_ANYWAY)).one()
    assert entry.details["review"] == "pending"
    waiting, _ = moderation_queue.queue(session)
    assert [(i.entity_id, i.cause) for i in waiting] == [(entry.entity_id, "NGワードの警告後に投稿")]


def test_a_comment_with_personal_info_posted_anyway_is_in_the_queue(client, auth, db, factory, people):
    issue = factory.issue(reporter=people["poster"])
    auth.login(people["others"][0].email)
    response = post_form(client, f"/issues/{issue.id}/comments", {"body": "連絡は０９０－１２３４－５６７８へ", "post_anyway": "y"},
                         token_from=f"/issues/{issue.id}")
    assert response.status_code == 302
    waiting, _ = moderation_queue.queue(_fresh(db))
    assert [(i.entity, i.cause) for i in waiting] == [("comment", "個人情報の警告後に投稿")]


def test_the_queue_page_shows_waiting_items(client, auth, db, factory, people):
    issue = factory.issue(reporter=people["poster"], title="通報された課題")
    _report(db, issue, moderation.ISSUE, people["others"][0])
    auth.login("staff@example.jp")
    html = client.get("/staff/moderation").get_data(as_text=True)
    assert "通報された課題" in html and "確認待ちの通報 1件" in html and "宣伝・スパム 1" in html


def test_posts_made_anyway_before_the_queue_existed_are_queued_by_the_migration(empty_database_url):
    import sqlalchemy as sa

    from webapp.db import create_engine_for
    from webapp.migrate import upgrade
    from webapp.models import UTCDateTime

    upgrade(empty_database_url, "0007")
    engine = create_engine_for(empty_database_url)
    table = sa.table("auditentry", *(sa.column(c) for c in ("entity", "entity_id", "action", "summary", "proxy")),
                     sa.column("details", sa.JSON), sa.column("created_at", UTCDateTime()))
    with engine.begin() as connection:
        connection.execute(sa.insert(table), [
            {"entity": "comment", "entity_id": entity_id, "action": "personal_info_posted_anyway", "summary": "要確認",
             "proxy": False, "details": {"review": review}, "created_at": datetime(2026, 11, 1, tzinfo=UTC)}
            for entity_id, review in ((5, "pending"), (6, "done"))])
    engine.dispose()
    upgrade(empty_database_url)
    engine = create_engine_for(empty_database_url)
    with engine.begin() as connection:
        rows = connection.execute(sa.text(
            "SELECT entity, entity_id, needs_review, hidden, cause FROM moderationcase")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("comment", 5, True, False, "personal_info")]
