"""axe-core (pinned in package-lock.json, installed by `make install-test`) on every HTML page of the
route table, as four kinds of visitor, at desktop and phone width: no WCAG 2.0/2.1/2.2 A or AA
violation is allowed."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.actions import login_as
from tests.webapp.test_access_matrix import world  # noqa: F401  (the fixture: two orgs, an issue, a 協議体)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"desktop": 1280, "phone": 390}
ROLES = {"anonymous": None, "resident": "resident@example.jp", "org_owner": "a@example.jp",
         "staff": "staff@example.jp"}
TOKEN = "0" * 32

# Every GET endpoint that answers with an HTML page. Those that do not are listed in NOT_HTML.
PAGES = {
    "main.index": "/",
    "main.mypage": "/mypage",
    "auth.register": "/register",
    "auth.login": "/login",
    "auth.two_factor": "/login/two-factor",
    "auth.forgot_password": "/password/forgot",
    "auth.reset_password": f"/password/reset/{TOKEN}",
    "account.settings": "/account/",
    "account.delete": "/account/delete",
    "account.consent": "/consent",
    "account.confirm_email": f"/account/confirm/{TOKEN}",
    "account.legal_page": "/legal/terms",
    "orgs.index": "/orgs/",
    "orgs.detail": "/orgs/{a}",
    "orgs.new": "/orgs/new",
    "orgs.edit": "/orgs/{a}/edit",
    "orgs.members": "/orgs/{a}/members",
    "orgs.claim": "/orgs/{a}/claim",
    "orgs.claims_to_answer": "/orgs/{a}/claims",
    "issues.index": "/issues/",
    "issues.detail": "/issues/{issue}",
    "issues.new": "/issues/new",
    "issues.edit": "/issues/{issue}/edit",
    "issues.withdraw": "/issues/{issue}/withdraw",
    "consortia.index": "/consortia/",
    "consortia.detail": "/consortia/{consortium}",
    "consortia.new": "/consortia/new?issue={issue}",
    "consortia.agreement": "/consortia/{consortium}/agreement",
    "consortia.edit_agreement": "/consortia/{consortium}/agreement/edit",
    "consortia.evaluation": "/consortia/{consortium}/evaluation",
    "consortia.evaluate": "/consortia/{consortium}/evaluation/new?org={a}",
    "notifications.index": "/notifications/",
    "search.index": "/search/?q=見守り",
    "staff.index": "/staff/",
    "staff.gaps": "/staff/gaps",
    "staff.board": "/staff/board",
    "staff.evaluations": "/staff/evaluations",
    "staff.audit": "/staff/audit",
    "staff.claim_queue": "/staff/claims",
    "staff.moderation_queue": "/staff/moderation",
    "staff.moderation_case": "/staff/moderation/organization/{b}",
    "staff.ng_word_list": "/staff/ng-words",
    "reports.new": "/report/organization/{b}",
    "staff.proxy_new": "/staff/orgs/new",
    "registry.index": "/staff/registry/",
    "registry.mapping": f"/staff/registry/import/{TOKEN}/mapping",
    "registry.preview": f"/staff/registry/import/{TOKEN}/preview",
    "errors.not_found": "/no-such-page",
}
NOT_HTML = {"static", "main.healthz", "main.favicon", "registry.export", "issues.similar",
            "account.export"}


def test_every_html_page_is_checked(app):
    get_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    checked = set(PAGES) - {"errors.not_found"}
    assert {e for e in get_endpoints if not e.startswith("api.")} - NOT_HTML == checked


def _axe_source() -> str:
    if not AXE.exists():
        reason = f"{AXE} is missing: run `make install-test` (npm ci)"
        if os.environ.get("KYODO_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text("utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as loaded; return its violations (rule id, impact, nodes)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.mark.parametrize("role", list(ROLES))
def test_no_axe_violations_on_any_page(live_server, new_page, world, role):  # noqa: F811
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the pages are the same on PostgreSQL: checked on the SQLite half of CI (5 minutes)")
    _axe_source()
    found = {}
    for width_name, width in WIDTHS.items():
        page = new_page(width=width, height=900, bypass_csp=True)
        if ROLES[role]:
            login_as(page, live_server, ROLES[role])
        for endpoint, template in PAGES.items():
            page.goto(live_server + template.format(**world))
            violations = axe_violations(page)
            if violations:
                found[f"{endpoint} {width_name} ({page.url})"] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_a_broken_page_is_reported(live_server, new_page):
    """The check itself can fail: an input without a label is a violation."""
    page = new_page(width=1280, bypass_csp=True)
    page.goto(live_server + "/login")
    page.evaluate("() => { const i = document.createElement('input'); document.querySelector('main').append(i); }")
    assert "label" in {v["rule"] for v in axe_violations(page)}


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1: rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_focus_ring_stands_out_from_the_page(live_server, new_page):
    """WCAG 2.4.11/1.4.11: the keyboard focus indicator has at least 3:1 contrast with the page."""
    page = new_page(width=1280)
    page.goto(live_server + "/login")
    page.keyboard.press("Tab")  # the skip link, then the brand link
    page.keyboard.press("Tab")
    ring, background = page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return [style.outlineColor, getComputedStyle(document.body).backgroundColor];
    }""")
    lighter, darker = sorted([_luminance(ring), _luminance(background)], reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 3.0, (ring, background)


def test_no_axe_violations_on_the_confirmation_step(live_server, new_page, world):  # noqa: F811
    """The confirmation page is reached by a POST, so the route table above does not cover it."""
    _axe_source()
    for width in WIDTHS.values():
        page = new_page(width=width, height=900, bypass_csp=True)
        login_as(page, live_server, ROLES["org_owner"])
        page.goto(live_server + "/consortia/{consortium}/agreement".format(**world))
        page.get_by_role("button", name="この団体として署名する").click()
        page.get_by_role("button", name="署名を確定する").wait_for()
        assert axe_violations(page) == []
