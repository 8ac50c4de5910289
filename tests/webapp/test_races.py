"""Rules spanning rows hold when members act at the same moment: real parallel requests (threads
behind a barrier) against `kyodo serve` (gunicorn, two workers) on the test database, PostgreSQL
in CI's second half. Each race is tried several times; none may answer 5xx."""
from __future__ import annotations

import re
import urllib.parse
import urllib.request
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.webapp.conftest import agreement_draft
from tests.webclient import CSRF_PATTERN, DEFAULT_PASSWORD, Browser, at_once, kyodo_server
from webapp.models import (
    Agreement,
    AgreementSignature,
    AgreementStatus,
    AuditEntry,
    CollaborationDomain,
    ConsortiumCreate,
    ConsortiumMember,
    InvitationStatus,
    IssueSupport,
    OrgKind,
)
from webapp.services import agreements, consortia

pytestmark = pytest.mark.slow
TRIALS = 4
SEEN = re.compile(r'name="seen" value="([0-9a-f]+)"')


def _consortium(db, factory, *, owners: list, kinds: list[OrgKind], name: str, capacities=None):
    orgs = [factory.organization(owner=o, kind=k, name=f"{name}団体{i}", **({"capacity": capacities[i]} if capacities else {}))
            for i, (o, k) in enumerate(zip(owners, kinds))]
    consortium = consortia.create_consortium(
        db, creator=owners[0], founding_org_id=orgs[0].id, invite_org_ids=[o.id for o in orgs[1:]],
        data=ConsortiumCreate(name=name, purpose="見守り", domain=CollaborationDomain.CITIZEN_LED,
                              start_date=date(2026, 4, 1), end_date=date(2027, 3, 31), area_ids=[factory.area().id]))
    for org, owner in zip(orgs[1:], owners[1:]):
        consortia.respond(db, consortium_id=consortium.id, org_id=org.id, by_user=owner, accept=True, message="")
    db.commit()
    return consortium, orgs


def _draft(db, consortium, orgs, by_user, purpose="見守りの目的"):
    roles = {o.id: agreements.RoleInput(role="役割", form="personnel_exchange") for o in orgs}
    world = {"jichikai": orgs[0], "npo": orgs[1]}
    agreement = agreements.save_draft(db, consortium_id=consortium.id, by_user=by_user,
                                      data=agreement_draft(world, purpose=purpose, roles=roles))
    db.commit()
    return agreement


def _seen(browser: Browser, consortium_id: int) -> str:
    """The fingerprint of the version the page shows, as a browser would send it back."""
    match = SEEN.search(browser.request(f"/consortia/{consortium_id}/agreement")[1])
    assert match, "the agreement page offers no sign button"
    return match.group(1)


EDIT_SEEN = re.compile(r'<input type="hidden" name="seen" value="([0-9a-f]*)">')


def _edit_form(browser: Browser, consortium_id: int) -> dict:
    """The edit page's CSRF token and the fingerprint of the newest version it was opened on."""
    html = browser.request(f"/consortia/{consortium_id}/agreement/edit")[1]
    match = EDIT_SEEN.search(html)
    return {"csrf_token": CSRF_PATTERN.search(html).group(1) or CSRF_PATTERN.search(html).group(2),
            "confirmed": "1", "seen": match.group(1) if match else ""}


def _edit_data(orgs, purpose: str) -> dict:
    data = {"purpose": purpose, "period_start": "2026-04-01", "period_end": "2027-03-31",
            "cost_sharing": "", "disclosure": ""}
    for o in orgs:
        data |= {f"role_{o.id}": "新しい役割", f"responsibilities_{o.id}": "", f"form_{o.id}": "personnel_exchange"}
    return data


def _fresh(db):
    db.expire_all()
    return db


