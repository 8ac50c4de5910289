"""The personal-information guard on the issue and comment forms, the live check, and the audit trail."""
import pytest
from sqlmodel import select

from tests.webclient import csrf_token, field_error, post_form
from webapp.models import AuditEntry, Comment, Issue
from webapp.services import personal_info

pytestmark = pytest.mark.sudachi

PHONE_BODY = "夜になると団地の前の街灯が消えています。詳しくは田中（０９０－１２３４－５６７８）まで。"


def _issue_form(factory, **overrides):
    data = {"title": "団地の前の街灯が消えている", "body": PHONE_BODY,
            "area": str(factory.area("滝山").id), "action": "save"}
    data.update(overrides)
    return data


def test_an_issue_with_a_phone_number_is_shown_again_with_the_warning_and_nothing_lost(client, auth, factory, db):
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    response = post_form(client, "/issues/new", _issue_form(factory, title="滝山1-2-3の前の街灯"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "電話番号（０９０－１２３４－５６７８）" in field_error(html, "body")
    assert "番地までの住所（滝山1-2-3）" in field_error(html, "title")
    assert "このまま投稿する" in html and 'name="post_anyway"' in html
    assert PHONE_BODY in html and 'value="滝山1-2-3の前の街灯"' in html  # what was typed is still there
    assert db.exec(select(Issue)).all() == []


def test_the_confirm_box_is_not_offered_to_ordinary_text(client, auth, factory):
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    html = client.get("/issues/new").get_data(as_text=True)
    assert 'name="post_anyway"' not in html and "personal_info.js" in html


def test_posting_anyway_publishes_and_leaves_a_pending_review_in_the_audit_log(client, auth, factory, db):
    writer = factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    response = post_form(client, "/issues/new", _issue_form(factory, post_anyway="y"))
    assert response.status_code == 302
    [issue] = db.exec(select(Issue)).all()
    assert issue.body == PHONE_BODY
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == personal_info.POSTED_ANYWAY)).all()
    assert (entry.entity, entry.entity_id, entry.actor_id) == ("issue", issue.id, writer.id)
    assert entry.details["review"] == "pending"
    [found] = entry.details["fields"]["body"]
    assert found["kind"] == "phone" and issue.body[found["start"]:found["end"]] == "０９０－１２３４－５６７８"
    assert "5678" not in entry.summary and "５６７８" not in str(entry.details)  # the log does not copy it


def test_an_ordinary_issue_leaves_no_review_entry(client, auth, factory, db):
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    body = "2024年4月から3丁目の交差点で、朝7:30ごろ車が100台以上通ります。第2回の会議で話しました。"
    assert post_form(client, "/issues/new", _issue_form(factory, body=body)).status_code == 302
    assert db.exec(select(AuditEntry).where(AuditEntry.action == personal_info.POSTED_ANYWAY)).all() == []


def test_a_comment_with_an_address_is_held_back_until_confirmed(client, auth, factory, db):
    issue = factory.issue(reporter=factory.user())
    factory.user(email="n@example.jp")
    auth.login(email="n@example.jp")
    text = "うちも困っています。鈴木様方（滝山三丁目５番地の１０）の前も暗いです。"
    held = post_form(client, f"/issues/{issue.id}/comments", {"body": text}, token_from=f"/issues/{issue.id}")
    html = held.get_data(as_text=True)
    assert held.status_code == 422
    assert "番地までの住所" in field_error(html, "body") and text in html
    assert db.exec(select(Comment)).all() == []
    posted = post_form(client, f"/issues/{issue.id}/comments", {"body": text, "post_anyway": "y"},
                       token_from=f"/issues/{issue.id}")
    assert posted.status_code == 302
    [comment] = db.exec(select(Comment)).all()
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == personal_info.POSTED_ANYWAY)).all()
    assert (entry.entity, entry.entity_id) == ("comment", comment.id)


def test_the_live_check_answers_with_the_same_warning(client, auth, factory):
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    token = csrf_token(client, "/issues/new")
    answer = client.post("/issues/personal-info", data={"csrf_token": token, "text": "連絡は tanaka＠example.jp へ"})
    assert answer.status_code == 200
    assert answer.json["found"] == [{"kind": "email", "label": "メールアドレス", "text": "tanaka＠example.jp"}]
    assert "このまま投稿する" in answer.json["message"]
    quiet = client.post("/issues/personal-info", data={"csrf_token": token, "text": "第3回は2024年5月1日10時から"})
    assert quiet.json == {"found": [], "message": ""}


def test_the_live_check_needs_the_csrf_token(client, auth, factory):
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    assert client.post("/issues/personal-info", data={"text": "090-1234-5678"}).status_code == 400


def test_staff_find_posts_published_anyway_in_the_audit_log(client, auth, factory):
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    post_form(client, "/issues/new", _issue_form(factory, post_anyway="y"))
    auth.logout()
    factory.staff(email="s@example.jp")
    auth.login(email="s@example.jp")
    html = client.get("/staff/audit", query_string={"entity": "issue"}).get_data(as_text=True)
    assert "地域課題 #" in html and "警告された上で投稿されました（要確認）" in html


def test_the_warning_comes_with_the_other_errors_at_once(client, auth, factory, db):
    factory.user(email="r@example.jp")
    auth.login(email="r@example.jp")
    response = post_form(client, "/issues/new", _issue_form(factory, area="0"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "町名を選んでください。" in field_error(html, "area")
    assert "電話番号" in field_error(html, "body")
    assert db.exec(select(Issue)).all() == []
