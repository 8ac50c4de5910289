"""In-app notices to city staff about 協議体 that need them: one moved to 振り返り, and one whose
evaluations are overdue (`kyodo tick`, once per 協議体: see lifecycle.tick)."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session

from ..models import Consortium, NotificationKind, User
from . import clock, notifications
from .claims import staff_ids


def consortium_evaluating(session: Session, *, consortium: Consortium, actor: User | None, reason: str) -> None:
    """Every active staff account but the one who started it hears that the 振り返り began."""
    notifications.notify(
        session, user_ids=staff_ids(session) - {actor.id if actor else None},
        kind=NotificationKind.CONSORTIUM_EVALUATING,
        message=f"協議体「{consortium.name}」が振り返りに入りました（{reason}）。市側の振り返りを入力してください。",
        link=f"/consortia/{consortium.id}/evaluation",
    )


def evaluation_overdue(session: Session, *, consortium: Consortium, missing: list[str], due: date) -> None:
    notifications.notify(
        session, user_ids=staff_ids(session), kind=NotificationKind.EVALUATION_OVERDUE,
        message=f"協議体「{consortium.name}」の振り返りが期限（{clock.format_date(due)}）を過ぎても"
                f"そろっていません。未提出: {'、'.join(missing)}",
        link=f"/consortia/{consortium.id}/evaluation",
    )
