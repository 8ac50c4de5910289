"""時限性: the time-based part of a 協議体's life, run by `kyodo tick` (idempotent).

For each 協議体 still at work: a reminder 30 and 7 days before its end date, and, once the end date
has passed (the end date itself is the last working day), the move to evaluating. Each step is
recorded as a LifecycleEvent for that period's end date, so a second run does nothing, and a
renewed period (new end date) gets its own reminders.

Staff are told once per 協議体 when its evaluations are overdue: still missing EVALUATION_DAYS
after the 振り返り began (evaluating_since, or the end date for one that began before that was
recorded). The notice is recorded as a LifecycleEvent too, taken under the 協議体's lock, so
repeated or parallel ticks send it once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from ..models import Consortium, ConsortiumStatus, LifecycleEvent, NotificationKind
from . import changes, clock, moderation, staff_notices
from . import consortia as consortium_service
from . import evaluations as evaluation_service

REMINDER_DAYS = (30, 7)
AT_WORK = (ConsortiumStatus.PROPOSED, ConsortiumStatus.FORMING, ConsortiumStatus.ACTIVE)
EVALUATION_DAYS = 30  # after the 振り返り began, missing evaluations are overdue
OVERDUE = "evaluation_overdue"


@dataclass
class TickReport:
    reminders: list[tuple[int, int]] = field(default_factory=list)  # (consortium id, days)
    evaluating: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)  # 協議体 whose overdue evaluations staff were told of
    pruned_changes: int = 0


def _once(session: Session, consortium: Consortium, kind: str) -> bool:
    """True the first time this step is taken for this period; records it."""
    seen = session.exec(select(LifecycleEvent.id).where(
        LifecycleEvent.consortium_id == consortium.id, LifecycleEvent.kind == kind,
        LifecycleEvent.period_end == consortium.end_date,
    )).first()
    if seen is not None:
        return False
    session.add(LifecycleEvent(consortium_id=consortium.id, kind=kind, period_end=consortium.end_date))
    session.flush()
    return True


def evaluation_due(consortium: Consortium, *, days: int = EVALUATION_DAYS) -> date:
    """The last day for a 協議体's evaluations."""
    return (consortium.evaluating_since or consortium.end_date) + timedelta(days=days)


def _notify_overdue(session: Session, *, today: date, days: int) -> list[int]:
    told = set(session.exec(select(LifecycleEvent.consortium_id).where(LifecycleEvent.kind == OVERDUE)).all())
    candidates = [c.id for c in session.exec(select(Consortium).where(
        Consortium.status == ConsortiumStatus.EVALUATING).order_by(Consortium.id))
        if c.id not in told and evaluation_due(c, days=days) < today]
    notified = []
    for consortium_id in candidates:
        # Locked and read again: another tick may have told staff meanwhile, or the 協議体 moved on.
        consortium = consortium_service.hold_consortium(session, consortium_id)
        if consortium.status != ConsortiumStatus.EVALUATING or evaluation_due(consortium, days=days) >= today:
            continue
        if session.exec(select(LifecycleEvent.id).where(LifecycleEvent.consortium_id == consortium_id,
                                                        LifecycleEvent.kind == OVERDUE)).first() is not None:
            continue
        missing = evaluation_service.report(session, consortium_id=consortium_id, viewer=moderation.STAFF_READER).missing
        if not missing:
            continue
        session.add(LifecycleEvent(consortium_id=consortium_id, kind=OVERDUE, period_end=consortium.end_date))
        session.flush()
        staff_notices.evaluation_overdue(session, consortium=consortium, missing=missing,
                                         due=evaluation_due(consortium, days=days))
        notified.append(consortium_id)
    return notified


def tick(session: Session, *, today: date, evaluation_days: int = EVALUATION_DAYS) -> TickReport:
    report = TickReport()
    candidates = session.exec(
        select(Consortium.id).where(Consortium.status.in_(AT_WORK)).order_by(Consortium.id)
    ).all()
    for consortium_id in candidates:
        # Locked and read again: a signature renewing the period may have landed since the list.
        consortium = consortium_service.hold_consortium(session, consortium_id)
        if consortium.status not in AT_WORK:
            continue
        if consortium.end_date < today:
            if _once(session, consortium, "ended"):
                consortium_service.start_evaluation(session, consortium=consortium, by_user=None,
                                                    reason=f"期間が{clock.format_date(consortium.end_date)}で終わりました",
                                                    today=today)
                report.evaluating.append(consortium.id)
            continue
        days_left = (consortium.end_date - today).days
        due = [d for d in REMINDER_DAYS if days_left <= d]
        if not due:
            continue
        window = min(due)  # the nearest reminder only, even if an earlier one was missed
        if _once(session, consortium, f"reminder_{window}"):
            consortium_service.notify_participants(
                session, consortium, None,
                f"協議体「{consortium.name}」の期間は{clock.format_date(consortium.end_date)}までです（あと{days_left}日）。"
                "続ける場合は、新しい期間の協定書を作って署名してください。",
                kind=NotificationKind.LIFECYCLE,
            )
            report.reminders.append((consortium.id, window))
    report.overdue = _notify_overdue(session, today=today, days=evaluation_days)
    report.pruned_changes = changes.prune(session)
    return report
