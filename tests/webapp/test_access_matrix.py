"""Every route, as each kind of visitor: who may and who may not.

Outcomes: "ok" = served (2xx, a redirect elsewhere than the login page, or 422 for the deliberately
incomplete form data used here so that nothing changes); "login" = sent to the login page;
"403" = refused. POSTs carry a valid CSRF token but incomplete data, so an allowed request is
rejected by validation rather than changing anything; refusals happen before validation.
"""
from datetime import date

import pytest

from tests.webclient import AuthActions, csrf_token
from webapp.models import CollaborationDomain, ConsortiumCreate, OrgKind
from webapp.services import agreements, consortia, org_invitations

ROLES = ("anonymous", "resident", "owner_a", "owner_b", "staff")
PUBLIC = dict.fromkeys(ROLES, "ok")
LOGGED_IN = {"anonymous": "login", "resident": "ok", "owner_a": "ok", "owner_b": "ok", "staff": "ok"}
OWNER_A = {"anonymous": "login", "resident": "403", "owner_a": "ok", "owner_b": "403", "staff": "ok"}
OWNER_B = {"anonymous": "login", "resident": "403", "owner_a": "403", "owner_b": "ok", "staff": "ok"}
STAFF = {"anonymous": "login", "resident": "403", "owner_a": "403", "owner_b": "403", "staff": "ok"}
OWNERS_OR_STAFF = {"anonymous": "login", "resident": "403", "owner_a": "ok", "owner_b": "ok", "staff": "ok"}
MEMBERS = {"anonymous": "login", "resident": "403", "owner_a": "ok", "owner_b": "ok", "staff": "ok"}
# Acting for an organization that has its own owner: staff are refused (proxy rules, issue 10).
ACT_A = {**OWNER_A, "staff": "403"}
ACT_B = {**OWNER_B, "staff": "403"}
INVITEE = {"anonymous": "login", "resident": "ok", "owner_a": "403", "owner_b": "403", "staff": "403"}
# The world's issue was posted by the resident: only they edit or withdraw it (staff too are refused).
POSTER = {"anonymous": "login", "resident": "ok", "owner_a": "403", "owner_b": "403", "staff": "403"}

