
import pytest
from sqlmodel import select

from tests.webclient import DEFAULT_PASSWORD, AuthActions, csrf_token, field_error, post_form
from webapp.models import ConsentRecord, User


def _users(db):
    db.expire_all()
    return db.exec(select(User)).all()


def test_register_stores_an_argon2_hash_and_the_confirmation_link_opens_the_account(mail_app, mailbox, db):
    client = mail_app.test_client()
    auth = AuthActions(client)
    response = auth.register(email="Hanako@Example.jp", display_name="花子")
    assert response.status_code == 200 and "メールを確認してください" in response.get_data(as_text=True)
    [user] = _users(db)
    assert user.email == "hanako@example.jp" and not user.is_confirmed
    assert user.password_hash.startswith("$argon2id$")
    assert DEFAULT_PASSWORD not in user.password_hash
    assert [(c.document, c.version) for c in db.exec(select(ConsentRecord))] == [
        ("terms", "2026-12-01"), ("privacy", "2026-12-01")]
    link = mailbox.last_link("hanako@example.jp", "/account/confirm/")
    assert client.get(link.split("5000", 1)[1]).status_code == 302
    assert _users(db)[0].is_confirmed
    assert auth.login(email="hanako@example.jp").status_code == 302
    assert "花子 さん" in client.get("/").get_data(as_text=True)


def test_registration_needs_consent(client, db):
    response = post_form(client, "/register", {"email": "ok@example.jp", "display_name": "太郎",
                                               "password": DEFAULT_PASSWORD, "password_confirm": DEFAULT_PASSWORD})
    assert response.status_code == 422
    assert "同意が必要" in field_error(response.get_data(as_text=True), "agree")
    assert _users(db) == []


