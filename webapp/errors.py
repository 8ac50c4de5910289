"""One error renderer: service errors and HTTP errors become a Japanese page (or JSON under /api)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
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

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(500)
