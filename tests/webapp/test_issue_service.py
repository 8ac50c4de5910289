import pytest
from sqlmodel import select

from webapp.models import IssueStatus, IssueStatusChange
from webapp.services import issues as issue_service
from webapp.services.errors import Conflict, Forbidden, NotFound


def test_posting_records_the_opening_in_the_history(factory, db):
    reporter = factory.user()
    issue = factory.issue(reporter=reporter)
    [first] = db.exec(select(IssueStatusChange).where(IssueStatusChange.issue_id == issue.id)).all()
    assert first.old_status is None and first.new_status == IssueStatus.OPEN


def test_issue_needs_a_known_town(factory, db):
    from webapp.models import IssueCreate

    with pytest.raises(NotFound):
        issue_service.create_issue(db, data=IssueCreate(title="t", body="b", area_id=999999),
                                   reporter=factory.user())


def test_support_is_counted_once_per_user(factory, db):
    reporter, neighbour = factory.user(), factory.user()
    issue = factory.issue(reporter=reporter)
    issue_service.add_support(db, issue_id=issue.id, user=neighbour)
    with pytest.raises(Conflict):
        issue_service.add_support(db, issue_id=issue.id, user=neighbour)
    assert issue_service.support_count(db, issue_id=issue.id) == 1
    issue_service.remove_support(db, issue_id=issue.id, user=neighbour)
    assert issue_service.support_count(db, issue_id=issue.id) == 0


def test_reporters_do_not_support_their_own_issue(factory, db):
    reporter = factory.user()
    issue = factory.issue(reporter=reporter)
    with pytest.raises(Conflict):
        issue_service.add_support(db, issue_id=issue.id, user=reporter)


def test_staff_change_status_with_a_reason(factory, db):
    issue = factory.issue(reporter=factory.user())
    staff = factory.staff()
    issue_service.change_status(db, issue_id=issue.id, new_status=IssueStatus.CLOSED_UNRESOLVED,
                                reason="  対応できる団体が見つからなかったため  ", staff=staff)
    db.commit()
    detail = issue_service.get_detail(db, issue_id=issue.id, viewer=None)
    assert detail.issue.status == IssueStatus.CLOSED_UNRESOLVED
    last = detail.history[-1]
    assert (last.old_status, last.new_status) == (IssueStatus.OPEN, IssueStatus.CLOSED_UNRESOLVED)
    assert last.reason == "対応できる団体が見つからなかったため"


def test_residents_cannot_change_status(factory, db):
    reporter = factory.user()
    issue = factory.issue(reporter=reporter)
    with pytest.raises(Forbidden):
        issue_service.change_status(db, issue_id=issue.id, new_status=IssueStatus.RESOLVED,
                                    reason="自分で解決", staff=reporter)


@pytest.mark.parametrize("status, reason", [(IssueStatus.RESOLVED, "   "), (IssueStatus.OPEN, "同じ状態")])
def test_status_change_needs_a_reason_and_a_new_status(factory, db, status, reason):
    issue = factory.issue(reporter=factory.user())
    with pytest.raises(Conflict):
        issue_service.change_status(db, issue_id=issue.id, new_status=status, reason=reason,
                                    staff=factory.staff())


def test_blank_comments_are_refused(factory, db):
    issue = factory.issue(reporter=factory.user())
    with pytest.raises(Conflict):
        issue_service.add_comment(db, issue_id=issue.id, author=factory.user(), body=" \n ")
