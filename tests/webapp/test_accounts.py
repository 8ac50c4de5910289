"""Accounts people manage: reset links, confirmation, settings, sessions, 退会, data download,
consent, and the staff second factor."""
import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
import re
import time
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlmodel import select

from tests.webclient import DEFAULT_PASSWORD, AuthActions, field_error, post_form
from webapp.models import Comment, ConsentRecord, Issue, IssueCreate, Membership, Notification, NotificationKind, User
from webapp.services import account_mail, accounts, issues, two_factor
from webapp.services.errors import Conflict, Forbidden

NEW = "another-password-42"


def _path(link: str) -> str:
    return urlsplit(link).path


def _reset_link(app, mailbox, email):
    client = app.test_client()
    response = post_form(client, "/password/forgot", {"email": email})
    assert response.status_code == 200
    return _path(mailbox.last_link(email, "/password/reset/"))


def _reset(client, path, password=NEW):
    return post_form(client, path, {"password": password, "password_confirm": password})


def test_a_reset_link_works_once(mail_app, mailbox, factory):
    factory.user(email="r@example.jp")
    path = _reset_link(mail_app, mailbox, "r@example.jp")
    client = mail_app.test_client()
    assert _reset(client, path).status_code == 302
    assert AuthActions(client).login(email="r@example.jp", password=NEW).status_code == 302
    again = mail_app.test_client().get(path)
    assert again.status_code == 410 and "使えません" in again.get_data(as_text=True)


def test_a_reset_link_dies_when_the_password_changes_otherwise(mail_app, mailbox, factory, db):
    user = factory.user(email="r@example.jp")
    path = _reset_link(mail_app, mailbox, "r@example.jp")
    accounts.set_password(db, user=user, password="changed-elsewhere-1", hash_profile="fast")
    db.commit()
    assert mail_app.test_client().get(path).status_code == 410


