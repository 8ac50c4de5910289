"""パスワードを忘れた方 in Chromium: ask for a link → the mail arrives at a real local SMTP server →
set a new password → log in with it (and the old one no longer works)."""
from urllib.parse import urlsplit

import pytest

from webapp.cities import resolve_city
from webapp.config import DEFAULT_CITY
from webapp.db import create_engine_for, session_scope
from webapp.services import accounts, legal

from tests.e2e.actions import PASSWORD, login

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
NEW_PASSWORD = "a-brand-new-password-9"


def test_forgot_password_mail_new_password_login(database_url, live_server, new_page, mailbox):
    engine = create_engine_for(database_url)
    with session_scope(engine) as session:
        accounts.register_user(session, email="hanako@example.jp", display_name="花子", password=PASSWORD,
                               hash_profile="fast", confirmed=True,
                               consents=legal.current_versions(resolve_city(DEFAULT_CITY).directory))
    engine.dispose()
    base, page = live_server, new_page()

    page.goto(base + "/login")
    page.get_by_role("link", name="パスワードを忘れた方").click()
    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_role("button", name="再設定のメールを送る").click()
    page.get_by_role("heading", name="メールを確認してください").wait_for()

    [mail] = mailbox.wait_for("hanako@example.jp")
    assert mail["Subject"] == "【協働マッチング】パスワードの再設定"
    page.goto(base + urlsplit(mailbox.last_link("hanako@example.jp", "/password/reset/")).path)
    page.get_by_label("新しいパスワード", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新しいパスワード（確認）").fill(NEW_PASSWORD)
    page.get_by_role("button", name="パスワードを設定する").click()
    page.get_by_text("パスワードを再設定しました").wait_for()

    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_text("メールアドレスまたはパスワードが正しくありません").wait_for()

    login(page, base, "hanako@example.jp", password=NEW_PASSWORD)
    assert page.get_by_text("花子 さん").is_visible()
