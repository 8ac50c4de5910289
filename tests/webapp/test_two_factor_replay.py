"""A staff TOTP code logs in once (RFC 6238, 5.2): replayed, or sent twice at once, it is refused."""
from __future__ import annotations

import time

import pyotp
from sqlmodel import select

from tests.factories import STAFF_TOTP_SECRET
from tests.webclient import DEFAULT_PASSWORD, Browser, at_once, post_form
from webapp.models import User
from webapp.services import two_factor


def _current_step() -> int:
    return int(time.time()) // 30


def _password_step(client, email):
    response = post_form(client, "/login", {"email": email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/login/two-factor"


def test_a_code_that_logged_in_is_refused_the_second_time(app, factory):
    factory.staff(email="s@example.jp")
    code = pyotp.TOTP(STAFF_TOTP_SECRET).at(time.time())
    first, second = app.test_client(), app.test_client()
    _password_step(first, "s@example.jp")
    assert post_form(first, "/login/two-factor", {"code": code}).status_code == 302
    assert first.get("/staff/").status_code == 200
    _password_step(second, "s@example.jp")
    replay = post_form(second, "/login/two-factor", {"code": code})
    assert replay.status_code == 422 and "確認コードが正しくありません" in replay.get_data(as_text=True)
    assert second.get("/staff/").status_code == 302
    # the next step's code (a phone a little ahead) still works
    later = pyotp.TOTP(STAFF_TOTP_SECRET).at(time.time() + 30)
    assert post_form(second, "/login/two-factor", {"code": later}).status_code == 302


def test_an_older_code_is_refused_after_a_newer_one(factory, db):
    staff = factory.staff(email="s@example.jp")
    totp = pyotp.TOTP(STAFF_TOTP_SECRET)
    now = time.time()
    assert two_factor.verify(db, user=staff, code=totp.at(now + 30)) is True
    assert two_factor.verify(db, user=staff, code=totp.at(now)) is False
    db.commit()
    stored = db.exec(select(User).where(User.id == staff.id)).one()
    assert stored.totp_last_step >= _current_step()


def test_reset_forgets_the_used_step(factory, db):
    staff = factory.staff(email="lost@example.jp")
    assert staff.totp_last_step is not None  # the enrolment code is used up too
    two_factor.reset(db, email="lost@example.jp")
    db.commit()
    db.refresh(staff)
    assert staff.totp_secret is None and staff.totp_last_step is None


def test_one_code_sent_by_two_browsers_at_once_logs_in_one(live_server, factory):
    factory.staff(email="race@example.jp")
    code = pyotp.TOTP(STAFF_TOTP_SECRET).at(time.time())
    browsers = [Browser(live_server) for _ in range(4)]
    for browser in browsers:
        status, _ = browser.post("/login", {"email": "race@example.jp", "password": DEFAULT_PASSWORD},
                                 token_from="/login")
        assert status == 302
    tokens = [browser.token("/login/two-factor") for browser in browsers]
    answers = at_once(*(
        (lambda b=browser, t=token: b.request("/login/two-factor", {"csrf_token": t, "code": code}))
        for browser, token in zip(browsers, tokens)))
    assert sorted(status for status, _ in answers) == [302, 422, 422, 422]
    assert sum(browser.request("/staff/")[0] == 200 for browser in browsers) == 1
