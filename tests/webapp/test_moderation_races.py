"""Moderation under parallel requests (real requests behind a barrier against `kyodo serve` with two
gunicorn workers, PostgreSQL in CI's second half): the Nth report hides an item exactly once, one
person's repeated report counts once, and two staff deciding at once decide once."""
from __future__ import annotations

import pytest
from sqlmodel import select

from tests.webclient import CSRF_PATTERN, Browser, at_once
from webapp.models import AuditEntry, ContentReport, ModerationCase, Notification, NotificationKind

pytestmark = pytest.mark.slow


def _fresh(db):
    db.expire_all()
    return db


def _token(browser: Browser, path: str) -> str:
    match = CSRF_PATTERN.search(browser.request(path)[1])
    return match.group(1) or match.group(2)


def test_five_reports_at_once_hide_the_item_exactly_once(db, factory, live_server):
    poster = factory.user()
    issue = factory.issue(reporter=poster)
    reporters = [factory.user() for _ in range(5)]
    browsers = [Browser(live_server).login(r.email) for r in reporters]
    path = f"/report/issue/{issue.id}"
    calls = [lambda b=b, t=_token(b, path): b.request(path, {"csrf_token": t, "reason": "spam"}) for b in browsers]
    results = at_once(*calls)
    assert [s for s, _ in results] == [302] * 5
    session = _fresh(db)
    assert len(session.exec(select(ContentReport).where(ContentReport.entity_id == issue.id)).all()) == 5
    case = session.exec(select(ModerationCase).where(ModerationCase.entity == "issue",
                                                     ModerationCase.entity_id == issue.id)).one()
    assert case.hidden and case.open_reports == 5
    actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.entity == "issue",
                                                                       AuditEntry.entity_id == issue.id))]
    assert actions.count("auto_hide") == 1 and actions.count("report") == 5
    told = session.exec(select(Notification).where(Notification.kind == NotificationKind.MODERATION)).all()
    assert [n.user_id for n in told] == [poster.id]


def test_one_person_reporting_four_times_at_once_reports_once(db, factory, live_server):
    issue = factory.issue(reporter=factory.user())
    reporter = factory.user()
    browsers = [Browser(live_server).login(reporter.email) for _ in range(4)]
    path = f"/report/issue/{issue.id}"
    calls = [lambda b=b, t=_token(b, path): b.request(path, {"csrf_token": t, "reason": "abuse"}) for b in browsers]
    results = at_once(*calls)
    assert sum(1 for s, _ in results if s == 302) == 1  # the others are told they already reported
    assert len(_fresh(db).exec(select(ContentReport).where(ContentReport.entity_id == issue.id)).all()) == 1


def test_two_staff_hiding_at_once_hide_once(db, factory, live_server):
    issue = factory.issue(reporter=factory.user())
    staff = [factory.staff(), factory.staff()]
    browsers = [Browser(live_server).login(s.email) for s in staff]
    path = f"/staff/moderation/issue/{issue.id}"
    calls = [lambda b=b, t=_token(b, path): b.request(path, {"csrf_token": t, "action": "hide",
                                                             "reason": "職員の判断", "version": "0"})
             for b in browsers]
    results = at_once(*calls)
    assert sorted(s for s, _ in results) == [302, 422]
    session = _fresh(db)
    hides = session.exec(select(AuditEntry).where(AuditEntry.entity_id == issue.id, AuditEntry.action == "hide")).all()
    assert len(hides) == 1
    assert len(session.exec(select(Notification).where(Notification.kind == NotificationKind.MODERATION)).all()) == 1
