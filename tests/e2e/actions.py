"""What a person does in the browser, shared by the browser tests."""
from urllib.parse import urlsplit

from tests import totp
from tests.factories import STAFF_TOTP_SECRET  # noqa: F401  (the staff accounts of the browser tests enrol it)

PASSWORD = "e2e-password-123"


def register(page, base, email, name, mailbox):
    """Register, open the confirmation link from the mail, and log in."""
    page.goto(base + "/register")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("表示名").fill(name)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード（確認）").fill(PASSWORD)
    page.get_by_label("利用規約とプライバシーポリシーに同意します").check()
    page.get_by_role("button", name="登録する").click()
    page.get_by_role("heading", name="メールを確認してください").wait_for()
    page.goto(base + urlsplit(mailbox.last_link(email, "/account/confirm/")).path)
    login(page, base, email)


def login(page, base, email, password=PASSWORD):
    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: urlsplit(url).path in ("/", "/login/two-factor"))
    if urlsplit(page.url).path == "/login/two-factor":
        page.get_by_label("確認コード").fill(totp.login_code(STAFF_TOTP_SECRET, where=base, email=email))
        page.get_by_role("button", name="確認する").click()
        page.wait_for_url(base + "/")


def logout(page):
    page.get_by_role("button", name="ログアウト").click()


def login_as(page, base, email):
    """Log in a user that tests/factories.py made (its default password)."""
    from tests.webclient import DEFAULT_PASSWORD

    login(page, base, email, DEFAULT_PASSWORD)
