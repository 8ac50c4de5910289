"""Signed links for account mail (password reset, address confirmation) and the mails that carry
them. Mails are queued on the session, so they leave only if the transaction commits."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from ..models import User
from .errors import Conflict
from .notifications import queue_mail

RESET_MAX_AGE = 60 * 60              # 1 hour
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60   # 3 days
SUBJECT_PREFIX = "【協働マッチング】"
INVALID_RESET = "このパスワード再設定のリンクは使えません（期限切れ、使用済み、または正しくないリンクです）。もう一度お手続きください。"
INVALID_CONFIRM = "この確認リンクは使えません（期限切れ、または正しくないリンクです）。アカウント設定から確認メールを再送できます。"


@dataclass(frozen=True)
class AccountLinks:
    """What signing and addressing links needs: the app's secret and its public address."""

    secret_key: str
    base_url: str

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=salt)

    def url(self, path: str) -> str:
        return self.base_url + path


def _fingerprint(user: User) -> str:
    # Changes whenever the password or the address does: a used (or outdated) reset link dies.
    return hashlib.sha256(f"{user.password_hash}\0{user.email}".encode()).hexdigest()[:32]


def reset_token(links: AccountLinks, user: User) -> str:
    return links._serializer("password-reset").dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset(session: Session, links: AccountLinks, token: str, *, max_age: int = RESET_MAX_AGE) -> User:
    """The account a valid, unused, unexpired reset token is for; Conflict otherwise."""
    try:
        data = links._serializer("password-reset").loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        raise Conflict(INVALID_RESET) from None
    user = session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        raise Conflict(INVALID_RESET)
    return user


def confirm_token(links: AccountLinks, user: User, email: str) -> str:
    return links._serializer("confirm-email").dumps({"u": user.id, "e": email})


def read_confirm_token(links: AccountLinks, token: str, *, max_age: int = CONFIRM_MAX_AGE) -> tuple[int, str]:
    try:
        data = links._serializer("confirm-email").loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        raise Conflict(INVALID_CONFIRM) from None
    if not (isinstance(data, dict) and isinstance(data.get("u"), int) and isinstance(data.get("e"), str)):
        raise Conflict(INVALID_CONFIRM)
    return data["u"], data["e"]


def send_reset(session: Session, links: AccountLinks, user: User) -> None:
    url = links.url("/password/reset/" + reset_token(links, user))
    queue_mail(session, background=True, to=user.email, subject=SUBJECT_PREFIX + "パスワードの再設定",
               body=f"{user.display_name} さん\n\nパスワードの再設定を受け付けました。"
               f"1時間以内に次のリンクを開き、新しいパスワードを設定してください。\n\n{url}\n\n"
               "お心当たりがない場合は、このメールを破棄してください。パスワードは変わりません。\n")


def send_confirmation(session: Session, links: AccountLinks, user: User, *, email: str | None = None) -> None:
    """Ask the owner of ``email`` (default: the account's address) to confirm it."""
    email = email or user.email
    url = links.url("/account/confirm/" + confirm_token(links, user, email))
    queue_mail(session, background=True, to=email, subject=SUBJECT_PREFIX + "メールアドレスの確認",
               body=f"{user.display_name} さん\n\n協働マッチングへの登録（またはメールアドレスの変更）を受け付けました。"
               f"3日以内に次のリンクを開いて、このメールアドレスを確認してください。\n\n{url}\n\n"
               "お心当たりがない場合は、このメールを破棄してください。\n")


def send_already_registered(session: Session, links: AccountLinks, user: User) -> None:
    """Someone tried to register this address again: tell its owner, not the person at the form."""
    queue_mail(session, background=True, to=user.email, subject=SUBJECT_PREFIX + "登録済みのメールアドレスです",
               body=f"{user.display_name} さん\n\nこのメールアドレスで新規登録の申し込みがありましたが、"
               "すでにアカウントがあります。ログインは次のページからどうぞ。\n\n"
               f"{links.url('/login')}\n\nパスワードをお忘れの場合: {links.url('/password/forgot')}\n\n"
               "お心当たりがない場合は、このメールを破棄してください。\n")
