"""Dates are Japan's dates: just after midnight JST (still the day before in UTC) the app already
lives in the new day, pages and notifications say 「2026年12月3日」, exports carry +09:00."""
import json
import re
from datetime import UTC, date, datetime

import time_machine
from sqlmodel import select

from webapp.services import clock

# 2026-12-02 15:20 UTC = 2026-12-03 00:20 JST
JUST_AFTER_MIDNIGHT_JST = datetime(2026, 12, 2, 15, 20, tzinfo=UTC)


def test_the_clock_lives_in_japan():
    with time_machine.travel(JUST_AFTER_MIDNIGHT_JST, tick=False):
        assert datetime.now(UTC).date() == date(2026, 12, 2)
        assert clock.today() == date(2026, 12, 3)
        assert clock.now().isoformat() == "2026-12-03T00:20:00+09:00"
    assert clock.format_datetime(JUST_AFTER_MIDNIGHT_JST) == "2026年12月3日 00:20"
    assert clock.format_date(JUST_AFTER_MIDNIGHT_JST) == "2026年12月3日"
    assert clock.format_date(date(2027, 3, 31)) == "2027年3月31日"
    assert clock.iso(JUST_AFTER_MIDNIGHT_JST.replace(tzinfo=None)) == "2026-12-03T00:20:00+09:00"  # naive = UTC
    assert clock.iso(date(2027, 3, 31)) == "2027-03-31"


def test_a_new_consortium_starts_today_in_japan(client, auth, factory):
    with time_machine.travel(JUST_AFTER_MIDNIGHT_JST):
        # enrolled at the same (travelled) time: a TOTP step older than one already used is refused
        factory.staff(email="s@example.jp")
        auth.login(email="s@example.jp")
        html = client.get("/consortia/new").get_data(as_text=True)
    assert 'value="2026-12-03"' in re.search(r'<input[^>]*name="start_date"[^>]*>', html).group(0)
    assert 'value="2027-12-03"' in re.search(r'<input[^>]*name="end_date"[^>]*>', html).group(0)


def test_pages_api_and_exports_agree_on_the_japanese_date(client, auth, factory):
    with time_machine.travel(JUST_AFTER_MIDNIGHT_JST):
        issue = factory.issue(reporter=factory.user(), title="夜中に投稿した課題")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "2026年12月3日 00:20" in page
    api = client.get(f"/api/v1/issues/{issue.id}").get_json()
    assert api["created_at"].startswith("2026-12-03T00:20") and api["created_at"].endswith("+09:00")
    factory.staff(email="s@example.jp")
    auth.login(email="s@example.jp")
    exported = json.loads(client.get("/staff/registry/export/issues.json").get_data(as_text=True))
    rows = exported if isinstance(exported, list) else exported.get("issues") or exported.get("rows")
    row = next(r for r in rows if r["title"] == "夜中に投稿した課題")
    assert row["created_at"].startswith("2026-12-03T00:20") and row["created_at"].endswith("+09:00")


def test_notifications_use_the_japanese_date_format(db, active_consortium):
    from webapp.models import Notification
    from webapp.services import lifecycle

    consortium = active_consortium["consortium"]
    lifecycle.tick(db, today=date(2027, 3, 1))
    db.commit()
    messages = [n.message for n in db.exec(select(Notification)).all()]
    assert any("2027年3月31日まで" in m for m in messages), messages
    assert not any("2027-03-31" in m for m in messages)
    assert consortium.end_date == date(2027, 3, 31)
