"""Who hears about an issue, and the one fan-out every issue event goes through.

Followers: the poster (from the moment they post; they may stop) and people who pressed 共感 and
chose to follow. Events: a status change (with the staff's reason), a 協議体 taking the issue up or
letting it go, a new comment. Each follower gets one notification per event, never one about their
own act; how it reaches them (in-app only, mail at once, daily digest) is their account setting,
applied by services/notifications.py when mailing."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import Issue, IssueFollow, IssueSupport, Notification, NotificationKind, User
from . import accounts, notifications
from .errors import Conflict, NotFound
from .lookups import require_row

MAY_NOT_FOLLOW = "フォローできるのは、この地域課題に共感した人と投稿した人です。先に「共感する」を押してください。"


@dataclass(frozen=True)
class FollowState:
    """What the issue page shows a viewer about following."""

    following: bool
    may_follow: bool  # poster or supporter (so the button makes sense)


def follower_ids(session: Session, *, issue_id: int) -> set[int]:
    """Active accounts following this issue."""
    return set(session.exec(
        select(IssueFollow.user_id).join(User, User.id == IssueFollow.user_id)
        .where(IssueFollow.issue_id == issue_id, User.is_active == sa.true())
    ).all())


def is_following(session: Session, *, issue_id: int, user_id: int) -> bool:
    return session.get(IssueFollow, (issue_id, user_id)) is not None


def state_for(session: Session, *, issue: Issue, viewer: User | None) -> FollowState | None:
    if viewer is None:
        return None
    may = viewer.id == issue.reporter_id or session.get(IssueSupport, (issue.id, viewer.id)) is not None
    return FollowState(following=is_following(session, issue_id=issue.id, user_id=viewer.id), may_follow=may)


def start_following(session: Session, *, issue_id: int, user_id: int) -> None:
    """Follow, without any check (a poster on posting); nothing happens if already following."""
    if session.get(IssueFollow, (issue_id, user_id)) is None:
        session.add(IssueFollow(issue_id=issue_id, user_id=user_id))
        session.flush()


def follow(session: Session, *, issue_id: int, user: User) -> None:
    """Opt in: the poster (again) or someone who pressed 共感."""
    accounts.require_confirmed(user)
    issue = require_row(session, Issue, issue_id, what="地域課題")
    if user.id != issue.reporter_id and session.get(IssueSupport, (issue_id, user.id)) is None:
        raise Conflict(MAY_NOT_FOLLOW)
    if is_following(session, issue_id=issue_id, user_id=user.id):
        raise Conflict("すでにフォローしています。")
    try:
        with session.begin_nested():  # a double click in parallel: the primary key decides
            session.add(IssueFollow(issue_id=issue_id, user_id=user.id))
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict("すでにフォローしています。") from None


def unfollow(session: Session, *, issue_id: int, user: User) -> None:
    require_row(session, Issue, issue_id, what="地域課題")
    stop_following(session, issue_id=issue_id, user_id=user.id, missing_ok=False)


def stop_following(session: Session, *, issue_id: int, user_id: int, missing_ok: bool = True) -> None:
    row = session.get(IssueFollow, (issue_id, user_id))
    if row is None:
        if missing_ok:
            return
        raise NotFound("この地域課題をフォローしていません。")
    session.delete(row)
    session.flush()


def notify_followers(
    session: Session, *, issue: Issue, kind: NotificationKind, message: str, actor_id: int | None,
    link: str | None = None,
) -> list[Notification]:
    """The fan-out: one notification per follower for this event, none to the person who acted."""
    recipients = follower_ids(session, issue_id=issue.id) - {actor_id}
    if not recipients:
        return []
    return notifications.notify(session, user_ids=recipients, kind=kind, message=message,
                                link=link or f"/issues/{issue.id}")


# ---------------------------------------------------------------- the events and their texts
def status_changed(session: Session, *, issue: Issue, new_label: str, reason: str, actor_id: int) -> None:
    notify_followers(session, issue=issue, kind=NotificationKind.ISSUE_STATUS, actor_id=actor_id,
                     message=f"地域課題「{issue.title}」の状態が「{new_label}」になりました。理由：{reason}")


def commented(session: Session, *, issue: Issue, author_id: int) -> None:
    # Without the comment's text: it may later be hidden by staff, and a mail cannot be taken back.
    notify_followers(session, issue=issue, kind=NotificationKind.ISSUE_COMMENT, actor_id=author_id,
                     message=f"地域課題「{issue.title}」に新しいコメントがあります。",
                     link=f"/issues/{issue.id}#comments-heading")


def consortium_linked(session: Session, *, issue: Issue, consortium_name: str, actor_id: int | None) -> None:
    notify_followers(session, issue=issue, kind=NotificationKind.ISSUE_CONSORTIUM, actor_id=actor_id,
                     message=f"地域課題「{issue.title}」に協議体「{consortium_name}」が取り組むことになりました。")


def consortium_unlinked(session: Session, *, issue: Issue, consortium_name: str, actor_id: int | None) -> None:
    notify_followers(session, issue=issue, kind=NotificationKind.ISSUE_CONSORTIUM, actor_id=actor_id,
                     message=f"地域課題「{issue.title}」は協議体「{consortium_name}」の取り組みから外れました。")
