from datetime import date

from click.testing import CliRunner
from sqlmodel import select

from webapp.cli import main
from webapp.models import AuditEntry, Consortium, ConsortiumStatus, LifecycleEvent, Notification, NotificationKind
from webapp.services import consortia, lifecycle
from webapp.services.errors import Conflict


def _lifecycle_notes(db, user):
    return db.exec(select(Notification.message).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.LIFECYCLE)).all()


def test_reminders_30_and_7_days_before_the_end_once_each(db, active_consortium):
    w = active_consortium  # ends 2027-03-31
    assert lifecycle.tick(db, today=date(2027, 2, 28)).reminders == []
    assert lifecycle.tick(db, today=date(2027, 3, 1)).reminders == [(w["consortium"].id, 30)]
    assert lifecycle.tick(db, today=date(2027, 3, 2)).reminders == []
    assert lifecycle.tick(db, today=date(2027, 3, 24)).reminders == [(w["consortium"].id, 7)]
    assert lifecycle.tick(db, today=date(2027, 3, 25)).reminders == []
    db.commit()
    notes = _lifecycle_notes(db, w["npo_owner"])
    assert len(notes) == 2 and "あと30日" in notes[0] and "あと7日" in notes[1]


def test_the_end_date_is_the_last_working_day(db, active_consortium):
    w = active_consortium
    lifecycle.tick(db, today=date(2027, 3, 31))
    assert w["consortium"].status == ConsortiumStatus.ACTIVE
    report = lifecycle.tick(db, today=date(2027, 4, 1))
    assert report.evaluating == [w["consortium"].id]
    assert w["consortium"].status == ConsortiumStatus.EVALUATING


def test_tick_is_idempotent(db, active_consortium):
    w = active_consortium
    first = lifecycle.tick(db, today=date(2027, 4, 1))
    db.commit()
    counts = (len(db.exec(select(Notification)).all()), len(db.exec(select(AuditEntry)).all()),
              len(db.exec(select(LifecycleEvent)).all()))
    for _ in range(3):
        again = lifecycle.tick(db, today=date(2027, 4, 1))
        assert again.reminders == [] and again.evaluating == []
    db.commit()
    assert (len(db.exec(select(Notification)).all()), len(db.exec(select(AuditEntry)).all()),
            len(db.exec(select(LifecycleEvent)).all())) == counts
    assert first.evaluating == [w["consortium"].id]


def test_kyodo_tick_from_the_command_line(database_url, db, active_consortium):
    env = {"DATABASE_URL": database_url, "KYODO_ENV": "testing"}
    runner = CliRunner()
    result = runner.invoke(main, ["tick", "--today", "2027-04-01"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and "moved to evaluating 1" in result.output
    again = runner.invoke(main, ["tick", "--today", "2027-04-01"], env=env, catch_exceptions=False)
    assert "reminders 0, moved to evaluating 0" in again.output
    db.expire_all()
    assert db.get(Consortium, active_consortium["consortium"].id).status == ConsortiumStatus.EVALUATING


def test_closing_keeps_the_record_and_only_from_evaluating(db, client, active_consortium):
    w = active_consortium
    try:
        consortia.close(db, consortium_id=w["consortium"].id, by_user=w["kaicho"])
    except Conflict:
        pass
    else:
        raise AssertionError("an active 協議体 was closed")
    lifecycle.tick(db, today=date(2027, 4, 1))
    consortia.close(db, consortium_id=w["consortium"].id, by_user=w["kaicho"])
    db.commit()
    assert w["consortium"].status == ConsortiumStatus.CLOSED
    page = client.get(f"/consortia/{w['consortium'].id}").get_data(as_text=True)
    assert "終了" in page and "滝山自治会" in page and "見守りNPO" in page


def test_the_capacity_taken_by_a_consortium_is_freed_when_it_ends(db, active_consortium):
    w = active_consortium
    assert consortia.participation(db, org_ids=[w["npo"].id]) == {w["npo"].id: 1}
    lifecycle.tick(db, today=date(2027, 4, 1))
    assert consortia.participation(db, org_ids=[w["npo"].id]) == {}
