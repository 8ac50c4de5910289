"""gunicorn's sync worker, except that a request line or headers too long for gunicorn get the
app's own Japanese error page instead of gunicorn's bare English one (such requests never reach
Flask, so its error handlers cannot answer them)."""
from __future__ import annotations

from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.sync import SyncWorker

MESSAGES = {
    414: "アドレス（URL）が長すぎます。検索することばを短くして、もう一度お試しください。",
    431: "送信された情報（ヘッダー）が大きすぎます。ブラウザーのCookieを削除してから、もう一度お試しください。",
}
REASONS = {414: "URI Too Long", 431: "Request Header Fields Too Large"}


def error_response(app, status: int) -> bytes:
    """A complete HTTP/1.1 response holding the app's error page for `status`."""
    from flask import render_template

    with app.test_request_context("/"):
        body = render_template("errors/error.html", status=status, message=MESSAGES[status]).encode("utf-8")
    head = (f"HTTP/1.1 {status} {REASONS[status]}\r\nConnection: close\r\n"
            f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class KyodoWorker(SyncWorker):
    def handle_error(self, req, client, addr, exc):
        status = 414 if isinstance(exc, LimitRequestLine) else 431 if isinstance(exc, LimitRequestHeaders) else None
        if status is None:
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            client.sendall(error_response(self.wsgi, status))
        except OSError:
            pass
