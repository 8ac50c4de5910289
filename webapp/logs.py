"""Log records cut to a sane length: a request can carry 100,000 characters in one field, and an
error about it (a database error quotes its parameters) must not copy them whole into the log."""
from __future__ import annotations

import logging

MAX_MESSAGE = 2000
MAX_TRACEBACK = 8000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…（{len(text) - limit}文字省略）"


class TruncatingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > MAX_MESSAGE:
            record.msg, record.args = _cut(message, MAX_MESSAGE), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _cut(logging.Formatter().formatException(record.exc_info), MAX_TRACEBACK)
        return True


def init_app(app) -> None:
    app.logger.addFilter(TruncatingFilter())
