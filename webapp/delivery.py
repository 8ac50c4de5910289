"""Mails new notifications once the transaction that created them has committed (never before:
a rolled-back change must not have told anyone)."""
from __future__ import annotations

import logging
import smtplib
import threading
import time

import sqlalchemy as sa
from sqlmodel import Session

from .services import mail, notifications
from .services.mail import MailSettings

log = logging.getLogger("kyodo.notifications")


BACKGROUND_DELAY = 0.1  # seconds: let the response go out before the mail work competes for the GIL


def _send_all(settings: MailSettings, messages: list[dict], delay: float = 0.0) -> None:
    time.sleep(delay)
    for message in messages:
        try:
            mail.send(settings, **message)
        except (OSError, smtplib.SMTPException):
            log.exception("could not send mail to %s", message.get("to"))


def attach(session: Session, engine: sa.Engine, settings: MailSettings) -> Session:
    def _after_commit(committed: Session) -> None:
        _send_all(settings, committed.info.pop(notifications.OUTBOX, []))
        background = committed.info.pop(notifications.BACKGROUND_OUTBOX, [])
        if background:
            # Not a daemon: a worker that shuts down still finishes sending.
            threading.Thread(target=_send_all, args=(settings, background, BACKGROUND_DELAY), name="kyodo-mail").start()
        ids = committed.info.pop(notifications.NEW_NOTIFICATIONS, [])
        if not ids:
            return
        try:
            with Session(engine, expire_on_commit=False) as delivery:
                notifications.deliver_immediate(delivery, settings=settings, notification_ids=ids)
                delivery.commit()
        except sa.exc.SQLAlchemyError:
            log.exception("could not record the delivery of notifications %s", ids)

    def _after_rollback(rolled_back: Session) -> None:
        rolled_back.info.pop(notifications.NEW_NOTIFICATIONS, None)
        rolled_back.info.pop(notifications.OUTBOX, None)
        rolled_back.info.pop(notifications.BACKGROUND_OUTBOX, None)

    sa.event.listen(session, "after_commit", _after_commit)
    sa.event.listen(session, "after_soft_rollback", lambda s, _tx: _after_rollback(s))
    return session
