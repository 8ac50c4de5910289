"""In-app notifications, and their delivery by e-mail: at once, or in a daily digest (opt-in)."""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import MemberRole, Membership, Notification, NotificationKind, User, utcnow
from . import mail

log = logging.getLogger("kyodo.notifications")
NEW_NOTIFICATIONS = "kyodo.new_notifications"
OUTBOX = "kyodo.outbox"


BACKGROUND_OUTBOX = "kyodo.background_outbox"


def queue_mail(session: Session, *, to: str, subject: str, body: str, background: bool = False) -> None:
    """A mail to someone who may have no account; it is sent only if the transaction commits.
    ``background``: sent after the response's work, off the request thread, so the time a request
    takes does not show whether it sent a mail (account mails: reset, registration)."""
    key = BACKGROUND_OUTBOX if background else OUTBOX
    session.info.setdefault(key, []).append({"to": to, "subject": subject, "body": body})


def notify(
    session: Session, *, user_ids: Iterable[int], kind: NotificationKind, message: str, link: str = ""
) -> list[Notification]:
    created = [
        Notification(user_id=user_id, kind=kind, message=message, link=link)
        for user_id in sorted(set(user_ids))
    ]
    session.add_all(created)
    session.flush()
    # Remembered on the session so that they can be mailed once the transaction has committed.
    session.info.setdefault(NEW_NOTIFICATIONS, []).extend(n.id for n in created)
    return created


def owner_ids(session: Session, *, org_ids: Iterable[int]) -> set[int]:
    """The users who own (代表) any of these organizations."""
    org_ids = list(org_ids)
    if not org_ids:
        return set()
    return set(session.exec(
        select(Membership.user_id).where(Membership.organization_id.in_(org_ids), Membership.role == MemberRole.OWNER)
    ).all())


def notify_org_owners(session: Session, *, org_ids: Iterable[int], exclude_user_id: int | None = None, **kwargs):
    owners = owner_ids(session, org_ids=org_ids) - {exclude_user_id}
    return notify(session, user_ids=owners, **kwargs)


def list_for(session: Session, *, user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, *, user_id: int) -> int:
    return session.exec(
        select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    ).one()


def mark_all_read(session: Session, *, user_id: int) -> None:
    session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def set_digest(session: Session, *, user: User, digest: bool) -> None:
    set_delivery(session, user=user, mode=DIGEST if digest else AT_ONCE)


# How a person receives their notifications (お知らせの受け取り方), for every kind alike.
IN_APP_ONLY, AT_ONCE, DIGEST = "in_app", "at_once", "digest"
DELIVERY_CHOICES = [(AT_ONCE, "お知らせのたびにメールでも送る"), (DIGEST, "1日1回、まとめてメールで送る"),
                    (IN_APP_ONLY, "メールは送らない（このお知らせ欄だけ）")]


def delivery_of(user: User) -> str:
    if not user.email_notifications:
        return IN_APP_ONLY
    return DIGEST if user.email_digest else AT_ONCE


def set_delivery(session: Session, *, user: User, mode: str) -> None:
    """In-app only, mail at once, or the daily digest; raises ValueError for anything else."""
    if mode not in (IN_APP_ONLY, AT_ONCE, DIGEST):
        raise ValueError(mode)
    user.email_notifications = mode != IN_APP_ONLY
    user.email_digest = mode == DIGEST
    session.add(user)
    session.flush()


def _absolute(settings: mail.MailSettings, link: str) -> str:
    return settings.base_url + link if link.startswith("/") else link


def deliver_immediate(session: Session, *, settings: mail.MailSettings, notification_ids: list[int]) -> int:
    """Mail these notifications to users who chose mail at once; returns how many were sent.
    A failed send leaves the notification unmailed, for `kyodo send-mail` to retry."""
    rows = session.exec(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.id.in_(notification_ids),
            Notification.emailed_at.is_(None),
            User.email_digest.is_(False),
            User.email_notifications.is_(True),
            User.is_active.is_(True),
        )
    ).all()
    sent = 0
    for notification, user in rows:
        try:
            delivered = mail.send(
                settings,
                to=user.email,
                subject=f"【協働マッチング】{notification.kind.label}",
                body=f"{user.display_name} さん\n\n{notification.message}\n\n"
                f"{_absolute(settings, notification.link)}\n",
            )
        except (OSError, smtplib.SMTPException):
            log.exception("could not mail notification %s", notification.id)
            continue
        if not delivered:
            continue  # only logged: it was not e-mailed, so it is not marked as e-mailed
        notification.emailed_at = utcnow()
        session.add(notification)
        sent += 1
    session.flush()
    return sent


def retry_unmailed(session: Session, *, settings: mail.MailSettings, older_than: timedelta) -> int:
    if not settings.host:
        return 0  # without a server every retry would only log the same mails again
    # Only mails due at once: in-app-only and digest notifications stay unmailed here by design.
    ids = session.exec(
        select(Notification.id).join(User, User.id == Notification.user_id).where(
            Notification.emailed_at.is_(None), Notification.created_at <= utcnow() - older_than,
            User.email_digest.is_(False), User.email_notifications.is_(True), User.is_active.is_(True),
        )
    ).all()
    return deliver_immediate(session, settings=settings, notification_ids=list(ids))


def send_digests(session: Session, *, settings: mail.MailSettings, now: datetime | None = None) -> int:
    """One e-mail per digest user with every notification not mailed yet; returns users mailed."""
    now = now or utcnow()
    pending = session.exec(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.email_digest.is_(True), User.email_notifications.is_(True),
               User.is_active.is_(True))
        .order_by(User.id, Notification.created_at)
    ).all()
    by_user: dict[int, tuple[User, list[Notification]]] = {}
    for notification, user in pending:
        by_user.setdefault(user.id, (user, []))[1].append(notification)
    mailed = 0
    for user, items in by_user.values():
        lines = [f"・{n.message}\n  {_absolute(settings, n.link)}" for n in items]
        try:
            delivered = mail.send(
                settings,
                to=user.email,
                subject=f"【協働マッチング】新しいお知らせ {len(items)}件",
                body=f"{user.display_name} さん\n\nこの1日の新しいお知らせです。\n\n" + "\n".join(lines) + "\n",
            )
        except (OSError, smtplib.SMTPException):
            log.exception("could not mail the digest to user %s", user.id)
            continue
        if not delivered:
            continue
        for n in items:
            n.emailed_at = now
            session.add(n)
        mailed += 1
    session.flush()
    return mailed
