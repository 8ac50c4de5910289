"""Issue 11 item 3: issues linked to a 協議体 (and unlinked) at any time by its members' owners and
staff; the issue page shows who works on it; the staff list 「協議体が未結成」 follows; the poster
and the followers are told; parallel requests link a pair once."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from tests.webclient import Browser, at_once, post_form
from webapp.db import create_engine_for
from webapp.models import (
    AuditEntry,
    CollaborationDomain,
    ConsortiumCreate,
    ConsortiumIssue,
    IssueStatus,
    Notification,
    NotificationKind,
    OrgKind,
)
from webapp.services import consortia, consortium_issues, issue_followers, workspace
from webapp.services import issues as issue_service
from webapp.services.errors import Conflict, Forbidden, NotFound


@pytest.fixture
def world(db, factory, active_consortium):
    poster = factory.user(email="poster@example.jp")
    fan = factory.user(email="fan@example.jp")
    outsider = factory.user(email="outsider@example.jp")
    other_owner = factory.user(email="other@example.jp")
    factory.organization(owner=other_owner, kind=OrgKind.THEMATIC, name="ほかの会")
    issue = factory.issue(reporter=poster, title="公園のベンチが足りない")
    issue_service.add_support(db, issue_id=issue.id, user=fan)
    issue_followers.follow(db, issue_id=issue.id, user=fan)
    db.commit()
    return dict(active_consortium, poster=poster, fan=fan, outsider=outsider, other_owner=other_owner, issue=issue)


def _unserved_ids(db) -> set[int]:
    db.expire_all()
    return {i.issue_id for i in workspace.issues_without_consortium(db, per_page=100).items}


def _notices(db) -> list[tuple[int, str]]:
    db.expire_all()
    return [(n.user_id, n.message) for n in db.exec(
        select(Notification).where(Notification.kind == NotificationKind.ISSUE_CONSORTIUM)
        .order_by(Notification.id)).all()]


def test_an_owner_links_and_unlinks_the_followers_hear_and_the_staff_list_follows(db, world):
    c, issue = world["consortium"], world["issue"]
    assert issue.id in _unserved_ids(db)
    consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=world["kaicho"])
    db.commit()
    assert issue.id not in _unserved_ids(db)
    notes = _notices(db)
    assert [u for u, _ in notes] == sorted([world["poster"].id, world["fan"].id])
    assert all("公園のベンチが足りない" in m and "滝山見守り協議体" in m and "取り組む" in m for _, m in notes)
    assert [x.name for x in consortium_issues.for_issue(db, issue_id=issue.id)] == ["滝山見守り協議体"]

    consortium_issues.unlink(db, consortium_id=c.id, issue_id=issue.id, by_user=world["npo_owner"])
    db.commit()
    assert issue.id in _unserved_ids(db)
    assert len(_notices(db)) == 4 and "外れました" in _notices(db)[-1][1]
    actions = [e.action for e in db.exec(select(AuditEntry).where(AuditEntry.entity_id == c.id)
                                         .order_by(AuditEntry.id)).all()]
    assert actions[-2:] == ["link_issue", "unlink_issue"]


def test_the_issue_stays_served_while_another_consortium_works_on_it(db, factory, world):
    issue = world["issue"]
    second = consortia.create_consortium(
        db, creator=world["staff"], founding_org_id=None, invite_org_ids=[],
        data=ConsortiumCreate(name="ベンチ協議体", purpose="ベンチを置く", domain=CollaborationDomain.COOPERATIVE,
                              start_date=date(2026, 4, 1), end_date=date(2027, 3, 31),
                              area_ids=[factory.area().id], issue_ids=[issue.id]))
    db.commit()
    # Created for the issue (from a suggestion): the poster and the follower hear it as a link.
    assert sorted(u for u, _ in _notices(db)) == sorted([world["poster"].id, world["fan"].id])
    consortium_issues.link(db, consortium_id=world["consortium"].id, issue_id=issue.id, by_user=world["staff"])
    consortium_issues.unlink(db, consortium_id=second.id, issue_id=issue.id, by_user=world["staff"])
    db.commit()
    assert issue.id not in _unserved_ids(db)


def test_nobody_is_told_of_their_own_link(db, world):
    """A follower who owns a member organization links the issue: the others hear, not they."""
    issue = world["issue"]
    issue_followers.unfollow(db, issue_id=issue.id, user=world["poster"])
    issue_service.add_support(db, issue_id=issue.id, user=world["kaicho"])
    issue_followers.follow(db, issue_id=issue.id, user=world["kaicho"])
    before = len(_notices(db))
    consortium_issues.link(db, consortium_id=world["consortium"].id, issue_id=issue.id, by_user=world["kaicho"])
    assert [u for u, _ in _notices(db)[before:]] == [world["fan"].id]


@pytest.mark.parametrize("who", ["outsider", "other_owner", "poster"])
def test_others_may_not_link_or_unlink(db, world, who):
    c, issue = world["consortium"], world["issue"]
    with pytest.raises(Forbidden):
        consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=world[who])
    db.rollback()
    consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=world["staff"])
    db.commit()
    with pytest.raises(Forbidden):
        consortium_issues.unlink(db, consortium_id=c.id, issue_id=issue.id, by_user=world[who])


def test_strict_rules(db, world):
    c, issue, kaicho = world["consortium"], world["issue"], world["kaicho"]
    with pytest.raises(NotFound):
        consortium_issues.link(db, consortium_id=c.id, issue_id=999_999, by_user=kaicho)
    with pytest.raises(NotFound):
        consortium_issues.link(db, consortium_id=999_999, issue_id=issue.id, by_user=kaicho)
    consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=kaicho)
    with pytest.raises(Conflict, match="すでに"):
        consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=kaicho)
    consortium_issues.unlink(db, consortium_id=c.id, issue_id=issue.id, by_user=kaicho)
    with pytest.raises(Conflict, match="つながっていません"):
        consortium_issues.unlink(db, consortium_id=c.id, issue_id=issue.id, by_user=kaicho)
    issue_service.change_status(db, issue_id=issue.id, new_status=IssueStatus.RESOLVED, reason="解決",
                                staff=world["staff"])
    with pytest.raises(Conflict, match="「解決」の地域課題はつなげません"):
        consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=kaicho)


def test_an_evaluating_or_closed_consortium_keeps_its_issues_as_they_were(db, world):
    c, issue = world["consortium"], world["issue"]
    consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=world["staff"])
    consortia.start_evaluation(db, consortium=c, by_user=world["staff"], reason="期間の終わり")
    db.commit()
    for act in (consortium_issues.link, consortium_issues.unlink):
        with pytest.raises(Conflict, match="振り返り中または終了"):
            act(db, consortium_id=c.id, issue_id=issue.id, by_user=world["staff"])
        db.rollback()
    consortia.close(db, consortium_id=c.id, by_user=world["staff"])
    db.commit()
    assert issue.id in _unserved_ids(db)  # a closed 協議体 no longer works on it
    assert consortium_issues.linkable_for(db, issue_id=issue.id, user=world["staff"]) == []


def test_the_pages_show_the_links_and_the_controls(client, auth, db, world):
    c, issue = world["consortium"], world["issue"]
    auth.login(email="kaicho@example.jp")
    page = client.get(f"/consortia/{c.id}").get_data(as_text=True)
    assert "つなぐ地域課題" in page and "公園のベンチが足りない" in page  # a candidate in its town
    response = post_form(client, f"/consortia/{c.id}/issues", {"issue_id": str(issue.id)},
                         token_from=f"/consortia/{c.id}")
    assert response.status_code == 302
    page = client.get(f"/consortia/{c.id}").get_data(as_text=True)
    assert f'/consortia/{c.id}/issues/{issue.id}/unlink' in page
    issue_page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert f'href="/consortia/{c.id}"' in issue_page and "取り組んでいる協議体" in issue_page
    response = post_form(client, f"/consortia/{c.id}/issues", {"issue_id": str(issue.id)},
                         token_from=f"/consortia/{c.id}")
    assert response.status_code == 422 and "すでにこの協議体につながっています" in response.get_data(as_text=True)
    response = post_form(client, f"/consortia/{c.id}/issues/{issue.id}/unlink", {}, token_from=f"/consortia/{c.id}")
    assert response.status_code == 302
    assert db.exec(select(ConsortiumIssue)).all() == []
    # From the issue page: a 協議体 the owner's organization is a member of.
    assert "この課題を協議体につなぐ" in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    response = post_form(client, f"/issues/{issue.id}/consortia", {"consortium_id": str(c.id)},
                         token_from=f"/issues/{issue.id}")
    assert response.status_code == 302
    db.expire_all()
    assert [(r.consortium_id, r.issue_id) for r in db.exec(select(ConsortiumIssue)).all()] == [(c.id, issue.id)]
    response = post_form(client, f"/issues/{issue.id}/consortia", {"consortium_id": "999999"},
                         token_from=f"/issues/{issue.id}")
    assert response.status_code == 422


def test_a_resident_sees_the_links_but_no_controls_and_is_refused(client, auth, db, world):
    c, issue = world["consortium"], world["issue"]
    consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=world["staff"])
    db.commit()
    auth.login(email="outsider@example.jp")
    page = client.get(f"/consortia/{c.id}").get_data(as_text=True)
    assert "公園のベンチが足りない" in page and "/unlink" not in page and "つなぐ地域課題" not in page
    assert "この課題を協議体につなぐ" not in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert post_form(client, f"/issues/{issue.id}/consortia", {"consortium_id": str(c.id)},
                     token_from=f"/issues/{issue.id}").status_code == 403
    assert post_form(client, f"/consortia/{c.id}/issues/{issue.id}/unlink", {},
                     token_from=f"/consortia/{c.id}").status_code == 403
    db.expire_all()
    assert len(db.exec(select(ConsortiumIssue)).all()) == 1


def test_parallel_links_of_one_pair_make_one_link_and_one_notice_each(live_server, database_url, world):
    c, issue = world["consortium"], world["issue"]
    browsers = [Browser(live_server).login(email) for email in ["kaicho@example.jp", "npo@example.jp"] * 3]
    tokens = [b.token(f"/consortia/{c.id}") for b in browsers]
    statuses = sorted(status for status, _ in at_once(*[
        (lambda b=b, t=t: b.request(f"/consortia/{c.id}/issues", {"csrf_token": t, "issue_id": str(issue.id)}))
        for b, t in zip(browsers, tokens)]))
    assert statuses == [302] + [422] * 5
    engine = create_engine_for(database_url)
    try:
        with Session(engine) as session:
            assert len(session.exec(select(ConsortiumIssue)).all()) == 1
            notes = session.exec(select(Notification.user_id).where(
                Notification.kind == NotificationKind.ISSUE_CONSORTIUM)).all()
            assert sorted(notes) == sorted([world["poster"].id, world["fan"].id])
        # Then link and unlink at once, several times: never a 5xx, and the end state is one of the two.
        calls = []
        for i, b in enumerate(browsers):
            path = f"/consortia/{c.id}/issues" + ("" if i % 2 else f"/{issue.id}/unlink")
            calls.append(lambda b=b, t=tokens[i], path=path: b.request(path, {"csrf_token": t,
                                                                             "issue_id": str(issue.id)}))
        at_once(*calls)
        with Session(engine) as session:
            links = len(session.exec(select(ConsortiumIssue)).all())
            audits = session.exec(select(AuditEntry.action).where(
                AuditEntry.action.in_(["link_issue", "unlink_issue"])).order_by(AuditEntry.id)).all()
        assert links in (0, 1)
        # The audit log replays to the same state: links and unlinks alternate, starting with a link.
        assert all(a != b for a, b in zip(audits, audits[1:])) and audits[0] == "link_issue"
        assert links == (1 if audits[-1] == "link_issue" else 0)
    finally:
        engine.dispose()


def test_a_closed_consortium_page_says_its_issues_stay_as_they_were(client, auth, db, world):
    c = world["consortium"]
    consortium_issues.link(db, consortium_id=c.id, issue_id=world["issue"].id, by_user=world["staff"])
    consortia.start_evaluation(db, consortium=c, by_user=world["staff"], reason="期間の終わり")
    consortia.close(db, consortium_id=c.id, by_user=world["staff"])
    db.commit()
    auth.login(email="kaicho@example.jp")
    page = client.get(f"/consortia/{c.id}").get_data(as_text=True)
    assert "振り返り中・終了した協議体の地域課題は変更できません" in page and "/unlink" not in page
    assert "公園のベンチが足りない" in page  # still listed, as a record
    response = post_form(client, f"/consortia/{c.id}/issues", {"issue_id": str(world["issue"].id)},
                         token_from=f"/consortia/{c.id}")
    assert response.status_code == 422 and "振り返り中または終了した協議体" in response.get_data(as_text=True)


def test_a_hidden_issue_is_not_named_on_the_consortium_page(client, auth, db, world):
    from webapp.services import moderation

    c, issue = world["consortium"], world["issue"]
    consortium_issues.link(db, consortium_id=c.id, issue_id=issue.id, by_user=world["kaicho"])
    moderation.decide(db, entity=moderation.ISSUE, entity_id=issue.id, staff=world["staff"],
                      action=moderation.HIDE, reason="個人の電話番号が書かれていたため")
    db.commit()
    page = client.get(f"/consortia/{c.id}").get_data(as_text=True)
    assert "公園のベンチが足りない" not in page and moderation.HIDDEN_ISSUE_TITLE in page
    auth.login(world["poster"].email)  # the poster still sees their own title
    assert "公園のベンチが足りない" in client.get(f"/consortia/{c.id}").get_data(as_text=True)
    auth.logout()
    moderation.decide(db, entity=moderation.ISSUE, entity_id=issue.id, staff=world["staff"],
                      action=moderation.RESTORE, reason="電話番号が消されたため")
    db.commit()
    assert "公園のベンチが足りない" in client.get(f"/consortia/{c.id}").get_data(as_text=True)
