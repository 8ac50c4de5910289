"""Database constraints hold whatever writes the row: these tests bypass the services on purpose."""
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from webapp.models import (
    Area,
    Comment,
    Issue,
    IssueSupport,
    MemberRole,
    Membership,
    Organization,
    OrgCategory,
    OrgKind,
    Role,
    Theme,
    User,
)

NOW = "2026-11-25 00:00:00"


def _user(db, email="a@example.jp", **kw):
    user = User(email=email, display_name=kw.pop("display_name", "あ"), password_hash="x", **kw)
    db.add(user)
    db.flush()
    return user


def _insert(db, table: str, **values):
    columns = ", ".join(values)
    params = ", ".join(f":{k}" for k in values)
    db.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)
    db.flush()


def _org_values(**overrides):
    values = dict(
        kind="thematic", category="npo", name="団体", description="", offers="", needs="",
        activity_days="", capacity=2, public_contact="", private_contact="", website="",
        status="active", source="web", created_at=NOW, updated_at=NOW,
    )
    values.update(overrides)
    return values


def test_email_is_unique_regardless_of_case(db):
    _user(db, "Taro@Example.jp")
    with pytest.raises(sa.exc.IntegrityError):
        _user(db, "taro@example.JP")


def test_email_must_look_like_an_address(db):
    with pytest.raises(sa.exc.IntegrityError):
        _user(db, "no-at-sign")


def test_blank_display_name_is_rejected(db):
    with pytest.raises(sa.exc.IntegrityError):
        _user(db, display_name="   ")


def test_role_outside_the_enum_is_rejected_by_the_database(db):
    with pytest.raises(sa.exc.IntegrityError):
        _insert(db, "user_account", email="b@example.jp", display_name="b", password_hash="x",
                role="superuser", is_active=True, created_at=NOW)


def test_role_default_is_resident_and_flags_hold(db):
    user = _user(db)
    assert user.role == Role.RESIDENT and user.is_active and not user.is_staff
    # The login cookie id carries the session token, so replacing the token ends every session.
    assert user.get_id() == f"{user.id}:{user.session_token}" and len(user.session_token) == 32


@pytest.mark.parametrize(
    "override",
    [
        {"kind": "other-kind"},
        {"category": "mafia"},
        {"status": "deleted"},
        {"capacity": -1},
        {"capacity": 51},
        {"member_count": -5},
        {"name": "  "},
    ],
)
def test_organization_check_constraints(db, override):
    with pytest.raises(sa.exc.IntegrityError):
        _insert(db, "organization", **_org_values(**override))


def test_organization_required_columns_are_not_null(db):
    values = _org_values()
    del values["kind"]
    with pytest.raises(sa.exc.IntegrityError):
        _insert(db, "organization", **values)


def test_membership_needs_existing_user_and_organization(db):
    with pytest.raises(sa.exc.IntegrityError):
        db.add(Membership(user_id=999_999, organization_id=999_999, role=MemberRole.OWNER))
        db.flush()


def test_one_membership_per_user_and_organization(db):
    user = _user(db)
    org = Organization(kind=OrgKind.THEMATIC, category=OrgCategory.NPO, name="n")
    db.add(org)
    db.flush()
    db.add(Membership(user_id=user.id, organization_id=org.id, role=MemberRole.OWNER))
    db.flush()
    with pytest.raises(sa.exc.IntegrityError):
        _insert(db, "membership", user_id=user.id, organization_id=org.id, role="editor",
                created_at=NOW)


def test_issue_needs_an_existing_town_and_reporter(db):
    user = _user(db)
    with pytest.raises(sa.exc.IntegrityError):
        db.add(Issue(title="t", body="b", area_id=999_999, reporter_id=user.id))
        db.flush()


def test_issue_status_outside_the_enum_is_rejected(db):
    user = _user(db)
    area = db.exec(select(Area)).first()
    with pytest.raises(sa.exc.IntegrityError):
        _insert(db, "issue", title="t", body="b", area_id=area.id, reporter_id=user.id,
                show_reporter_name=False, status="solved", source="web", created_at=NOW,
                updated_at=NOW)


def test_one_support_per_user_and_issue(db):
    user = _user(db)
    reporter = _user(db, "r@example.jp")
    area = db.exec(select(Area)).first()
    issue = Issue(title="t", body="b", area_id=area.id, reporter_id=reporter.id)
    db.add(issue)
    db.flush()
    db.add(IssueSupport(issue_id=issue.id, user_id=user.id))
    db.flush()
    with pytest.raises(sa.exc.IntegrityError):
        _insert(db, "issuesupport", issue_id=issue.id, user_id=user.id, created_at=NOW)


def test_blank_comment_is_rejected(db):
    user = _user(db)
    area = db.exec(select(Area)).first()
    issue = Issue(title="t", body="b", area_id=area.id, reporter_id=user.id)
    db.add(issue)
    db.flush()
    with pytest.raises(sa.exc.IntegrityError):
        db.add(Comment(issue_id=issue.id, author_id=user.id, body=" "))
        db.flush()


def test_town_names_are_unique_within_a_city(db):
    area = db.exec(select(Area)).first()
    with pytest.raises(sa.exc.IntegrityError):
        db.add(Area(city_code=area.city_code, name=area.name, postal_code="2030000", lat=35.0, lng=139.0))
        db.flush()


def test_postal_code_has_seven_digits(db):
    with pytest.raises(sa.exc.IntegrityError):
        db.add(Area(city_code="99999", name="新町", postal_code="203-00", lat=35.0, lng=139.0))
        db.flush()


def test_theme_numbers_and_codes_are_unique(db):
    theme = db.exec(select(Theme)).first()
    with pytest.raises(sa.exc.IntegrityError):
        db.add(Theme(number=theme.number, code="another", name="別のテーマ"))
        db.flush()


def test_timestamps_come_back_as_aware_utc(db):
    jst = timezone(timedelta(hours=9))
    written = datetime(2026, 4, 1, 9, 30, tzinfo=jst)
    user = _user(db, created_at=written)
    db.commit()
    db.expire_all()
    read = db.get(User, user.id).created_at
    assert read.tzinfo is not None
    assert read == written
    assert read.utcoffset() == UTC.utcoffset(None)


def test_naive_timestamps_are_refused(db):
    with pytest.raises(sa.exc.StatementError):
        _user(db, created_at=datetime(2026, 4, 1, 9, 30))
