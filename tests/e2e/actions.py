"""What a person does in the browser, shared by the browser tests."""
PASSWORD = "e2e-password-123"


def register(page, base, email, name):
    page.goto(base + "/register")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("表示名").fill(name)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード（確認）").fill(PASSWORD)
    page.get_by_role("button", name="登録する").click()
    page.wait_for_url(base + "/")


def login(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(base + "/")


def logout(page):
    page.get_by_role("button", name="ログアウト").click()


def login_as(page, base, email):
    """Log in a user that tests/factories.py made (its default password)."""
    from tests.webclient import DEFAULT_PASSWORD

    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(base + "/")
