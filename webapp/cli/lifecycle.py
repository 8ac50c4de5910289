from __future__ import annotations

from datetime import date

import click
from sqlmodel import Session

from .. import delivery
from ..ratelimit import DatabaseCounters
from ..services import clock, lifecycle
from . import settings as settings_module


@click.command("tick")
@click.option("--today", "today_", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="この日付として実行（既定: 今日、日本時間）/ run as of this date (default: today in JST).")
def tick(today_) -> None:
    """期間のリマインドと、終了日を過ぎた協議体の振り返りへの移行。cron で数分おきに実行しても安全
    / reminders and the move to evaluating; idempotent, safe to run from cron every few minutes."""
    day: date = today_.date() if today_ else clock.today()
    settings = settings_module.load()
    with settings_module.migrated_engine(settings) as engine:
        # The same after-commit delivery as a web request: mails go out once the changes are stored.
        with delivery.attach(Session(engine, expire_on_commit=False), engine, settings.mail) as session:
            report = lifecycle.tick(session, today=day)
            session.commit()
        expired_counters = DatabaseCounters(engine).prune()
    click.echo(f"{day.isoformat()}: reminders {len(report.reminders)}, moved to evaluating {len(report.evaluating)}, "
               f"overdue evaluations reported to staff {len(report.overdue)}, "
               f"old change-log entries removed {report.pruned_changes}, expired login counters {expired_counters}")
