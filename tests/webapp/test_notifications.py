"""Notifications reach people in the app and by e-mail (a real SMTP server on loopback)."""
import email
import email.policy

import pytest
from click.testing import CliRunner
from sqlmodel import select

from tests.webclient import free_port, post_form
from webapp.cli import main
from webapp.models import Notification, NotificationKind
from webapp.services import notifications
from webapp.services import org_invitations


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def subjects(self):
        return [m["Subject"] for m in self.messages]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(KYODO_SMTP_HOST="127.0.0.1", KYODO_SMTP_PORT=smtp.port, KYODO_SMTP_STARTTLS=False,
                    KYODO_MAIL_FROM="kyodo@city.example.jp", KYODO_BASE_URL="https://kyodo.example.jp")


def test_an_invitation_is_notified_in_the_app_and_mailed_at_once(mail_app, factory, db, smtp):
    from tests.webclient import AuthActions

    owner = factory.user(email="owner@example.jp")
    invitee = factory.user(email="invitee@example.jp", display_name="招かれた人")
    org = factory.organization(owner=owner, name="南沢川の会")
    client = mail_app.test_client()
    AuthActions(client).login(email="owner@example.jp")
    response = post_form(client, f"/orgs/{org.id}/members/invite", {"email": "Invitee@example.jp"},
                         token_from=f"/orgs/{org.id}/members")
    assert response.status_code == 302
    [note] = db.exec(select(Notification).where(Notification.user_id == invitee.id)).all()
    assert note.kind == NotificationKind.ORG_INVITATION and note.emailed_at is not None
    [message] = smtp.messages
    assert message["To"] == "invitee@example.jp"
    assert "南沢川の会" in message.get_content()
    assert "https://kyodo.example.jp/notifications/" in message.get_content()


def test_people_without_an_account_get_the_invitation_by_mail(mail_app, factory, smtp):
    from tests.webclient import AuthActions

    owner = factory.user(email="owner@example.jp")
    org = factory.organization(owner=owner, name="南沢川の会")
    client = mail_app.test_client()
    AuthActions(client).login(email="owner@example.jp")
    post_form(client, f"/orgs/{org.id}/members/invite", {"email": "newcomer@example.jp"},
              token_from=f"/orgs/{org.id}/members")
    assert [m["To"] for m in smtp.messages] == ["newcomer@example.jp"]
    assert "登録" in smtp.messages[0].get_content()


def test_nothing_is_mailed_when_the_transaction_rolls_back(mail_app, factory, smtp):
    from webapp.db import get_session

    user = factory.user()
    with mail_app.test_request_context():
        session = get_session()
        notifications.notify(session, user_ids=[user.id], kind=NotificationKind.MATCHING_ISSUE, message="x")
        session.rollback()
        session.commit()
    assert smtp.messages == []


def test_digest_users_get_one_mail_a_day(mail_app, factory, db, smtp, database_url):
    owner = factory.user()
    digest_user = factory.user(email="digest@example.jp")
    notifications.set_digest(db, user=digest_user, digest=True)
    db.commit()
    org_a = factory.organization(owner=owner, name="会A")
    org_b = factory.organization(owner=owner, name="会B")
    from webapp.db import get_session

    with mail_app.test_request_context():
        session = get_session()
        org_invitations.invite_editor(session, org_id=org_a.id, email="digest@example.jp", inviter=owner)
        org_invitations.invite_editor(session, org_id=org_b.id, email="digest@example.jp", inviter=owner)
        session.commit()
    assert smtp.messages == []  # nothing at once for a digest user

    env = {"DATABASE_URL": database_url, "KYODO_ENV": "testing", "KYODO_SMTP_HOST": "127.0.0.1",
           "KYODO_SMTP_PORT": str(smtp.port), "KYODO_SMTP_STARTTLS": "0"}
    result = CliRunner().invoke(main, ["send-digests"], env=env, catch_exceptions=False)
    assert "digests sent: 1" in result.output
    [digest] = smtp.messages
    assert digest["To"] == "digest@example.jp" and "2件" in digest["Subject"]
    assert "会A" in digest.get_content() and "会B" in digest.get_content()
    again = CliRunner().invoke(main, ["send-digests"], env=env, catch_exceptions=False)
    assert "digests sent: 0" in again.output and len(smtp.messages) == 1


