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


def send(settings: MailSettings, *, to: str, subject: str, body: str) -> bool:
    """Send one message; True once an SMTP server accepted it, False when no server is configured
    and the whole mail went to the log instead (so a city can walk through every mail flow before
    it has a server). Raises OSError/smtplib.SMTPException when the server refuses."""
    if not settings.host:
        # WARNING, not INFO: the default logging setup drops INFO, and this text is the only copy.
        log.warning("mail not sent (no SMTP server configured; KYODO_SMTP_HOST)\nTo: %s\nSubject: %s\n\n%s",
                    to, subject, body)
        return False
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
    return True
