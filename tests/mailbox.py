"""A real local SMTP server (aiosmtpd) that keeps what it receives, for tests of mail flows."""
from __future__ import annotations

import re
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.webclient import free_port

LINK = re.compile(r"https?://\S+")


class Mailbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def config(self) -> dict:
        """App config that sends through this server."""
        return {"KYODO_SMTP_HOST": "127.0.0.1", "KYODO_SMTP_PORT": self.port, "KYODO_SMTP_STARTTLS": False}

    @property
    def env(self) -> dict:
        return {"KYODO_SMTP_HOST": "127.0.0.1", "KYODO_SMTP_PORT": str(self.port), "KYODO_SMTP_STARTTLS": "0"}

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail to {address} within {timeout} s: {[m['To'] for m in self.messages]}")
            time.sleep(0.05)
        return self.to(address)

    def last_link(self, address: str, path_part: str = "") -> str:
        body = self.wait_for(address)[-1].get_content()
        links = [link for link in LINK.findall(body) if path_part in link]
        assert links, body
        return links[0]
