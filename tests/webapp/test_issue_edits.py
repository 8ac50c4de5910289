"""A poster edits (public history, version check, personal-information guard) and withdraws
(取り下げ) their own issue, while nobody else has acted on it (issue 11 item 2)."""
from datetime import date
import re

import pytest
from sqlmodel import select

from tests.webclient import field_error, post_form
from webapp.models import (
    AuditEntry,
    CollaborationDomain,
    ConsortiumCreate,
    IndexChange,
    Issue,
    IssueEdit,
    IssueStatus,
    IssueStatusChange,
    IssueUpdate,
    OrgKind,
    Theme,
)
from webapp.services import consortia, issue_edits, issues
from webapp.services.errors import Conflict, Forbidden
from webapp.services.personal_info import POSTED_ANYWAY

BODY = "滝山の団地で一人暮らしをしている高齢の母の様子を、ときどき見に来てくれる人はいないでしょうか。"


@pytest.fixture
def posted(factory, db):
    poster = factory.user(email="poster@example.jp")
    issue = factory.issue(reporter=poster, title="一人暮らしの母が心配", body=BODY)
    return {"poster": poster, "issue": issue, "other": factory.user(email="other@example.jp"),
            "staff": factory.staff(email="staff@example.jp")}


def _update(factory, issue, **overrides) -> IssueUpdate:
    values = {"title": issue.title, "body": issue.body, "area_id": issue.area_id, "theme_ids": []}
    values.update(overrides)
    return IssueUpdate(**values)


def _take_up(db, factory, issue, creator):
    return consortia.create_consortium(
        db, creator=creator, founding_org_id=None, invite_org_ids=[],
        data=ConsortiumCreate(name="見守り協議体", purpose="見守る", domain=CollaborationDomain.CITIZEN_LED,
                              start_date=date(2026, 4, 1), end_date=date(2027, 3, 31),
                              area_ids=[factory.area().id], issue_ids=[issue.id]))


# ---------------------------------------------------------------- the rule, per role and state
def test_the_poster_edits_and_the_edit_is_recorded_logged_and_replayed(db, factory, posted):
    issue, poster = posted["issue"], posted["poster"]
    before = db.exec(select(IndexChange).where(IndexChange.entity == "issue", IndexChange.entity_id == issue.id)).all()
    themes = [t.id for t in db.exec(select(Theme).order_by(Theme.number).limit(2))]
    edit = issue_edits.edit_issue(db, issue_id=issue.id, user=poster, data=_update(
        factory, issue, title="一人暮らしの母の見守り", area_id=factory.area("南沢").id, theme_ids=themes,
        body=BODY + "週に一度で構いません。"))
    db.commit()
    assert set(edit.changes) == {"title", "area", "themes", "body"}
    assert edit.changes["title"] == ["一人暮らしの母が心配", "一人暮らしの母の見守り"]
    assert edit.changes["area"] == ["滝山", "南沢"]
    assert edit.changes["themes"][0] == [] and len(edit.changes["themes"][1]) == 2
    stored = db.get(Issue, issue.id)
    assert stored.title == "一人暮らしの母の見守り" and stored.area_id == factory.area("南沢").id
    after = db.exec(select(IndexChange).where(IndexChange.entity == "issue", IndexChange.entity_id == issue.id)).all()
    assert len(after) == len(before) + 1  # every worker's matching and search index replays it
    assert db.exec(select(AuditEntry).where(AuditEntry.entity == "issue", AuditEntry.action == "edit")).one()


def test_saving_without_a_change_records_nothing(db, factory, posted):
    issue = posted["issue"]
    assert issue_edits.edit_issue(db, issue_id=issue.id, user=posted["poster"], data=_update(factory, issue)) is None
    db.commit()
    assert db.exec(select(IssueEdit)).all() == []


@pytest.mark.parametrize("who", ["other", "staff"])
def test_nobody_but_the_poster_edits_or_withdraws(db, factory, posted, who):
    issue, user = posted["issue"], posted[who]
    with pytest.raises(Forbidden):
        issue_edits.edit_issue(db, issue_id=issue.id, user=user, data=_update(factory, issue, title="書き換え"))
    db.rollback()
    with pytest.raises(Forbidden):
        issue_edits.withdraw_issue(db, issue_id=issue.id, user=user, reason="不要")


