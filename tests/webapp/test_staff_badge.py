"""Staff see in the header (職員) and the staff menu what waits for their decision: items in the
moderation queue and 代表の申請 that no owner answers."""
from webapp.models import OrgKind, ReportReason
from webapp.services import claims, moderation, pending


def test_the_staff_badge_counts_the_queues_and_empties_as_staff_decide(client, auth, db, factory):
    staff = factory.staff(email="staff@example.jp")
    resident = factory.user(email="resident@example.jp")
    issue = factory.issue(reporter=factory.user(), title="公園のベンチ")
    ownerless = factory.organization(kind=OrgKind.TERRITORIAL, name="南町自治会")  # no owner: staff decide
    owned = factory.organization(owner=factory.user(), kind=OrgKind.TERRITORIAL, name="北町自治会")
    db.commit()
    auth.login(email="staff@example.jp")
    assert pending.staff_badge(db).total == 0
    assert "badge-new" not in client.get("/").get_data(as_text=True).split("職員")[1].split("</li>")[0]

    moderation.report(db, entity=moderation.ISSUE, entity_id=issue.id, reporter=resident,
                      reason=ReportReason.SPAM, reports_to_hide=3)
    claims.request_claim(db, org_id=ownerless.id, user=resident, message="新しい会長です")
    claims.request_claim(db, org_id=owned.id, user=factory.user(), message="会長です")  # its owner answers first
    db.commit()
    assert pending.staff_badge(db) == pending.StaffBadge(reviews=1, claims=1)
    home = client.get("/").get_data(as_text=True)
    assert 'aria-label="確認待ちの投稿1件、代表の申請1件">2<' in home
    menu = client.get("/staff/").get_data(as_text=True)
    assert "代表の申請（1件）" in menu and "通報・非公開（確認待ち1件）" in menu

    moderation.decide(db, entity=moderation.ISSUE, entity_id=issue.id, staff=staff, action=moderation.RESTORE,
                      reason="問題のない投稿でした")
    db.commit()
    assert pending.staff_badge(db) == pending.StaffBadge(reviews=0, claims=1)
    assert 'aria-label="代表の申請1件">1<' in client.get("/").get_data(as_text=True)

    auth.logout()
    auth.login(email="resident@example.jp")  # not staff: no 職員 link, no staff counts
    home = client.get("/").get_data(as_text=True)
    assert "代表の申請" not in home and ">職員" not in home