def test_a_signed_version_never_changes_and_a_fully_signed_one_is_in_force(db, factory, live_server):
    a_owner, b_owner = factory.user(), factory.user()
    for trial in range(TRIALS):
        consortium, orgs = _consortium(db, factory, owners=[a_owner, b_owner],
                                       kinds=[OrgKind.TERRITORIAL, OrgKind.THEMATIC], name=f"署名{trial}")
        agreement = _draft(db, consortium, orgs, a_owner)
        a, b = Browser(live_server).login(a_owner.email), Browser(live_server).login(b_owner.email)
        seen_a, seen_b = _seen(a, consortium.id), _seen(b, consortium.id)
        # A signs the draft while B saves an edit of it.
        opened_b = _edit_form(b, consortium.id)
        at_once(lambda: a.request(f"/consortia/{consortium.id}/agreement/{agreement.id}/sign/{orgs[0].id}",
                                  {"csrf_token": a.token(), "confirmed": "1", "seen": seen_a}),
                lambda: b.request(f"/consortia/{consortium.id}/agreement/edit",
                                  {**opened_b, **_edit_data(orgs, f"書き換え{trial}")}))
        v1 = _fresh(db).get(Agreement, agreement.id)
        if db.exec(select(AgreementSignature).where(AgreementSignature.agreement_id == v1.id)).first():
            assert v1.purpose == "見守りの目的", "a signed version changed"
        # The last party signs the newest version while A saves yet another draft.
        newest = db.exec(select(Agreement).where(Agreement.consortium_id == consortium.id)
                         .order_by(Agreement.version.desc())).first()
        if newest.status == AgreementStatus.DRAFT or not db.get(AgreementSignature, (newest.id, orgs[0].id)):
            a.post(f"/consortia/{consortium.id}/agreement/{newest.id}/sign/{orgs[0].id}", {"confirmed": "1", "seen": _seen(a, consortium.id)})
        opened_a = _edit_form(a, consortium.id)
        seen_b = _seen(b, consortium.id)
        at_once(lambda: b.request(f"/consortia/{consortium.id}/agreement/{newest.id}/sign/{orgs[1].id}",
                                  {"csrf_token": b.token(), "confirmed": "1", "seen": seen_b}),
                lambda: a.request(f"/consortia/{consortium.id}/agreement/edit",
                                  {**opened_a, **_edit_data(orgs, f"再改定{trial}")}))
        _fresh(db)
        for version in db.exec(select(Agreement).where(Agreement.consortium_id == consortium.id)):
            signed = {s.organization_id for s in db.exec(select(AgreementSignature)
                                                         .where(AgreementSignature.agreement_id == version.id))}
            if signed == {o.id for o in orgs}:
                newer_signed = db.exec(select(Agreement).where(
                    Agreement.consortium_id == consortium.id, Agreement.version > version.version,
                    Agreement.status == AgreementStatus.SIGNED)).first()
                assert version.status == AgreementStatus.SIGNED or newer_signed, \
                    f"v{version.version} fully signed but {version.status}"


def test_two_editors_saving_one_draft_at_once_do_not_overwrite_each_other(db, factory, live_server):
    a_owner, b_owner = factory.user(), factory.user()
    for trial in range(TRIALS):
        consortium, orgs = _consortium(db, factory, owners=[a_owner, b_owner],
                                       kinds=[OrgKind.TERRITORIAL, OrgKind.THEMATIC], name=f"同時編集{trial}")
        _draft(db, consortium, orgs, a_owner)
        a, b = Browser(live_server).login(a_owner.email), Browser(live_server).login(b_owner.email)
        opened_a, opened_b = _edit_form(a, consortium.id), _edit_form(b, consortium.id)
        path = f"/consortia/{consortium.id}/agreement/edit"
        results = at_once(lambda: a.request(path, {**opened_a, **_edit_data(orgs, "Aの案")}),
                          lambda: b.request(path, {**opened_b, **_edit_data(orgs, "Bの案")}))
        assert sorted(s for s, _ in results) == [302, 422]  # one saved; the other told, its text kept
        refused = next(html for s, html in results if s == 422)
        assert "ほかの人が協定書を保存しました" in refused
        assert ("Aの案" in refused) != ("Bの案" in refused)


