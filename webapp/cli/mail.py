from __future__ import annotations

from datetime import timedelta

import click

from ..db import session_scope
from ..services import notifications
from . import settings as settings_module


@click.command("send-digests")
def send_digests() -> None:
    """まとめメール（1日1回）を送る。cron で毎日実行 / send the daily digests (run daily from cron)."""
    settings = settings_module.load()
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        mailed = notifications.send_digests(session, settings=settings.mail)
    click.echo(f"digests sent: {mailed}")


@click.command("retry-mail")
@click.option("--older-than", default=5, show_default=True, type=click.IntRange(0), help="minutes")
def retry_mail(older_than: int) -> None:
    """送れなかったお知らせメールを再送 / retry notification mails that could not be sent."""
    settings = settings_module.load()
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        sent = notifications.retry_unmailed(session, settings=settings.mail, older_than=timedelta(minutes=older_than))
    click.echo(f"mails sent: {sent}")