# endpoint -> (method, url template, form data, expected outcome per role)
MATRIX = {
    "main.index": ("GET", "/", None, PUBLIC),
    "main.healthz": ("GET", "/healthz", None, PUBLIC),
    "main.favicon": ("GET", "/favicon.ico", None, PUBLIC),
    "main.mypage": ("GET", "/mypage", None, LOGGED_IN),
    "auth.register": ("GET", "/register", None, PUBLIC),
    "auth.login": ("GET", "/login", None, PUBLIC),
    "auth.logout": ("POST", "/logout", {}, LOGGED_IN),
    "auth.forgot_password": ("POST", "/password/forgot", {"email": ""}, PUBLIC),
    "auth.reset_password": ("GET", "/password/reset/not-a-token", None, PUBLIC),
    # Without a password checked first, everyone is sent back to the login page.
    "auth.two_factor": ("GET", "/login/two-factor", None, dict.fromkeys(ROLES, "login")),
    "account.settings": ("GET", "/account/", None, LOGGED_IN),
    "account.change_name": ("POST", "/account/name", {"display_name": ""}, LOGGED_IN),
    "account.change_email": ("POST", "/account/email", {"email": ""}, LOGGED_IN),
    "account.change_password": ("POST", "/account/password", {}, LOGGED_IN),
    "account.resend_confirmation": ("POST", "/account/confirm/resend", {}, LOGGED_IN),
    "account.confirm_email": ("GET", "/account/confirm/not-a-token", None, PUBLIC),
    "account.delete": ("POST", "/account/delete", {}, LOGGED_IN),
    "account.export": ("GET", "/account/export.json", None, LOGGED_IN),
    "account.consent": ("POST", "/consent", {}, LOGGED_IN),
    "account.legal_page": ("GET", "/legal/terms", None, PUBLIC),
    "orgs.index": ("GET", "/orgs/", None, PUBLIC),
    "orgs.detail": ("GET", "/orgs/{a}", None, PUBLIC),
    "orgs.new": ("POST", "/orgs/new", {"action": "save"}, LOGGED_IN),
    "orgs.edit": ("POST", "/orgs/{a}/edit", {"action": "save"}, OWNER_A),
    "orgs.members": ("GET", "/orgs/{a}/members", None, OWNER_A),
    "orgs.invite": ("POST", "/orgs/{a}/members/invite", {"email": ""}, OWNER_A),
    "orgs.transfer": ("POST", "/orgs/{a}/members/transfer", {}, OWNER_A),
    "orgs.claim": ("GET", "/orgs/{a}/claim", None, LOGGED_IN),
    "orgs.withdraw_claim": ("POST", "/orgs/{a}/claim/999999/withdraw", {}, LOGGED_IN),
    "orgs.claims_to_answer": ("GET", "/orgs/{a}/claims", None, ACT_A),
    "orgs.answer_claim": ("POST", "/orgs/{a}/claims/999999/answer", {}, ACT_A),
    "orgs.remove_member": ("POST", "/orgs/{a}/members/999999/remove", {}, OWNER_A),
    "issues.index": ("GET", "/issues/", None, PUBLIC),
    "issues.detail": ("GET", "/issues/{issue}", None, PUBLIC),
    "issues.new": ("POST", "/issues/new", {"action": "save"}, LOGGED_IN),
    "issues.similar": ("POST", "/issues/similar", {"title": "見守り"}, LOGGED_IN),
    "issues.personal_info_check": ("POST", "/issues/personal-info", {"text": ""}, LOGGED_IN),
    "issues.support": ("POST", "/issues/{issue}/support", {"undo": "1"}, LOGGED_IN),
    "issues.comment": ("POST", "/issues/{issue}/comments", {"body": ""}, LOGGED_IN),
    "issues.change_status": ("POST", "/issues/{issue}/status", {}, STAFF),
    # issue 11: following (the poster follows already, others have no 共感: nothing changes) and linking
    # from the issue page (who may link depends on the 協議体 chosen: refused in the service, 403).
    "issues.follow": ("POST", "/issues/{issue}/follow", {}, LOGGED_IN),
    "issues.link_consortium": ("POST", "/issues/{issue}/consortia", {}, LOGGED_IN),
    "issues.edit": ("POST", "/issues/{issue}/edit", {}, POSTER),
    "issues.withdraw": ("POST", "/issues/{issue}/withdraw", {}, POSTER),
    "consortia.index": ("GET", "/consortia/", None, PUBLIC),
    "consortia.detail": ("GET", "/consortia/{consortium}", None, PUBLIC),
    "consortia.new": ("POST", "/consortia/new", {}, OWNERS_OR_STAFF),
    "consortia.invite": ("POST", "/consortia/{consortium}/invite", {}, MEMBERS),
    "consortia.respond": ("POST", "/consortia/{consortium}/members/{b}/respond", {}, ACT_B),
    "consortia.leave": ("POST", "/consortia/{consortium}/members/{a}/leave", {}, ACT_A),
    "consortia.agreement": ("GET", "/consortia/{consortium}/agreement", None, PUBLIC),
    "consortia.edit_agreement": ("POST", "/consortia/{consortium}/agreement/edit", {}, MEMBERS),
    "consortia.sign": ("POST", "/consortia/{consortium}/agreement/{agreement}/sign/{a}", {}, ACT_A),
    "consortia.evaluation": ("GET", "/consortia/{consortium}/evaluation", None, PUBLIC),
    "consortia.evaluate": ("GET", "/consortia/{consortium}/evaluation/new?org={a}", None, ACT_A),
    "consortia.start_evaluation": ("POST", "/consortia/{consortium}/evaluate-now", {}, MEMBERS),
    "consortia.close": ("POST", "/consortia/{consortium}/close", {}, MEMBERS),
    "consortia.link_issue": ("POST", "/consortia/{consortium}/issues", {}, MEMBERS),
    "consortia.unlink_issue": ("POST", "/consortia/{consortium}/issues/{issue}/unlink", {}, MEMBERS),
    "staff.index": ("GET", "/staff/", None, STAFF),
    "staff.gaps": ("GET", "/staff/gaps", None, STAFF),
    "staff.board": ("GET", "/staff/board", None, STAFF),
    "staff.evaluations": ("GET", "/staff/evaluations", None, STAFF),
    "staff.audit": ("GET", "/staff/audit", None, STAFF),
    "staff.claim_queue": ("GET", "/staff/claims", None, STAFF),
    "staff.decide_claim": ("POST", "/staff/claims/999999/decide", {}, STAFF),
    "staff.verify_org": ("POST", "/staff/orgs/{a}/verify", {}, STAFF),
    "staff.moderation_queue": ("GET", "/staff/moderation", None, STAFF),
    "staff.moderation_case": ("GET", "/staff/moderation/issue/{issue}", None, STAFF),
    "staff.moderation_decide": ("POST", "/staff/moderation/comment/999999", {}, STAFF),
    "staff.ng_word_list": ("POST", "/staff/ng-words", {"word": ""}, STAFF),
    "staff.remove_ng_word": ("POST", "/staff/ng-words/999999/delete", {}, STAFF),
    # 通報: any logged-in person (the resident posted the issue: the page says it cannot be reported)
    "reports.new": ("POST", "/report/issue/{issue}", {"reason": ""}, LOGGED_IN),
    "staff.appoint_owner": ("POST", "/staff/orgs/{a}/owner", {}, STAFF),
    "staff.proxy_new": ("POST", "/staff/orgs/new", {"action": "save"}, STAFF),
    "notifications.index": ("GET", "/notifications/", None, LOGGED_IN),
    "notifications.settings": ("POST", "/notifications/settings", {}, LOGGED_IN),
    "notifications.mark_read": ("POST", "/notifications/read", {}, LOGGED_IN),
    "notifications.answer_invitation": ("POST", "/notifications/invitations/{invitation}",
                                        {"decision": ""}, INVITEE),
    "search.index": ("GET", "/search/?q=見守り", None, PUBLIC),
    # registry (import/export); a well-formed token nobody uploaded: staff get 404, others never reach it
    "registry.index": ("GET", "/staff/registry/", None, STAFF),
    "registry.upload": ("POST", "/staff/registry/import", {}, STAFF),
    "registry.mapping": ("GET", "/staff/registry/import/" + "0" * 32 + "/mapping", None, STAFF),
    "registry.preview": ("GET", "/staff/registry/import/" + "0" * 32 + "/preview", None, STAFF),
    "registry.confirm": ("POST", "/staff/registry/import/" + "0" * 32 + "/confirm", {}, STAFF),
    "registry.cancel": ("POST", "/staff/registry/import/" + "0" * 32 + "/cancel", {}, STAFF),
    "registry.export": ("GET", "/staff/registry/export/organizations.csv", None, STAFF),
    "api.organizations": ("GET", "/api/v1/organizations", None, PUBLIC),
    "api.organization": ("GET", "/api/v1/organizations/{a}", None, PUBLIC),
    "api.issues": ("GET", "/api/v1/issues", None, PUBLIC),
    "api.issue": ("GET", "/api/v1/issues/{issue}", None, PUBLIC),
    "api.issue_suggestions": ("GET", "/api/v1/issues/{issue}/suggestions", None, PUBLIC),
    "api.consortia": ("GET", "/api/v1/consortia", None, PUBLIC),
    "api.consortium": ("GET", "/api/v1/consortia/{consortium}", None, PUBLIC),
    "api.consortium_agreement": ("GET", "/api/v1/consortia/{consortium}/agreement", None, PUBLIC),
    "api.openapi": ("GET", "/api/v1/openapi.json", None, PUBLIC),
}