def test_the_two_last_parties_signing_at_once_bring_the_version_into_force(db, factory, live_server):
    owners = [factory.user(), factory.user(), factory.user()]
    for trial in range(TRIALS):
        consortium, orgs = _consortium(db, factory, owners=owners, name=f"三者{trial}",
                                       kinds=[OrgKind.TERRITORIAL, OrgKind.THEMATIC, OrgKind.THEMATIC])
        agreement = _draft(db, consortium, orgs, owners[0])
        agreements.sign(db, agreement_id=agreement.id, org_id=orgs[0].id, by_user=owners[0])
        db.commit()
        b, c = (Browser(live_server).login(o.email) for o in owners[1:])
        calls = []
        for browser, org in ((b, orgs[1]), (c, orgs[2])):
            data = {"csrf_token": browser.token(), "confirmed": "1", "seen": _seen(browser, consortium.id)}
            path = f"/consortia/{consortium.id}/agreement/{agreement.id}/sign/{org.id}"
            calls.append(lambda browser=browser, path=path, data=data: browser.request(path, data))
        at_once(*calls)
        assert _fresh(db).get(Agreement, agreement.id).status == AgreementStatus.SIGNED


def test_one_party_signing_six_times_at_once_signs_once_without_errors(db, factory, live_server):
    a_owner, b_owner = factory.user(), factory.user()
    consortium, orgs = _consortium(db, factory, owners=[a_owner, b_owner],
                                   kinds=[OrgKind.TERRITORIAL, OrgKind.THEMATIC], name="連打")
    agreement = _draft(db, consortium, orgs, a_owner)
    browsers = [Browser(live_server).login(a_owner.email) for _ in range(6)]
    path = f"/consortia/{consortium.id}/agreement/{agreement.id}/sign/{orgs[0].id}"
    calls = [lambda b=b, d={"csrf_token": b.token(), "confirmed": "1", "seen": _seen(b, consortium.id)}: b.request(path, d)
             for b in browsers]
    results = at_once(*calls)
    assert [s for s, _ in results] == [302] * 6  # each gets its normal answer (signed, or already signed)
    signatures = _fresh(db).exec(select(AgreementSignature).where(AgreementSignature.agreement_id == agreement.id)).all()
    assert len(signatures) == 1


def test_capacity_one_is_not_exceeded_by_simultaneous_acceptances(db, factory, live_server):
    owner = factory.user()
    target = factory.organization(owner=owner, kind=OrgKind.THEMATIC, name="上限1の会", capacity=1)
    pending = []
    for n in range(4):
        founder_owner = factory.user()
        founder = factory.organization(owner=founder_owner, kind=OrgKind.TERRITORIAL, name=f"自治会{n}")
        consortium = consortia.create_consortium(
            db, creator=founder_owner, founding_org_id=founder.id, invite_org_ids=[target.id],
            data=ConsortiumCreate(name=f"上限{n}", purpose="見守り", domain=CollaborationDomain.CITIZEN_LED,
                                  start_date=date(2026, 4, 1), end_date=date(2027, 3, 31), area_ids=[factory.area().id]))
        db.commit()
        pending.append(consortium.id)
    browsers = [Browser(live_server).login(owner.email) for _ in pending]
    calls = [lambda b=b, cid=cid, t=b.token(): b.request(f"/consortia/{cid}/members/{target.id}/respond",
                                                         {"csrf_token": t, "decision": "accept"})
             for b, cid in zip(browsers, pending)]
    at_once(*calls)
    accepted = _fresh(db).exec(select(ConsortiumMember).where(
        ConsortiumMember.organization_id == target.id, ConsortiumMember.status == InvitationStatus.ACCEPTED)).all()
    assert len(accepted) == 1


