"""Mails new notifications once the transaction that created them has committed (never before:
a rolled-back change must not have told anyone)."""
from __future__ import annotations

import logging
import smtplib

import sqlalchemy as sa
from sqlmodel import Session

from .services import mail, notifications
from .services.mail import MailSettings

log = logging.getLogger("kyodo.notifications")


def attach(session: Session, engine: sa.Engine, settings: MailSettings) -> Session:
    def _after_commit(committed: Session) -> None:
        for message in committed.info.pop(notifications.OUTBOX, []):
            try:
                mail.send(settings, **message)
            except (OSError, smtplib.SMTPException):
                log.exception("could not send mail to %s", message.get("to"))
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

    sa.event.listen(session, "after_commit", _after_commit)
    sa.event.listen(session, "after_soft_rollback", lambda s, _tx: _after_rollback(s))
    return session