@pytest.mark.parametrize("status", [IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED, IssueStatus.OPEN])
def test_a_staff_status_change_ends_editing_even_back_to_open(db, factory, posted, status):
    issue = posted["issue"]
    if status == IssueStatus.OPEN:  # to in progress and back: still the city has acted on it
        issues.change_status(db, issue_id=issue.id, new_status=IssueStatus.IN_PROGRESS, reason="確認中", staff=posted["staff"])
    issues.change_status(db, issue_id=issue.id, new_status=status, reason="確認しました", staff=posted["staff"])
    db.commit()
    with pytest.raises(Conflict, match="市がこの地域課題の状態を変更した"):
        issue_edits.edit_issue(db, issue_id=issue.id, user=posted["poster"], data=_update(factory, issue, title="直す"))
    db.rollback()
    with pytest.raises(Conflict, match="市がこの地域課題の状態を変更した"):
        issue_edits.withdraw_issue(db, issue_id=issue.id, user=posted["poster"], reason="解決した")


def test_a_consortium_taking_it_up_ends_editing_and_withdrawing(db, factory, posted):
    issue = posted["issue"]
    _take_up(db, factory, issue, posted["staff"])
    db.commit()
    with pytest.raises(Conflict, match="協議体がこの地域課題に取り組んでいる"):
        issue_edits.edit_issue(db, issue_id=issue.id, user=posted["poster"], data=_update(factory, issue, title="直す"))
    db.rollback()
    with pytest.raises(Conflict, match="協議体がこの地域課題に取り組んでいる"):
        issue_edits.withdraw_issue(db, issue_id=issue.id, user=posted["poster"], reason="不要")


def test_an_unconfirmed_poster_cannot_edit(db, factory, posted):
    poster = posted["poster"]
    poster.email_confirmed_at = None
    db.add(poster)
    db.commit()
    with pytest.raises(Exception, match="確認"):
        issue_edits.edit_issue(db, issue_id=posted["issue"].id, user=poster,
                               data=_update(factory, posted["issue"], title="直す"))


# ---------------------------------------------------------------- the pages
def _edit_form(issue, **overrides):
    data = {"title": issue.title, "body": issue.body, "area": str(issue.area_id)}
    data.update(overrides)
    return data


def _seen(client, issue_id) -> str:
    return re.search(r'name="seen" value="([0-9a-f]+)"', client.get(f"/issues/{issue_id}/edit").get_data(as_text=True)).group(1)


def test_the_history_is_public_and_hides_personal_details_of_earlier_wording(client, auth, db, factory, posted):
    issue = posted["issue"]
    auth.login(email="poster@example.jp")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "内容を修正する" in page and "取り下げる" in page
    # Posted anyway with a phone number, then the poster removes it.
    response = post_form(client, f"/issues/{issue.id}/edit", _edit_form(
        issue, body=BODY + "連絡は090-1234-5678まで。", post_anyway="y", seen=_seen(client, issue.id)))
    assert response.status_code == 302
    assert db.exec(select(AuditEntry).where(AuditEntry.action == POSTED_ANYWAY)).one().entity_id == issue.id
    response = post_form(client, f"/issues/{issue.id}/edit", _edit_form(
        issue, title="母の見守りをお願いしたい", body=BODY, seen=_seen(client, issue.id)))
    assert response.status_code == 302
    auth.logout()
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)  # anyone sees it
    assert "修正の履歴" in page
    assert "一人暮らしの母が心配 → 母の見守りをお願いしたい" in page
    assert "<del>" in page and "変更前との違いを見る" in page
    assert "090-1234-5678" not in page and issue_edits.MASK in page
    assert "内容を修正する" not in page


def test_the_guard_applies_to_edits_as_to_new_posts(client, auth, db, factory, posted):
    issue = posted["issue"]
    auth.login(email="poster@example.jp")
    response = post_form(client, f"/issues/{issue.id}/edit", _edit_form(
        issue, body=BODY + "滝山1-2-3の角です。", seen=_seen(client, issue.id)))
    assert response.status_code == 422
    assert "このまま投稿する" in field_error(response.get_data(as_text=True), "body")
    assert db.exec(select(IssueEdit)).all() == []


def test_two_tabs_cannot_silently_overwrite_each_other(client, auth, db, factory, posted):
    issue = posted["issue"]
    auth.login(email="poster@example.jp")
    first_tab, second_tab = _seen(client, issue.id), _seen(client, issue.id)
    assert post_form(client, f"/issues/{issue.id}/edit", _edit_form(issue, title="一つ目のタブ", seen=first_tab)).status_code == 302
    response = post_form(client, f"/issues/{issue.id}/edit", _edit_form(issue, title="二つ目のタブ", seen=second_tab))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "別の画面で変更されました" in html and "二つ目のタブ" in html  # the writer's text is not lost
    db.expire_all()
    assert db.get(Issue, issue.id).title == "一つ目のタブ"
    # The page now carries what is stored: saving again is a decision taken knowingly.
    refreshed = re.search(r'name="seen" value="([0-9a-f]+)"', html).group(1)
    assert refreshed != second_tab
    assert post_form(client, f"/issues/{issue.id}/edit", _edit_form(issue, title="二つ目のタブ", seen=refreshed)).status_code == 302
    db.expire_all()
    assert db.get(Issue, issue.id).title == "二つ目のタブ"
    assert len(db.exec(select(IssueEdit)).all()) == 2