def test_one_invitation_accepted_six_times_at_once_is_accepted_once(db, factory, live_server):
    a_owner, b_owner = factory.user(), factory.user()
    a = factory.organization(owner=a_owner, kind=OrgKind.TERRITORIAL, name="招待元")
    b = factory.organization(owner=b_owner, kind=OrgKind.THEMATIC, name="招待先")
    consortium = consortia.create_consortium(
        db, creator=a_owner, founding_org_id=a.id, invite_org_ids=[b.id],
        data=ConsortiumCreate(name="六重", purpose="見守り", domain=CollaborationDomain.CITIZEN_LED,
                              start_date=date(2026, 4, 1), end_date=date(2027, 3, 31), area_ids=[factory.area().id]))
    db.commit()
    browsers = [Browser(live_server).login(b_owner.email) for _ in range(6)]
    calls = [lambda br=br, t=br.token(): br.request(f"/consortia/{consortium.id}/members/{b.id}/respond",
                                                    {"csrf_token": t, "decision": "accept"}) for br in browsers]
    results = at_once(*calls)
    assert sum(1 for s, _ in results if s == 302) == 1  # one success; the others are told it was answered
    entries = _fresh(db).exec(select(AuditEntry).where(AuditEntry.entity_id == consortium.id,
                                                       AuditEntry.action == "accept")).all()
    assert len(entries) == 1


def test_double_submitted_support_gets_no_server_error(db, factory, live_server):
    reporter, supporter = factory.user(), factory.user()
    issue = factory.issue(reporter=reporter)
    browsers = [Browser(live_server).login(supporter.email) for _ in range(4)]
    calls = [lambda b=b, t=b.token(): b.request(f"/issues/{issue.id}/support", {"csrf_token": t}) for b in browsers]
    at_once(*calls)
    count = _fresh(db).exec(select(sa.func.count()).select_from(IssueSupport)
                            .where(IssueSupport.issue_id == issue.id)).one()
    assert count == 1


def test_double_submitted_registration_gets_no_server_error(live_server):
    browsers = [Browser(live_server) for _ in range(4)]
    data = {"email": "twice@example.jp", "display_name": "二重", "password": DEFAULT_PASSWORD,
            "password_confirm": DEFAULT_PASSWORD}
    calls = [lambda b=b, t=b.token("/register"): b.request("/register", {"csrf_token": t, **data}) for b in browsers]
    at_once(*calls)


def test_issues_posted_at_once_are_found_by_every_worker(db, factory, live_server):
    """The per-worker search index follows the change log; none of the parallel posts is skipped.
    (End to end; the late commit itself is pinned down by test_index_versions.py.)"""
    posters = [factory.user() for _ in range(8)]
    area = factory.area().id
    browsers = [Browser(live_server).login(p.email) for p in posters]
    # A first search makes each worker build its index before the posts arrive.
    for _ in range(4):
        browsers[0].request("/search/?q=" + urllib.parse.quote("見守り"))
    words = [f"ふくろう{n}ごう" for n in range(len(browsers))]
    calls = [lambda b=b, w=w, t=b.token("/issues/new"): b.request("/issues/new", {
        "csrf_token": t, "title": f"{w}の巣箱が壊れている", "body": f"公園の{w}の巣箱を直したい。", "area": area,
        "action": "save"}) for b, w in zip(browsers, words)]
    assert [s for s, _ in at_once(*calls)] == [302] * len(browsers)
    reader = Browser(live_server)
    missed = [w for w in words for _ in range(4)
              if f"{w}の巣箱が壊れている" not in reader.request("/search/?q=" + urllib.parse.quote(w))[1]]
    assert missed == []


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "kyodo-race-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def four_workers(database_url, tmp_path):
    """Four gunicorn workers, so that four confirms really run at once."""
    env = {"KYODO_INSTANCE_PATH": str(tmp_path), "KYODO_LOGIN_LIMIT": "100 per minute",
           "KYODO_LOGIN_ACCOUNT_LIMIT": "100 per minute"}
    with kyodo_server(database_url, workers=4, env=env) as url:
        yield url