@pytest.mark.parametrize(
    "field, data, message",
    [
        ("email", {"email": ""}, "メールアドレスを入力してください。"),
        ("email", {"email": "not-an-address"}, "メールアドレスの形式が正しくありません"),
        ("display_name", {"display_name": "   "}, "表示名を入力してください。"),
        ("display_name", {"display_name": "あ" * 81}, "表示名は80文字以内"),
        ("password", {"password": "short", "password_confirm": "short"}, "パスワードは8〜128文字"),
        ("password_confirm", {"password_confirm": "different-pass"}, "パスワードが一致しません。"),
        ("password", {"email": "same@example.jp", "password": "same@example.jp",
                      "password_confirm": "same@example.jp"}, "メールアドレスと同じパスワード"),
    ],
)
def test_bad_registration_shows_the_error_next_to_the_field_and_stores_nothing(
    client, db, field, data, message
):
    form = {"email": "ok@example.jp", "display_name": "太郎", "password": DEFAULT_PASSWORD,
            "password_confirm": DEFAULT_PASSWORD, **data}
    response = post_form(client, "/register", {**form, "agree": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert f'id="{field}"' in html and 'aria-invalid="true"' in html
    assert _users(db) == []


def test_registering_a_taken_email_answers_as_for_a_new_one_and_mails_the_owner(mail_app, mailbox, factory, db):
    factory.user(email="taken@example.jp")
    auth = AuthActions(mail_app.test_client())
    taken = auth.register(email="TAKEN@example.jp").get_data(as_text=True)
    new = auth.register(email="fresh@example.jp").get_data(as_text=True)
    assert taken.replace("taken@", "X@") == new.replace("fresh@", "X@")
    assert len(_users(db)) == 2
    [mail] = mailbox.wait_for("taken@example.jp")
    assert mail["Subject"] == "【協働マッチング】登録済みのメールアドレスです"
    assert "/password/forgot" in mail.get_content()


def test_login_and_logout(client, auth, factory):
    factory.user(email="kumi@example.jp", display_name="くみ")
    response = auth.login(email="KUMI@example.jp")
    assert response.status_code == 302
    assert "くみ さん" in client.get("/").get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert "くみ さん" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message_by_the_password_field(client, auth, factory):
    factory.user(email="kumi@example.jp")
    response = auth.login(email="kumi@example.jp", password="wrong-password")
    assert response.status_code == 422
    assert "正しくありません" in field_error(response.get_data(as_text=True), "password")
    assert "ログアウト" not in client.get("/").get_data(as_text=True)


def test_unknown_email_gets_the_same_message(auth):
    response = auth.login(email="nobody@example.jp")
    assert "メールアドレスまたはパスワードが正しくありません" in response.get_data(as_text=True)


def test_inactive_account_cannot_log_in(auth, factory, db):
    user = factory.user(email="gone@example.jp")
    user.is_active = False
    db.add(user)
    db.commit()
    assert auth.login(email="gone@example.jp").status_code == 422


def test_login_redirect_only_to_same_site_paths(client, factory):
    factory.user(email="n@example.jp")
    for target, expected in [("/orgs/", "/orgs/"), ("https://evil.example/", "/"), ("//evil.example", "/")]:
        token = csrf_token(client, "/login")
        response = client.post(f"/login?next={target}",
                               data={"csrf_token": token, "email": "n@example.jp", "password": DEFAULT_PASSWORD})
        assert response.headers["Location"] == expected
        post_form(client, "/logout", {}, token_from="/")


@pytest.mark.parametrize("url", ["/login", "/register", "/logout"])
def test_post_without_csrf_token_is_rejected(client, db, url):
    response = client.post(url, data={"email": "x@example.jp", "password": DEFAULT_PASSWORD,
                                      "password_confirm": DEFAULT_PASSWORD, "display_name": "x"})
    assert response.status_code == 400
    assert "再読み込み" in response.get_data(as_text=True)
    assert _users(db) == []


def test_post_with_a_forged_csrf_token_is_rejected(client):
    response = client.post("/login", data={"csrf_token": "forged", "email": "x@example.jp", "password": "p"})
    assert response.status_code == 400


def test_logout_by_get_is_not_allowed(client, auth, factory):
    factory.user(email="g@example.jp")
    auth.login(email="g@example.jp")
    assert client.get("/logout").status_code == 405


def test_session_cookie_is_httponly_and_samesite(client, auth, factory):
    factory.user(email="c@example.jp")
    response = auth.login(email="c@example.jp")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_attempts_are_throttled_with_a_japanese_message(make_app, factory):
    app = make_app(KYODO_LOGIN_LIMIT="3 per minute", KYODO_LOGIN_ACCOUNT_LIMIT="100 per minute")
    client = app.test_client()
    factory.user(email="t@example.jp")
    statuses = []
    for _ in range(4):
        response = post_form(client, "/login", {"email": "t@example.jp", "password": "wrong-password"})
        statuses.append(response.status_code)
    assert statuses == [422, 422, 422, 429]
    assert "ログインの試行が多すぎます" in response.get_data(as_text=True)
    # Even the right password is refused while throttled.
    response = post_form(client, "/login", {"email": "t@example.jp", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429


def test_guesses_on_one_account_cannot_lock_its_owner_out(make_app, factory):
    app = make_app(KYODO_LOGIN_LIMIT="100 per minute", KYODO_LOGIN_ACCOUNT_LIMIT="2 per minute")
    factory.user(email="victim@example.jp")

    def attempt(address: str, password: str) -> int:
        client = app.test_client()
        token = csrf_token(client, "/login")
        return client.post("/login", data={"csrf_token": token, "email": "Victim@example.jp", "password": password},
                           environ_base={"REMOTE_ADDR": address}).status_code

    assert [attempt("10.0.0.1", "guess") for _ in range(3)] == [422, 422, 429]
    assert attempt("10.0.0.1", DEFAULT_PASSWORD) == 429  # the guesser's address stays stopped
    assert attempt("10.0.0.2", DEFAULT_PASSWORD) == 302  # the owner, elsewhere, logs in


def test_getting_the_login_page_is_not_throttled(make_app):
    app = make_app(KYODO_LOGIN_LIMIT="1 per minute")
    client = app.test_client()
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 200]
