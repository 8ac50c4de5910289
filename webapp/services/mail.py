"""Outgoing e-mail: SMTP when configured, otherwise the log (so nothing is lost in a demo)."""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

log = logging.getLogger("kyodo.mail")


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    sender: str
    base_url: str

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        return cls(
            host=config.get("KYODO_SMTP_HOST", ""),
            port=int(config.get("KYODO_SMTP_PORT", 587)),
            user=config.get("KYODO_SMTP_USER", ""),
            password=config.get("KYODO_SMTP_PASSWORD", ""),
            starttls=bool(config.get("KYODO_SMTP_STARTTLS", True)),
            sender=config.get("KYODO_MAIL_FROM", "kyodo@localhost"),
            base_url=config.get("KYODO_BASE_URL", "http://127.0.0.1:5000"),
        )


def send(settings: MailSettings, *, to: str, subject: str, body: str) -> None:
    """Send one message; raises OSError/smtplib.SMTPException when the server refuses."""
    if not settings.host:
        log.info("mail (no SMTP configured) to=%s subject=%s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.host, settings.port, timeout=20) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)