def test_a_form_without_its_fingerprint_saves_nothing(client, auth, db, factory, posted):
    auth.login(email="poster@example.jp")
    response = post_form(client, f"/issues/{posted['issue'].id}/edit", _edit_form(posted["issue"], title="指紋なし"),
                         token_from=f"/issues/{posted['issue'].id}/edit")
    assert response.status_code == 422
    assert db.exec(select(IssueEdit)).all() == []


def test_a_locked_issue_answers_409_on_the_edit_page(client, auth, db, factory, posted):
    issues.change_status(db, issue_id=posted["issue"].id, new_status=IssueStatus.IN_PROGRESS, reason="対応します",
                         staff=posted["staff"])
    db.commit()
    auth.login(email="poster@example.jp")
    response = client.get(f"/issues/{posted['issue'].id}/edit")
    assert response.status_code == 409 and "市がこの地域課題の状態を変更した" in response.get_data(as_text=True)
    page = client.get(f"/issues/{posted['issue'].id}").get_data(as_text=True)
    assert "内容を修正する" not in page and "補足はコメントで" in page


# ---------------------------------------------------------------- withdrawing
def test_withdrawing_asks_to_confirm_then_marks_the_page(client, auth, db, factory, posted):
    issue = posted["issue"]
    auth.login(email="poster@example.jp")
    response = post_form(client, f"/issues/{issue.id}/withdraw", {"reason": ""})
    assert response.status_code == 422 and "理由を入力" in field_error(response.get_data(as_text=True), "reason")
    confirm = post_form(client, f"/issues/{issue.id}/withdraw", {"reason": "家族で解決できました"})
    assert confirm.status_code == 200 and "取り下げを確定する" in confirm.get_data(as_text=True)
    assert db.get(Issue, issue.id).status == IssueStatus.OPEN  # not yet
    back = post_form(client, f"/issues/{issue.id}/withdraw", {"reason": "家族で解決できました", "back": "1"},
                     token_from=f"/issues/{issue.id}/withdraw")
    assert back.status_code == 200 and "家族で解決できました" in back.get_data(as_text=True)
    done = post_form(client, f"/issues/{issue.id}/withdraw", {"reason": "家族で解決できました", "confirmed": "1"},
                     token_from=f"/issues/{issue.id}/withdraw")
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Issue, issue.id).status == IssueStatus.WITHDRAWN
    last = db.exec(select(IssueStatusChange).where(IssueStatusChange.issue_id == issue.id)
                   .order_by(IssueStatusChange.id.desc())).first()
    assert (last.old_status, last.new_status, last.reason) == (IssueStatus.OPEN, IssueStatus.WITHDRAWN, "家族で解決できました")
    auth.logout()
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "投稿者が取り下げました（家族で解決できました）" in page
    assert "受付中 → 取り下げ：家族で解決できました" in page  # the public status history
    assert "この課題に取り組めそうな団体" not in page and "コメントできません" in page


def test_a_withdrawn_issue_takes_no_support_comment_status_or_consortium(client, auth, db, factory, posted):
    issue = posted["issue"]
    issue_edits.withdraw_issue(db, issue_id=issue.id, user=posted["poster"], reason="重複でした")
    db.commit()
    with pytest.raises(Conflict):
        issues.add_support(db, issue_id=issue.id, user=posted["other"])
    with pytest.raises(Conflict):
        issues.add_comment(db, issue_id=issue.id, author=posted["other"], body="残念")
    with pytest.raises(Conflict):
        issues.change_status(db, issue_id=issue.id, new_status=IssueStatus.OPEN, reason="戻す", staff=posted["staff"])
    with pytest.raises(Conflict, match="取り下げた"):
        _take_up(db, factory, issue, posted["staff"])
    db.rollback()
    with pytest.raises(Conflict):
        issue_edits.withdraw_issue(db, issue_id=issue.id, user=posted["poster"], reason="もう一度")
    # Staff cannot withdraw for the poster through the status form either.
    fresh = factory.issue(reporter=posted["poster"])
    with pytest.raises(Conflict):
        issues.change_status(db, issue_id=fresh.id, new_status=IssueStatus.WITHDRAWN, reason="代わりに", staff=posted["staff"])
    auth.login(email="staff@example.jp")
    page = client.get(f"/issues/{fresh.id}").get_data(as_text=True)
    assert 'value="withdrawn"' not in page