def test_the_matrix_covers_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(MATRIX)


@pytest.fixture
def world(factory, db):
    users = {
        "resident": factory.user(email="resident@example.jp"),
        "owner_a": factory.user(email="a@example.jp"),
        "owner_b": factory.user(email="b@example.jp"),
        "staff": factory.staff(email="staff@example.jp"),
    }
    a = factory.organization(owner=users["owner_a"], kind=OrgKind.TERRITORIAL, name="A自治会")
    b = factory.organization(owner=users["owner_b"], kind=OrgKind.THEMATIC, name="B見守りの会")
    issue = factory.issue(reporter=users["resident"])
    consortium = consortia.create_consortium(
        db, data=ConsortiumCreate(name="AB協議体", purpose="見守り", domain=CollaborationDomain.CITIZEN_LED,
                                  start_date=date(2026, 4, 1), end_date=date(2027, 3, 31),
                                  area_ids=[factory.area().id]),
        creator=users["owner_a"], founding_org_id=a.id, invite_org_ids=[b.id])
    invitation = org_invitations.invite_editor(db, org_id=a.id, email="resident@example.jp", inviter=users["owner_a"])
    consortia.respond(db, consortium_id=consortium.id, org_id=b.id, by_user=users["owner_b"], accept=True, message="")
    agreement = agreements.save_draft(db, consortium_id=consortium.id, by_user=users["owner_a"], data=agreements.AgreementDraft(
        purpose="見守り", period_start=date(2026, 4, 1), period_end=date(2027, 3, 31),
        roles={a.id: agreements.RoleInput(role="紹介", form="facility_provision"),
               b.id: agreements.RoleInput(role="訪問", form="personnel_exchange")}))
    db.commit()
    ids = {"a": a.id, "b": b.id, "issue": issue.id, "consortium": consortium.id, "invitation": invitation.id,
           "agreement": agreement.id}
    return ids


def _outcome(response) -> str:
    if response.status_code == 403:
        return "403"
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and location.startswith("/login"):
        return "login"
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return "ok"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_who_may_use_each_route(app, world, endpoint):
    method, template, data, expected = MATRIX[endpoint]
    url = template.format(**world)
    seen = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            AuthActions(client).login(email={"resident": "resident@example.jp", "owner_a": "a@example.jp",
                                             "owner_b": "b@example.jp", "staff": "staff@example.jp"}[role])
        if method == "GET":
            response = client.get(url)
        else:
            token = csrf_token(client, "/login" if role == "anonymous" else "/")
            response = client.post(url, data={"csrf_token": token, **data})
        seen[role] = _outcome(response)
    assert seen == expected