def test_a_tampered_or_expired_reset_token_is_refused(app, factory, db):
    user = factory.user(email="r@example.jp")
    links = account_mail.AccountLinks(app.config["SECRET_KEY"], "http://x")
    token = account_mail.reset_token(links, user)
    assert account_mail.user_for_reset(db, links, token).id == user.id
    with pytest.raises(Conflict):
        account_mail.user_for_reset(db, links, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(Conflict):
        account_mail.user_for_reset(db, account_mail.AccountLinks("other-secret" * 4, "http://x"), token)
    time.sleep(1.1)
    with pytest.raises(Conflict):
        account_mail.user_for_reset(db, links, token, max_age=0)


def test_reset_answers_the_same_for_known_and_unknown_addresses(mail_app, mailbox, factory):
    factory.user(email="known@example.jp")
    known = post_form(mail_app.test_client(), "/password/forgot", {"email": "known@example.jp"})
    unknown = post_form(mail_app.test_client(), "/password/forgot", {"email": "unknown@example.jp"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("known@", "X@") == unknown.get_data(as_text=True).replace("unknown@", "X@")
    mailbox.wait_for("known@example.jp")
    assert mailbox.to("unknown@example.jp") == []


def test_reset_mails_are_throttled_per_address(make_app, mailbox, factory):
    app = make_app(KYODO_ACCOUNT_MAIL_ADDRESS_LIMIT="2 per hour", **mailbox.config)
    factory.user(email="t@example.jp")
    codes = [post_form(app.test_client(), "/password/forgot", {"email": "t@example.jp"}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


def test_an_unconfirmed_account_can_read_but_not_post(app, factory, db):
    user = factory.user(email="new@example.jp", confirmed=False)
    with pytest.raises(Forbidden):
        issues.create_issue(db, reporter=user, data=IssueCreate(title="t", body="b", area_id=factory.area().id))
    client = app.test_client()
    AuthActions(client).login(email="new@example.jp")
    assert client.get("/issues/").status_code == 200
    issue = factory.issue(reporter=factory.user())
    response = post_form(client, f"/issues/{issue.id}/comments", {"body": "コメント"}, token_from=f"/issues/{issue.id}")
    assert response.status_code == 422 and "メールアドレスの確認" in field_error(response.get_data(as_text=True), "body")
    assert db.exec(select(Comment)).all() == []


def test_changing_the_email_takes_effect_when_the_new_address_confirms(mail_app, mailbox, factory, db):
    factory.user(email="old@example.jp")
    client = mail_app.test_client()
    AuthActions(client).login(email="old@example.jp")
    assert post_form(client, "/account/email", {"email": "New@example.jp"}, token_from="/account/").status_code == 302
    db.expire_all()
    assert accounts.find_by_email(db, "old@example.jp") is not None
    assert client.get(_path(mailbox.last_link("new@example.jp", "/account/confirm/"))).status_code == 302
    db.expire_all()
    assert accounts.find_by_email(db, "new@example.jp") is not None
    assert accounts.find_by_email(db, "old@example.jp") is None


def test_a_password_change_needs_the_current_one_and_ends_other_sessions(app, factory):
    factory.user(email="p@example.jp")
    here, there = app.test_client(), app.test_client()
    AuthActions(here).login(email="p@example.jp")
    AuthActions(there).login(email="p@example.jp", remember=True)
    wrong = post_form(here, "/account/password", {"current_password": "nope-nope-1", "password": NEW,
                                                  "password_confirm": NEW}, token_from="/account/")
    assert wrong.status_code == 422
    assert "現在のパスワードが正しくありません" in field_error(wrong.get_data(as_text=True), "current_password")
    ok = post_form(here, "/account/password", {"current_password": DEFAULT_PASSWORD, "password": NEW,
                                               "password_confirm": NEW}, token_from="/account/")
    assert ok.status_code == 302
    assert here.get("/account/").status_code == 200
    assert there.get("/account/").status_code == 302  # its session (and remember cookie) ended


def test_login_rotates_the_csrf_token_and_remember_me_lasts_30_days(app, factory):
    factory.user(email="c@example.jp")
    client = app.test_client()
    before = client.get("/login") and client.get_cookie("session").value
    response = AuthActions(client).login(email="c@example.jp", remember=True)
    remember = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", remember).group(1))
    assert abs((expires - datetime.now(UTC)) - timedelta(days=30)) < timedelta(minutes=5)
    with client.session_transaction() as session:
        assert "csrf_token" not in session
    assert client.get_cookie("session").value != before


def test_delete_account_anonymises_and_keeps_posts(app, factory, db):
    user = factory.user(email="bye@example.jp", display_name="去る人")
    factory.issue(reporter=user, title="残る課題")
    client = app.test_client()
    AuthActions(client).login(email="bye@example.jp")
    response = post_form(client, "/account/delete", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.expire_all()
    gone = db.get(User, user.id)
    assert gone.display_name == "退会した利用者" and "bye@" not in gone.email and not gone.is_active
    assert db.exec(select(Issue).where(Issue.title == "残る課題")).one().reporter_id == user.id
    assert AuthActions(app.test_client()).login(email="bye@example.jp").status_code == 422


def test_the_only_owner_of_an_association_with_members_must_hand_over_first(app, factory, db):
    owner, editor = factory.user(email="o@example.jp"), factory.user(email="e@example.jp")
    org = factory.organization(owner=owner, name="引継ぎ自治会")
    from webapp.models import MemberRole
    from webapp.services import organizations
    organizations.add_member(db, org_id=org.id, user=editor, role=MemberRole.EDITOR)
    db.commit()
    client = app.test_client()
    AuthActions(client).login(email="o@example.jp")
    response = post_form(client, "/account/delete", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 422 and "引継ぎ自治会" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, owner.id).is_active


def test_leaving_an_association_without_members_unowned_tells_staff(app, factory, db):
    owner, staff = factory.user(email="o@example.jp"), factory.staff(email="s@example.jp")
    factory.organization(owner=owner, name="ひとり会")
    client = app.test_client()
    AuthActions(client).login(email="o@example.jp")
    refused = post_form(client, "/account/delete", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert "確認のチェック" in field_error(refused.get_data(as_text=True), "leave_unowned")
    response = post_form(client, "/account/delete", {"password": DEFAULT_PASSWORD, "confirm": "y", "leave_unowned": "y"})
    assert response.status_code == 302
    [note] = db.exec(select(Notification).where(Notification.user_id == staff.id)).all()
    assert note.kind == NotificationKind.ORG_UNOWNED and "ひとり会" in note.message
    assert db.exec(select(Membership).where(Membership.user_id == owner.id)).all() == []


def test_data_download_holds_what_is_stored(app, factory):
    user = factory.user(email="d@example.jp", display_name="データの人")
    factory.issue(reporter=user, title="私の課題")
    client = app.test_client()
    AuthActions(client).login(email="d@example.jp")
    response = client.get("/account/export.json")
    assert response.mimetype == "application/json" and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "d@example.jp" and data["issues"][0]["title"] == "私の課題"
    assert {c["document"] for c in data["consents"]} == {"terms", "privacy"}


def test_a_new_version_of_the_terms_is_asked_for_again(app, factory, db):
    user = factory.user(email="k@example.jp")
    db.exec(select(ConsentRecord)).all()
    for record in db.exec(select(ConsentRecord).where(ConsentRecord.user_id == user.id)):
        record.version = "2000-01-01"
        db.add(record)
    db.commit()
    client = app.test_client()
    AuthActions(client).login(email="k@example.jp")
    response = client.get("/mypage")
    assert response.status_code == 302 and response.headers["Location"].startswith("/consent")
    assert client.get("/legal/terms").status_code == 200
    assert post_form(client, "/consent", {"agree": "y"}).status_code == 302
    assert client.get("/mypage").status_code == 200


def test_staff_need_a_second_factor_and_recovery_codes_work_once(app, factory, db):
    staff = factory.user(email="s@example.jp", role=accounts.Role.STAFF)
    client = app.test_client()
    first = post_form(client, "/login", {"email": "s@example.jp", "password": DEFAULT_PASSWORD})
    assert first.headers["Location"] == "/login/two-factor"
    assert client.get("/staff/").status_code == 302  # not logged in yet
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "<svg" in page and "二段階認証の設定" in page
    with client.session_transaction() as session:
        secret = session["kyodo.two_factor"]["secret"]
    setup = post_form(client, "/login/two-factor", {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", setup.get_data(as_text=True))
    assert len(codes) == 10 and client.get("/staff/").status_code == 200

    other = app.test_client()
    post_form(other, "/login", {"email": "s@example.jp", "password": DEFAULT_PASSWORD})
    wrong = post_form(other, "/login/two-factor", {"code": "000000"})
    assert wrong.status_code == 422 and "確認コードが正しくありません" in wrong.get_data(as_text=True)
    assert post_form(other, "/login/two-factor", {"code": codes[0]}).status_code == 302
    db.expire_all()
    assert two_factor.verify(db, user=db.get(User, staff.id), code=codes[0]) is False
    assert two_factor.remaining_recovery_codes(db, user=staff) == 9


def test_reset_two_factor_command(runner, factory, db, database_url):
    from click.testing import CliRunner

    from webapp.cli import main

    staff = factory.staff(email="lost@example.jp")
    result = CliRunner().invoke(main, ["reset-two-factor", "lost@example.jp"],
                                env={"DATABASE_URL": database_url, "KYODO_ENV": "testing"}, catch_exceptions=False)
    assert "解除しました" in result.output
    db.expire_all()
    assert db.get(User, staff.id).totp_secret is None


def test_a_session_cookie_copied_before_logout_stops_working(app, factory):
    factory.user(email="c@example.jp")
    owner, thief = app.test_client(), app.test_client()
    AuthActions(owner).login(email="c@example.jp", remember=True)
    for name in ("session", "remember_token"):
        cookie = owner.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    assert thief.get("/mypage").status_code == 200  # the copy works while the login lasts
    assert AuthActions(owner).logout().status_code == 302
    assert thief.get("/mypage").status_code == 302  # and not after it


def test_an_invitation_is_answered_only_by_a_confirmed_account_of_that_address(db, factory):
    from webapp.services import org_invitations

    owner = factory.user()
    org = factory.organization(owner=owner)
    invitation = org_invitations.invite_editor(db, org_id=org.id, email="later@example.jp", inviter=owner)
    db.commit()
    squatter = factory.user(email="later@example.jp", confirmed=False)  # registered it first, never confirmed
    with pytest.raises(Forbidden, match="メールアドレスの確認"):
        org_invitations.respond(db, invitation_id=invitation.id, user=squatter, accept=True)
    db.rollback()
    assert db.exec(select(Membership).where(Membership.user_id == squatter.id)).all() == []
    other = factory.user(email="other@example.jp")
    with pytest.raises((Forbidden, Conflict)):
        org_invitations.respond(db, invitation_id=invitation.id, user=other, accept=True)