def test_a_register_import_confirmed_four_times_at_once_is_imported_once(db, factory, four_workers):
    from tests.webapp.test_registry_pages import _selected
    from webapp.models import Organization, RecordSource

    live_server = four_workers
    staff = factory.staff()
    browser = Browser(live_server).login(staff.email)
    body, content_type = _multipart({"csrf_token": browser.token("/staff/registry/")},
                                    {"file": ("名簿.csv", "団体名,町名\n並行テスト自治会,滝山\n".encode())})
    request = urllib.request.Request(live_server + "/staff/registry/import", body, {"Content-Type": content_type})
    with pytest.raises(urllib.error.HTTPError) as redirect:  # a 302 to the mapping step
        browser.opener.open(request, timeout=60)
    location = redirect.value.headers["Location"]
    token = re.search(r"/import/([A-Za-z0-9_-]{32})/mapping", location).group(1)
    selected = _selected(browser.request(f"/staff/registry/import/{token}/mapping")[1])
    assert browser.post(f"/staff/registry/import/{token}/mapping", selected,
                        token_from=f"/staff/registry/import/{token}/mapping")[0] == 302
    confirm = f"/staff/registry/import/{token}/confirm"
    browsers = [Browser(live_server).login(staff.email) for _ in range(4)]
    calls = [lambda b=b, t=b.token(f"/staff/registry/import/{token}/preview"): b.request(
        confirm, {"csrf_token": t, "use_suggested_themes": "y"}) for b in browsers]
    at_once(*calls)
    created = _fresh(db).exec(select(Organization).where(Organization.source == RecordSource.IMPORT)).all()
    assert [o.name for o in created] == ["並行テスト自治会"]


def test_a_double_submitted_evaluation_is_stored_once(db, factory, live_server):
    from webapp.models import Evaluation, Principle

    a_owner, b_owner, staff = factory.user(), factory.user(), factory.staff()
    consortium, _ = _consortium(db, factory, owners=[a_owner, b_owner],
                                kinds=[OrgKind.TERRITORIAL, OrgKind.THEMATIC], name="振り返り二重")
    path = f"/consortia/{consortium.id}/evaluation/new"
    data = {"goal_score": "4", "cost_score": "3", "confirmed": "1", **{f"p_{p.value}": "4" for p in Principle}}
    browsers = [Browser(live_server).login(staff.email) for _ in range(4)]
    calls = [lambda b=b, t=b.token(path): b.request(path, {"csrf_token": t, **data}) for b in browsers]
    results = at_once(*calls)
    # One is stored; the others are told it was submitted (422), or, arriving after it committed,
    # find nothing left to submit (403, as for any evaluation not theirs to give).
    statuses = [s for s, _ in results]
    assert statuses.count(302) == 1 and set(statuses) <= {302, 403, 422}
    assert len(_fresh(db).exec(select(Evaluation).where(Evaluation.consortium_id == consortium.id)).all()) == 1


def test_an_editor_invitation_accepted_six_times_at_once_adds_one_member(db, factory, live_server):
    from webapp.models import Membership, Notification
    from webapp.services import org_invitations

    owner, invitee = factory.user(), factory.user()
    org = factory.organization(owner=owner, name="編集者招待の会")
    invitation = org_invitations.invite_editor(db, org_id=org.id, email=invitee.email, inviter=owner)
    db.commit()
    browsers = [Browser(live_server).login(invitee.email) for _ in range(6)]
    path = f"/notifications/invitations/{invitation.id}"
    calls = [lambda b=b, t=b.token("/notifications/"): b.request(path, {"csrf_token": t, "decision": "accept"})
             for b in browsers]
    at_once(*calls)
    _fresh(db)
    assert len(db.exec(select(Membership).where(Membership.organization_id == org.id,
                                                Membership.user_id == invitee.id)).all()) == 1
    answers = db.exec(select(Notification).where(Notification.user_id == owner.id,
                                                 Notification.message.contains("編集者への招待を受けました"))).all()
    assert len(answers) == 1
