"""Issue 11 item 1: the poster and the followers of an issue hear back — status changes (with the
reason), a 協議体 taking the issue up, new comments — each once per event, never about their own
act, delivered as each chose (in-app only, mail at once, daily digest)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import select

from tests.webclient import AuthActions, post_form
from webapp.cli import main
from webapp.models import IssueFollow, IssueStatus, Notification, NotificationKind, User
from webapp.services import issue_followers, notifications
from webapp.services import issues as issue_service
from webapp.services.errors import Conflict, NotFound
from webapp.services.mail import MailSettings


def _notices(db, kind=None) -> list[tuple[int, NotificationKind]]:
    db.expire_all()
    query = select(Notification).order_by(Notification.user_id, Notification.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return [(n.user_id, n.kind) for n in db.exec(query).all()]


@pytest.fixture
def people(factory, db):
    poster = factory.user(email="poster@example.jp", display_name="投稿した人")
    follower = factory.user(email="follower@example.jp", display_name="フォローする人")
    supporter = factory.user(email="supporter@example.jp", display_name="共感だけの人")
    stranger = factory.user(email="stranger@example.jp")
    staff = factory.staff(email="staff@example.jp")
    issue = factory.issue(reporter=poster, title="通学路の見通しが悪い")
    for person in (follower, supporter):
        issue_service.add_support(db, issue_id=issue.id, user=person)
    issue_followers.follow(db, issue_id=issue.id, user=follower)
    db.commit()
    return dict(poster=poster, follower=follower, supporter=supporter, stranger=stranger, staff=staff, issue=issue)


def test_the_poster_follows_from_the_start_and_supporters_only_by_choice(people, db):
    assert issue_followers.follower_ids(db, issue_id=people["issue"].id) == {people["poster"].id,
                                                                             people["follower"].id}


def test_a_status_change_reaches_poster_and_followers_once_with_the_reason(people, db):
    issue_service.change_status(db, issue_id=people["issue"].id, new_status=IssueStatus.IN_PROGRESS,
                                reason="道路課がカーブミラーを発注しました", staff=people["staff"])
    db.commit()
    assert _notices(db) == [(people["poster"].id, NotificationKind.ISSUE_STATUS),
                            (people["follower"].id, NotificationKind.ISSUE_STATUS)]
    for note in db.exec(select(Notification)).all():
        assert "通学路の見通しが悪い" in note.message and "「対応中」" in note.message
        assert "道路課がカーブミラーを発注しました" in note.message and note.link == f"/issues/{people['issue'].id}"


def test_staff_who_follow_are_not_told_of_their_own_status_change(factory, db):
    staff = factory.staff()
    poster = factory.user()
    issue = factory.issue(reporter=poster)
    issue_service.add_support(db, issue_id=issue.id, user=staff)
    issue_followers.follow(db, issue_id=issue.id, user=staff)
    issue_service.change_status(db, issue_id=issue.id, new_status=IssueStatus.RESOLVED, reason="直しました", staff=staff)
    assert _notices(db) == [(poster.id, NotificationKind.ISSUE_STATUS)]


def test_a_comment_reaches_every_follower_but_its_author(people, db):
    issue_service.add_comment(db, issue_id=people["issue"].id, author=people["follower"], body="朝も危ないです")
    assert _notices(db) == [(people["poster"].id, NotificationKind.ISSUE_COMMENT)]
    issue_service.add_comment(db, issue_id=people["issue"].id, author=people["poster"], body="ありがとうございます")
    assert _notices(db, NotificationKind.ISSUE_COMMENT) == [(people["poster"].id, NotificationKind.ISSUE_COMMENT),
                                                            (people["follower"].id, NotificationKind.ISSUE_COMMENT)]
    issue_service.add_comment(db, issue_id=people["issue"].id, author=people["stranger"], body="同感です")
    assert len(_notices(db, NotificationKind.ISSUE_COMMENT)) == 4  # poster and follower, once each
    # The text of a comment is not copied into the notice (it may be hidden later; a mail cannot be).
    assert all("同感です" not in n.message for n in db.exec(select(Notification)).all())


def test_following_needs_support_and_unfollowing_stops_the_notices(people, db):
    issue_id = people["issue"].id
    with pytest.raises(Conflict, match="共感"):
        issue_followers.follow(db, issue_id=issue_id, user=people["stranger"])
    with pytest.raises(Conflict, match="すでに"):
        issue_followers.follow(db, issue_id=issue_id, user=people["follower"])
    with pytest.raises(NotFound):
        issue_followers.unfollow(db, issue_id=issue_id, user=people["supporter"])
    issue_followers.unfollow(db, issue_id=issue_id, user=people["poster"])  # the poster may stop too
    issue_service.add_comment(db, issue_id=issue_id, author=people["stranger"], body="見ました")
    assert _notices(db) == [(people["follower"].id, NotificationKind.ISSUE_COMMENT)]
    issue_followers.follow(db, issue_id=issue_id, user=people["poster"])  # and follow again
    assert people["poster"].id in issue_followers.follower_ids(db, issue_id=issue_id)


def test_withdrawing_support_stops_following(people, db):
    issue_service.remove_support(db, issue_id=people["issue"].id, user=people["follower"])
    assert people["follower"].id not in issue_followers.follower_ids(db, issue_id=people["issue"].id)


def test_follow_and_unfollow_buttons_on_the_issue_page(client, auth, people, db):
    issue_id = people["issue"].id
    auth.login(email="supporter@example.jp")
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "フォローする" in page and "お知らせの受け取り方" in page
    response = post_form(client, f"/issues/{issue_id}/follow", {}, token_from=f"/issues/{issue_id}")
    assert response.status_code == 302
    assert db.get(IssueFollow, (issue_id, people["supporter"].id)) is not None
    assert "フォローをやめる" in client.get(f"/issues/{issue_id}").get_data(as_text=True)
    post_form(client, f"/issues/{issue_id}/follow", {"undo": "1"}, token_from=f"/issues/{issue_id}")
    db.expire_all()
    assert db.get(IssueFollow, (issue_id, people["supporter"].id)) is None
    auth.logout()
    auth.login(email="stranger@example.jp")
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "「共感する」を押すと、この課題をフォロー" in page
    post_form(client, f"/issues/{issue_id}/follow", {}, token_from=f"/issues/{issue_id}")
    assert db.get(IssueFollow, (issue_id, people["stranger"].id)) is None
    assert client.post(f"/issues/{issue_id}/follow", data={}).status_code == 400  # no CSRF token
    assert client.get("/issues/999999").status_code == 404


def test_the_delivery_setting_is_saved_and_shown(client, auth, factory, db):
    user = factory.user(email="s@example.jp")
    auth.login(email="s@example.jp")
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'value="at_once" checked' in page and "メールは送らない" in page
    for mode, digest, mailed in [("in_app", False, False), ("digest", True, True), ("at_once", False, True)]:
        post_form(client, "/notifications/settings", {"email_mode": mode}, token_from="/notifications/")
        db.expire_all()
        saved = db.get(User, user.id)
        assert (saved.email_digest, saved.email_notifications) == (digest, mailed)
        assert notifications.delivery_of(saved) == mode
    response = post_form(client, "/notifications/settings", {"email_mode": "bogus"}, token_from="/notifications/")
    assert response.status_code == 302
    db.expire_all()
    assert notifications.delivery_of(db.get(User, user.id)) == "at_once"


def test_each_delivery_choice_by_mail(mail_app, mailbox, database_url, factory, db):
    """Comment through the web: at once → mailed on commit; digest → in `kyodo send-digests`;
    in-app only → never mailed (not by the retry either)."""
    poster = factory.user(email="poster@example.jp")
    issue = factory.issue(reporter=poster, title="街灯が消えている")
    users = {mode: factory.user(email=f"{mode}@example.jp") for mode in ("at_once", "digest", "in_app")}
    for mode, user in users.items():
        issue_service.add_support(db, issue_id=issue.id, user=user)
        issue_followers.follow(db, issue_id=issue.id, user=user)
        notifications.set_delivery(db, user=user, mode=mode)
    notifications.set_delivery(db, user=poster, mode="in_app")
    db.commit()
    commenter = factory.user(email="commenter@example.jp")
    client = mail_app.test_client()
    AuthActions(client).login(email="commenter@example.jp")
    assert post_form(client, f"/issues/{issue.id}/comments", {"body": "昨夜も消えていました"},
                     token_from=f"/issues/{issue.id}").status_code == 302
    assert [m["To"] for m in mailbox.messages] == ["at_once@example.jp"]
    assert "地域課題へのコメント" in mailbox.messages[0]["Subject"]
    assert "街灯が消えている" in mailbox.messages[0].get_content()
    env = {"DATABASE_URL": database_url, "KYODO_ENV": "testing", **mailbox.env}
    result = CliRunner().invoke(main, ["send-digests"], env=env, catch_exceptions=False)
    assert "digests sent: 1" in result.output
    assert [m["To"] for m in mailbox.messages] == ["at_once@example.jp", "digest@example.jp"]
    notifications.retry_unmailed(db, settings=MailSettings.from_config(mail_app.config), older_than=timedelta(0))
    assert len(mailbox.messages) == 2  # the in-app-only poster and follower are never mailed
    db.expire_all()
    in_app = db.exec(select(Notification).where(Notification.user_id.in_([users["in_app"].id, poster.id]))).all()
    assert len(in_app) == 2 and all(n.emailed_at is None for n in in_app)
    assert commenter.id not in {n.user_id for n in db.exec(select(Notification)).all()}


def test_the_poster_sees_the_comment_notice_in_the_app(client, auth, people, db):
    issue_id = people["issue"].id
    auth.login(email="stranger@example.jp")
    post_form(client, f"/issues/{issue_id}/comments", {"body": "私も気になっていました"}, token_from=f"/issues/{issue_id}")
    auth.logout()
    auth.login(email="poster@example.jp")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "地域課題「通学路の見通しが悪い」に新しいコメントがあります。" in page


def test_the_account_export_lists_follows(client, auth, people):
    auth.login(email="follower@example.jp")
    data = client.get("/account/export.json").get_json()
    assert [f["issue_id"] for f in data["follows"]] == [people["issue"].id]
    assert data["account"]["email_notifications"] is True
