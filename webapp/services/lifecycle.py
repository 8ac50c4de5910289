"""時限性: the time-based part of a 協議体's life, run by `kyodo tick` (idempotent).

For each 協議体 still at work: a reminder 30 and 7 days before its end date, and, once the end date
has passed (the end date itself is the last working day), the move to evaluating. Each step is
recorded as a LifecycleEvent for that period's end date, so a second run does nothing, and a
renewed period (new end date) gets its own reminders."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from ..models import Consortium, ConsortiumStatus, LifecycleEvent, NotificationKind
from . import changes, clock
from . import consortia as consortium_service

REMINDER_DAYS = (30, 7)
AT_WORK = (ConsortiumStatus.PROPOSED, ConsortiumStatus.FORMING, ConsortiumStatus.ACTIVE)


@dataclass
class TickReport:
    reminders: list[tuple[int, int]] = field(default_factory=list)  # (consortium id, days)
    evaluating: list[int] = field(default_factory=list)
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


def tick(session: Session, *, today: date) -> TickReport:
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
                                                    reason=f"期間が{clock.format_date(consortium.end_date)}で終わりました")
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
    report.pruned_changes = changes.prune(session)
    return report