# ---------------------------------------------------------------- every surface
@pytest.mark.sudachi
def test_a_withdrawn_issue_leaves_every_list_index_and_suggestion(client, db, factory, posted):
    from webapp.services import places, search, suggestions, workspace

    issue = posted["issue"]
    owner = factory.user(email="npo@example.jp")
    org = factory.organization(owner=owner, kind=OrgKind.THEMATIC, name="滝山見守りの会",
                               description="一人暮らしの高齢者の見守りと訪問", offers="見守り訪問")
    factory.organization(owner=factory.user(), kind=OrgKind.TERRITORIAL, name="滝山自治会",
                         description="団地の自治会。高齢者の見守り")
    area = factory.area("滝山")

    def surfaces() -> dict[str, bool]:
        db.expire_all()
        return {
            "issue list": issue.id in [i.id for i in issues.list_issues(db).items],
            "open issues": issue.id in issues.open_issue_ids(db, limit=50),
            "issues page": f"/issues/{issue.id}\"" in client.get("/issues/").get_data(as_text=True),
            "top page": f"/issues/{issue.id}\"" in client.get("/").get_data(as_text=True),
            "search": issue.id in [h.id for h in search.search(db, query="一人暮らし", type_="issue").items],
            "search page": f"/issues/{issue.id}\"" in client.get("/search/?q=一人暮らし").get_data(as_text=True),
            "api list": issue.id in [i["id"] for i in client.get("/api/v1/issues").get_json()["items"]],
            "matching index": issue.id in suggestions.current_index(db).issues_.slot,
            "org suggestions": issue.id in [s.issue_id for s in suggestions.for_organization(db, org_id=org.id, k=20).issues],
            "issue suggestions": bool(suggestions.for_issue(db, issue_id=issue.id, max_age=0).thematic),
            "api suggestions": bool(client.get(f"/api/v1/issues/{issue.id}/suggestions").get_json()["thematic"]),
            "similar issues": issue.id in [s.issue_id for s in suggestions.similar_issues(db, title="母の見守り", body=BODY)],
            "staff unserved": issue.id in [u.issue_id for u in workspace.issues_without_consortium(db, per_page=50).items],
            "staff map": next(p.open_issues for p in workspace.town_points(db) if p.area.id == area.id) > 0,
            "staff heatmap": any(n for (a, _), n in workspace.heatmap(db).issues.items() if a == area.id),
            "town summary": any(t.open_issue_count for towns in places.town_summaries(db).values() for t in towns
                                if t.area.id == area.id),
        }

    before = surfaces()
    assert all(before.values()), before
    issue_edits.withdraw_issue(db, issue_id=issue.id, user=posted["poster"], reason="解決しました")
    db.commit()
    after = surfaces()
    assert not any(after.values()), after
    # The page itself stays, and its own status filter still finds it.
    assert client.get(f"/issues/{issue.id}").status_code == 200
    assert issue.id in [i.id for i in issues.list_issues(db, statuses=[IssueStatus.WITHDRAWN]).items]
    assert client.get(f"/api/v1/issues/{issue.id}").get_json()["status"] == "withdrawn"


# ---------------------------------------------------------------- at the same moment
@pytest.mark.slow
def test_two_tabs_saving_at_once_store_one_edit_and_tell_the_other(db, factory, live_server):
    from tests.webclient import CSRF_PATTERN, Browser, at_once

    poster = factory.user()
    for trial in range(3):
        issue = factory.issue(reporter=poster, title=f"同時の修正{trial}", body=BODY)
        tab_a, tab_b = Browser(live_server).login(poster.email), Browser(live_server).login(poster.email)

        def opened(tab):
            html = tab.request(f"/issues/{issue.id}/edit")[1]
            match = CSRF_PATTERN.search(html)
            return {"csrf_token": match.group(1) or match.group(2),
                    "seen": re.search(r'name="seen" value="([0-9a-f]+)"', html).group(1),
                    "body": BODY, "area": str(issue.area_id)}

        form_a, form_b = opened(tab_a), opened(tab_b)
        path = f"/issues/{issue.id}/edit"
        results = at_once(lambda: tab_a.request(path, {**form_a, "title": "Aの修正"}),
                          lambda: tab_b.request(path, {**form_b, "title": "Bの修正"}))
        assert sorted(s for s, _ in results) == [302, 422]
        refused = next(html for s, html in results if s == 422)
        assert "別の画面で変更されました" in refused
        db.expire_all()
        assert len(db.exec(select(IssueEdit).where(IssueEdit.issue_id == issue.id)).all()) == 1


