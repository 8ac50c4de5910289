"""Errors a service raises; webapp.errors renders each as a page (or JSON) in Japanese."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400
    default_message = "リクエストを処理できませんでした。"

    def __init__(self, message: str | None = None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field  # the form field the message belongs next to, if any
        super().__init__(self.message)


class NotFound(ServiceError):
    status = 404
    default_message = "お探しのページは見つかりませんでした。"


class Forbidden(ServiceError):
    status = 403
    default_message = "この操作を行う権限がありません。"


class Conflict(ServiceError):
    status = 409
    default_message = "ほかの操作と重なったため、処理できませんでした。"
