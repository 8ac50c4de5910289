"""Two `kyodo serve` processes on one PostgreSQL, as behind a load balancer: an organization
edited through one shows in the other's search and issue suggestions (each server catches up
through the database's change log; see docs/DEPLOY.md). Timings go to docs/BENCHMARKS.md."""
from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.parse
import urllib.request

import pytest

from tests.conftest import USING_POSTGRES
from tests.webclient import CSRF_PATTERN, DEFAULT_PASSWORD, kyodo_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow,
              pytest.mark.skipif(not USING_POSTGRES, reason="several servers share a PostgreSQL (TEST_DATABASE_URL)")]

NEW_DESCRIPTION = "南沢の川べりのごみを拾う清掃ボランティアです。毎週川の清掃をしています。"


class Browser:
    """Cookies and CSRF tokens over real HTTP, like a visitor's browser."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post_form(self, path: str, data: dict) -> int:
        match = CSRF_PATTERN.search(self.get(path))
        body = urllib.parse.urlencode({"csrf_token": match.group(1) or match.group(2), **data}, doseq=True)
        with self.opener.open(self.base + path, data=body.encode(), timeout=30) as response:
            return response.status


def _quiet_score(base: str, issue_id: int, org_id: int) -> float:
    with urllib.request.urlopen(f"{base}/api/v1/issues/{issue_id}/suggestions", timeout=30) as response:
        found = json.load(response)
    scores = [s["score"] for s in found["thematic"] + found["territorial"] if s["organization"]["id"] == org_id]
    return max(scores, default=0.0)


def _until(check, seconds: float) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, "the other server never saw the edit"
        time.sleep(0.05)
    return time.monotonic() - started


def test_an_edit_through_one_server_shows_on_the_other(database_url, factory, db, tmp_path):
    owner = factory.user(email="quiet-owner@example.jp")
    issue = factory.issue(reporter=factory.user(), title="川のごみが気になる",
                          body="南沢の川べりにごみが多く、清掃してくれる人を探しています。", town="南沢")
    factory.organization(name="川の会", towns=("南沢",), description="川の清掃をしています。")
    quiet = factory.organization(owner=owner, name="静かな会", towns=("南沢",), description="囲碁を楽しむ会です。")
    search_path = "/search?q=" + urllib.parse.quote("清掃ボランティア")
    env = {"KYODO_INSTANCE_PATH": str(tmp_path)}
    with open(tmp_path / "a.log", "wb") as log_a, open(tmp_path / "b.log", "wb") as log_b, \
            kyodo_server(database_url, workers=1, env=env, output=log_a, wait_seconds=90) as one, \
            kyodo_server(database_url, workers=1, env=env, output=log_b, wait_seconds=90) as other:
        before = _quiet_score(other, issue.id, quiet.id)
        assert "静かな会" not in Browser(other).get(search_path)

        editor = Browser(one)
        assert editor.post_form("/login", {"email": "quiet-owner@example.jp", "password": DEFAULT_PASSWORD}) == 200
        edited = editor.post_form(f"/orgs/{quiet.id}/edit", {
            "kind": "thematic", "category": "voluntary", "name": "静かな会", "description": NEW_DESCRIPTION,
            "offers": "", "needs": "", "areas": [str(factory.area("南沢").id)], "capacity": "1",
            "public_contact": "", "private_contact": "", "website": "", "action": "save"})
        assert edited == 200
        assert NEW_DESCRIPTION in Browser(one).get(f"/orgs/{quiet.id}")

        visitor = Browser(other)
        search_seconds = _until(lambda: "静かな会" in visitor.get(search_path), 30)
        suggestion_seconds = _until(lambda: _quiet_score(other, issue.id, quiet.id) > before, 30)
    print(f"seen on the other server: search {search_seconds:.2f} s, suggestions {suggestion_seconds:.2f} s")