def test_without_smtp_the_whole_mail_goes_to_the_log_and_is_not_marked_as_emailed(app, factory, db, caplog):
    from webapp.db import get_session

    user = factory.user(email="logged@example.jp")
    # WARNING: the default logging setup shows it (INFO would be dropped).
    with app.test_request_context(), caplog.at_level("WARNING", logger="kyodo.mail"):
        session = get_session()
        notifications.notify(session, user_ids=[user.id], kind=NotificationKind.MATCHING_ISSUE,
                             message="合う課題があります", link="/issues/1")
        session.commit()
    assert "To: logged@example.jp" in caplog.text and "Subject: 【協働マッチング】団体に合う地域課題" in caplog.text
    assert "合う課題があります" in caplog.text and "http://127.0.0.1:5000/issues/1" in caplog.text
    db.expire_all()
    [note] = db.exec(select(Notification).where(Notification.user_id == user.id)).all()
    assert note.emailed_at is None


def test_a_failed_send_is_retried_later(make_app, factory, db, smtp, database_url):
    broken = make_app(KYODO_SMTP_HOST="127.0.0.1", KYODO_SMTP_PORT=1, KYODO_SMTP_STARTTLS=False)
    user = factory.user(email="later@example.jp")
    from webapp.db import get_session

    with broken.test_request_context():
        session = get_session()
        notifications.notify(session, user_ids=[user.id], kind=NotificationKind.MATCHING_ISSUE, message="再送テスト")
        session.commit()
    db.expire_all()
    [note] = db.exec(select(Notification).where(Notification.user_id == user.id)).all()
    assert note.emailed_at is None
    env = {"DATABASE_URL": database_url, "KYODO_ENV": "testing", "KYODO_SMTP_HOST": "127.0.0.1",
           "KYODO_SMTP_PORT": str(smtp.port), "KYODO_SMTP_STARTTLS": "0"}
    result = CliRunner().invoke(main, ["retry-mail", "--older-than", "0"], env=env, catch_exceptions=False)
    assert "mails sent: 1" in result.output
    assert [m["To"] for m in smtp.messages] == ["later@example.jp"]


def test_notifications_are_marked_read_by_a_post_and_invitations_answered(client, auth, factory, db):
    owner = factory.user()
    invitee = factory.user(email="i@example.jp")
    org = factory.organization(owner=owner, name="柳窪の森の会")
    org_invitations.invite_editor(db, org_id=org.id, email="i@example.jp", inviter=owner)
    db.commit()
    auth.login(email="i@example.jp")
    # The badge counts the unread notification and the invitation waiting for an answer.
    assert 'aria-label="未読1件、回答待ち1件">2<' in client.get("/").get_data(as_text=True)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "柳窪の森の会" in page
    # Viewing (or a cross-site link) changes nothing; the button's POST does.
    assert 'aria-label="未読1件、回答待ち1件"' in client.get("/").get_data(as_text=True)
    assert client.get("/notifications/read").status_code == 405
    post_form(client, "/notifications/read", {}, token_from="/notifications/")
    # Read, but still unanswered: the invitation keeps the badge.
    assert 'aria-label="回答待ち1件">1<' in client.get("/").get_data(as_text=True)
    invitation_id = org_invitations.pending_for(db, user=invitee)[0].id
    response = post_form(client, f"/notifications/invitations/{invitation_id}", {"decision": "accept"},
                         token_from="/notifications/")
    assert response.headers["Location"] == f"/orgs/{org.id}"
    from webapp.services import organizations as org_service

    assert org_service.member_role(db, org_id=org.id, user_id=invitee.id).value == "editor"


def test_someone_else_cannot_answer_an_invitation(client, auth, factory, db):
    owner = factory.user()
    factory.user(email="other@example.jp")
    org = factory.organization(owner=owner)
    invitation = org_invitations.invite_editor(db, org_id=org.id, email="target@example.jp", inviter=owner)
    db.commit()
    auth.login(email="other@example.jp")
    post_form(client, f"/notifications/invitations/{invitation.id}", {"decision": "accept"}, token_from="/notifications/")
    db.expire_all()
    from webapp.models import OrgInvitation

    assert db.get(OrgInvitation, invitation.id).status.value == "invited"


def test_digest_setting_is_saved(client, auth, factory, db):
    user = factory.user(email="d@example.jp")
    auth.login(email="d@example.jp")
    post_form(client, "/notifications/settings", {"email_digest": "1"}, token_from="/notifications/")
    db.expire_all()
    assert db.get(type(user), user.id).email_digest is True
