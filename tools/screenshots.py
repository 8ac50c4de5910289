"""Screenshots of the main pages at phone and desktop widths, written to docs/screenshots/.

    .venv/bin/python tools/screenshots.py

Builds a throw-away database with 東久留米市 and the demo data (plus one 協議体 and a logged-in
resident), serves it with gunicorn, and photographs the pages with Debian's Chromium.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from tests.webclient import kyodo_server  # noqa: E402
from webapp.cities import resolve_city  # noqa: E402
from webapp.db import create_engine_for, session_scope  # noqa: E402
from webapp.migrate import upgrade  # noqa: E402
from webapp.models import CollaborationDomain, ConsortiumCreate, Issue, Organization, OrgKind, Role  # noqa: E402
from webapp.services import accounts, consortia, legal, seeding  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
PASSWORD = "screenshot-pass-1"


def prepare(url: str) -> dict:
    upgrade(url)
    city = resolve_city("東久留米市")
    engine = create_engine_for(url)
    with session_scope(engine) as session:
        seeding.load_themes(session)
        seeding.load_city(session, city=city)
        seeding.load_demo(session, city=city)
    with session_scope(engine) as session:
        consents = legal.current_versions(city.directory)
        staff = accounts.register_user(session, email="staff@example.jp", display_name="協働推進課",
                                       password=PASSWORD, role=Role.STAFF, confirmed=True, consents=consents)
        accounts.register_user(session, email="resident@example.jp", display_name="滝山の住民", password=PASSWORD,
                               confirmed=True, consents=consents)
        issue = session.exec(select(Issue).order_by(Issue.id)).first()
        orgs = session.exec(select(Organization).order_by(Organization.id)).all()
        territorial = next(o for o in orgs if o.kind == OrgKind.TERRITORIAL)
        thematic = next(o for o in orgs if o.kind == OrgKind.THEMATIC)
        consortium = consortia.create_consortium(
            session, creator=staff, founding_org_id=None, invite_org_ids=[territorial.id, thematic.id],
            data=ConsortiumCreate(name="滝山見守り協議体", purpose="一人暮らしの高齢者を地域で見守る仕組みをつくる。",
                                  domain=CollaborationDomain.COOPERATIVE, start_date=date(2026, 4, 1),
                                  end_date=date(2027, 3, 31), issue_ids=[issue.id]),
        )
        consortia.respond(session, consortium_id=consortium.id, org_id=territorial.id, by_user=staff,
                          accept=True, message="")
        consortia.respond(session, consortium_id=consortium.id, org_id=thematic.id, by_user=staff,
                          accept=True, message="")
        ids = {"issue": issue.id, "org": thematic.id, "consortium": consortium.id}
    engine.dispose()
    return ids


def main() -> None:
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("needs Debian's chromium: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/shots.sqlite3"
        ids = prepare(url)
        with kyodo_server(url, workers=1, env={"KYODO_INSTANCE_PATH": tmp}, wait_seconds=60) as base:
            pages = {
                "top": "/", "issue": f"/issues/{ids['issue']}", "organization": f"/orgs/{ids['org']}",
                "search": "/search/?q=子ども", "consortium": f"/consortia/{ids['consortium']}",
            }
            OUT.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run"])
                for size, (width, height) in SIZES.items():
                    page = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP").new_page()
                    for name, path in pages.items():
                        page.goto(base + path)
                        page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=(size == "phone"))
                    page.goto(base + "/login")
                    page.get_by_label("メールアドレス").fill("resident@example.jp")
                    page.get_by_label("パスワード").fill(PASSWORD)
                    page.get_by_role("button", name="ログイン").click()
                    page.goto(base + "/issues/new")
                    page.get_by_label("タイトル").fill("一人暮らしの父の見守り")
                    page.get_by_label("内容").fill("滝山で一人暮らしの父が心配です。ときどき様子を見てくれる人はいませんか。")
                    page.get_by_role("button", name="似ている課題とテーマを確認する").click()
                    page.screenshot(path=str(OUT / f"new-issue-{size}.png"), full_page=(size == "phone"))
                    page.get_by_role("button", name="ログアウト").click()
                    page.goto(base + "/login")
                    page.get_by_label("メールアドレス").fill("staff@example.jp")
                    page.get_by_label("パスワード").fill(PASSWORD)
                    page.get_by_role("button", name="ログイン").click()
                    page.goto(base + "/staff/gaps")
                    page.screenshot(path=str(OUT / f"staff-gaps-{size}.png"), full_page=(size == "phone"))
                    page.goto(base + "/staff/audit")
                    page.locator("details summary").first.click()
                    page.screenshot(path=str(OUT / f"staff-audit-{size}.png"))
                browser.close()
    print("\n".join(sorted(str(p.relative_to(ROOT)) for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
