"""Item 1 of issue 11 (minimal): the poster hears when staff change their issue's status."""
import pytest
from sqlmodel import select

from tests.webclient import post_form
from webapp.models import IssueStatus, Notification, NotificationKind
from webapp.services import issues as issue_service
from webapp.services.errors import Conflict


def test_the_poster_is_notified_of_a_status_change_with_the_reason(client, auth, factory, db):
    reporter = factory.user(email="r@example.jp")
    neighbour = factory.user()
    issue = factory.issue(reporter=reporter, title="公園の遊具が壊れている")
    factory.staff(email="s@example.jp")
    auth.login(email="s@example.jp")
    post_form(client, f"/issues/{issue.id}/status", {"status": "in_progress", "reason": "公園緑地課が修理を手配しました"},
              token_from=f"/issues/{issue.id}")
    [notice] = db.exec(select(Notification).where(Notification.kind == NotificationKind.ISSUE_STATUS)).all()
    assert notice.user_id == reporter.id and notice.link == f"/issues/{issue.id}"
    assert "公園の遊具が壊れている" in notice.message and "対応中" in notice.message
    assert "公園緑地課が修理を手配しました" in notice.message
    assert neighbour.id != notice.user_id
    auth.logout()
    auth.login(email="r@example.jp")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "「対応中」になりました" in page and "お知らせはありません" not in page


def test_staff_changing_their_own_issue_get_no_notice(factory, db):
    staff = factory.staff()
    issue = factory.issue(reporter=staff)
    issue_service.change_status(db, issue_id=issue.id, new_status=IssueStatus.RESOLVED, reason="解決", staff=staff)
    assert db.exec(select(Notification)).all() == []


def test_a_refused_change_sends_nothing(factory, db):
    reporter, staff = factory.user(), factory.staff()
    issue = factory.issue(reporter=reporter)
    with pytest.raises(Conflict):
        issue_service.change_status(db, issue_id=issue.id, new_status=IssueStatus.OPEN, reason="同じ", staff=staff)
    assert db.exec(select(Notification)).all() == []
