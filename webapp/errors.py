"""One error renderer: service errors and HTTP errors become a Japanese page (or JSON under /api)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .services.errors import ServiceError

MESSAGES = {
    400: "送信内容を処理できませんでした。",
    403: "このページを見る権限がありません。",
    404: "お探しのページは見つかりませんでした。",
    405: "この方法ではアクセスできません。",
    409: "ほかの操作と重なったため、処理できませんでした。",
    413: "送信されたデータが大きすぎます。",
    429: "短い時間にアクセスが集中しました。しばらく待ってからもう一度お試しください。",
    500: "サーバーで問題が起きました。時間をおいてもう一度お試しください。",
}
CSRF_MESSAGE = (
    "フォームの有効期限が切れたか、正しくない送信です。ページを再読み込みしてから、もう一度送信してください。"
)
COLLISION_MESSAGE = (
    "ほかの操作と同時になったため、この操作は行われませんでした。ページを開き直して、内容を確かめてからもう一度お試しください。"
)
BAD_VALUE_MESSAGE = "送信された値を受け付けられませんでした。入力内容を確かめてください。"
LOGIN_THROTTLED = "ログインの試行が多すぎます。数分待ってから、もう一度お試しください。"


def render_error(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify({"error": {"status": status, "message": message}}), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(429)
    def _too_many(_error):
        message = LOGIN_THROTTLED if request.endpoint == "auth.login" else None
        return render_error(429, message)

    # A constraint or lock that stopped a concurrent double write is a collision, not a server
    # fault: the request's work is rolled back and the person is told what happened (409).
    @app.errorhandler(sa.exc.IntegrityError)
    def _collision(error: sa.exc.IntegrityError):
        _abandon_transaction()
        app.logger.info("write refused by a constraint on %s: %s", request.path, str(error.orig)[:300])
        return render_error(409, COLLISION_MESSAGE)

    @app.errorhandler(sa.exc.OperationalError)
    def _busy(error: sa.exc.OperationalError):
        _abandon_transaction()
        if _is_lock_conflict(error):
            app.logger.info("lock conflict on %s: %s", request.path, str(error.orig)[:300])
            return render_error(409, COLLISION_MESSAGE)
        app.logger.exception("database error on %s", request.path)
        return render_error(500)

    @app.errorhandler(sa.exc.DataError)
    def _bad_value(error: sa.exc.DataError):
        # Values the parsers let through but the database refuses (out of range, bad encoding).
        _abandon_transaction()
        app.logger.warning("value refused by the database on %s: %s", request.path, str(error.orig)[:300])
        return render_error(400, BAD_VALUE_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(500)


def _abandon_transaction() -> None:
    """Roll the request's session back so the error page itself can read (badge, menus)."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


LOCK_CONFLICT_CODES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def _is_lock_conflict(error: sa.exc.OperationalError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code in LOCK_CONFLICT_CODES:
        return True
    return "database is locked" in str(error.orig)  # SQLite after its busy timeout
