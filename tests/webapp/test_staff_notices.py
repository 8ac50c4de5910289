"""Staff and member notices (issue 11 item 7): staff hear when a 協議体 moves to 振り返り and,
once per 協議体, when its evaluations are overdue; the header badge counts every invitation and
claim waiting for the person's answer."""
from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.models import (
    CollaborationDomain,
    Consortium,
    ConsortiumCreate,
    ConsortiumStatus,
    EvaluationCreate,
    LifecycleEvent,
    Notification,
    NotificationKind,
    OrgKind,
    Principle,
)
from webapp.services import claims, consortia, evaluations, lifecycle, org_invitations, pending

END = date(2027, 3, 31)  # active_consortium's end date
MOVED = END + timedelta(days=1)


def _notices(db, user, kind):
    db.expire_all()
    return db.exec(select(Notification.message).where(Notification.user_id == user.id,
                                                      Notification.kind == kind)).all()


def _evaluation() -> EvaluationCreate:
    return EvaluationCreate(goal_score=4, cost_score=3, principles={p: 4 for p in Principle})


# ---------------------------------------------------------------- 振り返り begins
def test_staff_hear_when_the_period_ends_and_evaluation_begins(db, factory, active_consortium):
    w = active_consortium
    other_staff = factory.staff(email="staff2@example.jp")
    lifecycle.tick(db, today=MOVED)
    db.commit()
    for staff in (w["staff"], other_staff):
        [message] = _notices(db, staff, NotificationKind.CONSORTIUM_EVALUATING)
        assert "滝山見守り協議体" in message and "振り返りに入りました" in message
    assert _notices(db, w["kaicho"], NotificationKind.CONSORTIUM_EVALUATING) == []  # members get LIFECYCLE
    assert db.get(Consortium, w["consortium"].id).evaluating_since == MOVED


def test_an_early_evaluation_started_by_staff_tells_the_other_staff_only(db, factory, active_consortium):
    w = active_consortium
    other_staff = factory.staff(email="staff2@example.jp")
    consortia.start_evaluation(db, consortium=w["consortium"], by_user=w["staff"], reason="目標を達成したため")
    db.commit()
    assert _notices(db, w["staff"], NotificationKind.CONSORTIUM_EVALUATING) == []
    assert len(_notices(db, other_staff, NotificationKind.CONSORTIUM_EVALUATING)) == 1


def test_evaluating_since_is_cleared_when_a_renewal_reopens_it(db, active_consortium):
    w = active_consortium
    lifecycle.tick(db, today=MOVED)
    consortia.reopen(db, consortium=w["consortium"])
    db.commit()
    assert db.get(Consortium, w["consortium"].id).evaluating_since is None


# ---------------------------------------------------------------- overdue, once
def test_overdue_evaluations_are_reported_to_staff_once(db, active_consortium):
    w = active_consortium
    lifecycle.tick(db, today=MOVED)
    evaluations.submit(db, consortium_id=w["consortium"].id, by_user=w["kaicho"], org_id=w["jichikai"].id,
                       data=_evaluation())
    due = MOVED + timedelta(days=lifecycle.EVALUATION_DAYS)
    assert lifecycle.tick(db, today=due).overdue == []  # the last day is still in time
    assert lifecycle.tick(db, today=due + timedelta(days=1)).overdue == [w["consortium"].id]
    for days in (2, 3, 40):
        assert lifecycle.tick(db, today=due + timedelta(days=days)).overdue == []
    db.commit()
    [message] = _notices(db, w["staff"], NotificationKind.EVALUATION_OVERDUE)
    assert "見守りNPO" in message and "市" in message and "滝山自治会" not in message


def test_nothing_is_overdue_once_every_side_has_evaluated(db, active_consortium):
    w = active_consortium
    lifecycle.tick(db, today=MOVED)
    for org, owner in ((w["jichikai"], w["kaicho"]), (w["npo"], w["npo_owner"])):
        evaluations.submit(db, consortium_id=w["consortium"].id, by_user=owner, org_id=org.id, data=_evaluation())
    evaluations.submit(db, consortium_id=w["consortium"].id, by_user=w["staff"], org_id=None, data=_evaluation())
    assert lifecycle.tick(db, today=MOVED + timedelta(days=90)).overdue == []
    db.commit()
    assert _notices(db, w["staff"], NotificationKind.EVALUATION_OVERDUE) == []


def test_an_evaluation_begun_before_it_was_recorded_counts_from_the_end_date(db, active_consortium):
    w = active_consortium
    lifecycle.tick(db, today=MOVED)
    consortium = db.get(Consortium, w["consortium"].id)
    consortium.evaluating_since = None  # as for a 協議体 already evaluating when 0010 was applied
    db.add(consortium)
    db.commit()
    due = END + timedelta(days=lifecycle.EVALUATION_DAYS)
    assert lifecycle.tick(db, today=due).overdue == []
    assert lifecycle.tick(db, today=due + timedelta(days=1)).overdue == [consortium.id]