# ---------------------------------------------------------------- migration 0010
def test_downgrading_0010_turns_a_withdrawn_issue_into_closed_unresolved(empty_database_url):
    import sqlalchemy as sa

    from webapp.db import create_engine_for
    from webapp.migrate import downgrade, upgrade

    upgrade(empty_database_url, "0010")
    engine = create_engine_for(empty_database_url)
    now = "2026-04-01 00:00:00"
    with engine.begin() as connection:
        user_id = connection.execute(sa.text(
            "INSERT INTO user_account (email, display_name, password_hash, role, is_active, created_at)"
            " VALUES ('p@example.jp', '投稿者', 'x', 'resident', true, :now) RETURNING id"), {"now": now}).scalar()
        area_id = connection.execute(sa.text(
            "INSERT INTO area (city_code, name, kana, postal_code, district, lat, lng)"
            " VALUES ('13222', '滝山', 'タキヤマ', '2030033', '西地区', 35.76, 139.51) RETURNING id")).scalar()
        issue_id = connection.execute(sa.text(
            "INSERT INTO issue (title, body, area_id, reporter_id, show_reporter_name, status, source, created_at,"
            " updated_at) VALUES ('t', 'b', :a, :u, false, 'withdrawn', 'web', :now, :now) RETURNING id"),
            {"a": area_id, "u": user_id, "now": now}).scalar()
        connection.execute(sa.text(
            "INSERT INTO issuestatuschange (issue_id, old_status, new_status, reason, changed_by_id, created_at)"
            " VALUES (:i, 'open', 'withdrawn', '解決しました', :u, :now)"), {"i": issue_id, "u": user_id, "now": now})
        connection.execute(sa.text(
            "INSERT INTO notification (user_id, kind, message, link, created_at)"
            " VALUES (:u, 'evaluation_overdue', 'm', '', :now)"), {"u": user_id, "now": now})
    engine.dispose()

    downgrade(empty_database_url, "0007")

    engine = create_engine_for(empty_database_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT status FROM issue")).scalars().all() == ["closed_unresolved"]
        assert connection.execute(sa.text("SELECT new_status, reason FROM issuestatuschange")).all() == [
            ("closed_unresolved", "解決しました")]
        assert connection.execute(sa.text("SELECT count(*) FROM notification")).scalar() == 0
    engine.dispose()
    upgrade(empty_database_url)


def test_hostile_input_from_the_poster_gets_no_5xx(make_app, db, factory, posted):
    """test_bad_input.py fuzzes every route as staff and as an owner, who are refused here before
    any parsing: the same values, sent by the poster, reach the forms and the version check."""
    from tests.webapp.test_bad_input import HOSTILE_IDS, HOSTILE_VALUES, QUERY_NAMES
    from tests.webclient import DEFAULT_PASSWORD

    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    assert client.post("/login", data={"email": "poster@example.jp", "password": DEFAULT_PASSWORD}).status_code == 302
    issue_id = posted["issue"].id
    fields = ["title", "body", "area", "themes", "post_anyway", "seen", "reason", "confirmed", "back", "action"]
    failures, count = [], 0
    # A valid form with a hostile fingerprint reaches the version check: refused, never a 5xx.
    valid = {"title": "直したタイトル", "body": BODY, "area": str(posted["issue"].area_id)}
    for value in HOSTILE_VALUES + ["", "０" * 32]:
        count += 1
        response = client.post(f"/issues/{issue_id}/edit", data={**valid, "seen": value})
        if response.status_code != 422:
            failures.append(("seen", value[:20], response.status_code))
    for action in ("edit", "withdraw"):
        for path in [f"/issues/{issue_id}/{action}"] + [f"/issues/{bad}/{action}" for bad in HOSTILE_IDS]:
            for value in HOSTILE_VALUES:
                for data in ({name: value for name in fields}, {**{name: value for name in fields}, "confirmed": "1"}):
                    count += 1
                    if client.post(path, data=data).status_code >= 500:
                        failures.append((path, value[:20]))
            for value in HOSTILE_VALUES[:8]:
                count += 1
                if client.get(path, query_string={name: value for name in QUERY_NAMES}).status_code >= 500:
                    failures.append((path, value[:20]))
    assert count > 300 and failures == []
    db.expire_all()
    assert db.get(Issue, issue_id).title == "一人暮らしの母が心配"  # no hostile fingerprint got an edit through