def test_parallel_ticks_report_an_overdue_evaluation_once(app, db, active_consortium):
    w = active_consortium
    lifecycle.tick(db, today=MOVED)
    db.commit()
    late = MOVED + timedelta(days=lifecycle.EVALUATION_DAYS + 5)
    engine = get_engine(app)
    barrier, reports, errors = threading.Barrier(4), [], []

    def run():
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                reports.append(lifecycle.tick(session, today=late).overdue)
                session.commit()
            except Exception as error:  # noqa: BLE001  (collected and reported below)
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(reports) == [[], [], [], [w["consortium"].id]]
    assert len(_notices(db, w["staff"], NotificationKind.EVALUATION_OVERDUE)) == 1
    assert len(db.exec(select(LifecycleEvent).where(LifecycleEvent.kind == lifecycle.OVERDUE)).all()) == 1


# ---------------------------------------------------------------- the badge
def test_the_badge_counts_invitations_of_every_kind_and_claims_put_to_owners(db, factory):
    owner = factory.user(email="owner@example.jp")
    jichikai = factory.organization(owner=owner, kind=OrgKind.TERRITORIAL, name="滝山自治会")
    founder = factory.user()
    npo = factory.organization(owner=founder, kind=OrgKind.THEMATIC, name="見守りNPO")
    assert pending.pending_count(db, user=owner) == 0
    # A 協議体 invitation to an association the user owns.
    consortium = consortia.create_consortium(
        db, creator=founder, founding_org_id=npo.id, invite_org_ids=[jichikai.id],
        data=ConsortiumCreate(name="見守り協議体", purpose="見守る", domain=CollaborationDomain.CITIZEN_LED,
                              start_date=date(2026, 4, 1), end_date=END, area_ids=[factory.area().id]))
    # A 編集者 invitation to the user's address, from another association.
    invitation = org_invitations.invite_editor(db, org_id=npo.id, email="OWNER@example.jp", inviter=founder)
    # A claim on the user's association, waiting for its owners' answer.
    claimant = factory.user()
    claim = claims.request_claim(db, org_id=jichikai.id, user=claimant, message="新しい会長です")
    db.commit()
    assert pending.pending_count(db, user=owner) == 3
    badge = pending.badge(db, user=owner)
    assert badge.pending == 3 and badge.total == badge.unread + 3
    assert [i.consortium_name for i in pending.consortium_invitations(db, user=owner)] == ["見守り協議体"]
    assert [c.organization_name for c in pending.claims_to_answer(db, user=owner)] == ["滝山自治会"]
    assert pending.pending_count(db, user=claimant) == 0  # their own claim waits for others
    # Each answer takes one off.
    consortia.respond(db, consortium_id=consortium.id, org_id=jichikai.id, by_user=owner, accept=True, message="")
    assert pending.pending_count(db, user=owner) == 2
    org_invitations.respond(db, invitation_id=invitation.id, user=owner, accept=False)
    assert pending.pending_count(db, user=owner) == 1
    claims.answer_as_owner(db, claim_id=claim.id, owner=owner, agree=True, answer="")
    assert pending.pending_count(db, user=owner) == 0


def test_an_invitation_to_a_consortium_that_moved_on_is_not_counted(db, factory, active_consortium):
    w = active_consortium
    third_owner = factory.user()
    third = factory.organization(owner=third_owner, kind=OrgKind.THEMATIC)
    consortia.invite(db, consortium_id=w["consortium"].id, org_ids=[third.id], by_user=w["kaicho"])
    db.commit()
    assert pending.pending_count(db, user=third_owner) == 1
    lifecycle.tick(db, today=MOVED)  # evaluating: answers are no longer taken
    db.commit()
    assert db.get(Consortium, w["consortium"].id).status == ConsortiumStatus.EVALUATING
    assert pending.pending_count(db, user=third_owner) == 0


def test_the_header_badge_shows_what_waits_and_the_notifications_page_lists_it(client, auth, db, factory):
    owner = factory.user(email="owner@example.jp")
    jichikai = factory.organization(owner=owner, kind=OrgKind.TERRITORIAL, name="滝山自治会")
    founder = factory.user()
    npo = factory.organization(owner=founder, kind=OrgKind.THEMATIC, name="見守りNPO")
    consortia.create_consortium(
        db, creator=founder, founding_org_id=npo.id, invite_org_ids=[jichikai.id],
        data=ConsortiumCreate(name="見守り協議体", purpose="見守る", domain=CollaborationDomain.CITIZEN_LED,
                              start_date=date(2026, 4, 1), end_date=END, area_ids=[factory.area().id]))
    claims.request_claim(db, org_id=jichikai.id, user=factory.user(), message="新しい会長です")
    db.commit()
    auth.login(email="owner@example.jp")
    from tests.webclient import post_form

    post_form(client, "/notifications/read", {}, token_from="/notifications/")
    home = client.get("/").get_data(as_text=True)
    assert 'aria-label="回答待ち2件">2<' in home
    page = client.get("/notifications/").get_data(as_text=True)
    assert "協議体への招待（回答待ち）" in page and "見守り協議体" in page
    assert "代表の申請（代表としての回答待ち）" in page and f"/orgs/{jichikai.id}/claims" in page
