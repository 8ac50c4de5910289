"""Test data built through the same services the app uses, committed so requests can see it."""
from __future__ import annotations

import itertools

from sqlmodel import select

from webapp.models import (
    Area,
    IssueCreate,
    OrganizationCreate,
    OrgCategory,
    OrgKind,
    Role,
    Theme,
)
import pyotp

from webapp.cities import resolve_city
from webapp.config import DEFAULT_CITY
from webapp.services import accounts, issues, legal, organizations, two_factor

from . import totp
from .webclient import DEFAULT_PASSWORD

# Every staff account the tests make enrols this TOTP secret, so a browser test can answer the
# second login step (tests/e2e/actions.py) without reading the database.
STAFF_TOTP_SECRET = pyotp.random_base32()

_counter = itertools.count(1)


class Factory:
    def __init__(self, session):
        self.session = session

    def area(self, name: str = "滝山") -> Area:
        return self.session.exec(select(Area).where(Area.name == name)).one()

    def theme(self, code: str) -> Theme:
        return self.session.exec(select(Theme).where(Theme.code == code)).one()

    def user(self, *, email=None, display_name=None, role=Role.RESIDENT, password=DEFAULT_PASSWORD,
             confirmed=True):
        """A confirmed account that accepted the current 利用規約 (as after a completed registration)."""
        n = next(_counter)
        user = accounts.register_user(
            self.session,
            email=email or f"user{n}@example.jp",
            display_name=display_name or f"利用者{n}",
            password=password,
            role=role,
            hash_profile="fast",
            confirmed=confirmed,
            consents=legal.current_versions(resolve_city(DEFAULT_CITY).directory),
        )
        self.session.commit()
        return user

    def staff(self, **kwargs):
        """A staff account with TOTP enrolled (AuthActions.login answers the second step)."""
        user = self.user(role=Role.STAFF, **kwargs)
        secret = STAFF_TOTP_SECRET
        two_factor.enable(self.session, user=user, secret=secret, code=totp.enrol_code(secret))
        self.session.commit()
        return user

    def organization(self, *, owner=None, kind=OrgKind.THEMATIC, towns=("滝山",), **fields):
        n = next(_counter)
        category = OrgCategory.JICHIKAI if kind == OrgKind.TERRITORIAL else OrgCategory.VOLUNTARY
        data = OrganizationCreate(
            kind=kind,
            category=fields.pop("category", category),
            name=fields.pop("name", f"テスト団体{n}"),
            area_ids=[self.area(t).id for t in towns],
            **fields,
        )
        org = organizations.create_organization(self.session, data=data, creator=owner)
        self.session.commit()
        return org

    def issue(self, *, reporter, town="滝山", title=None, body="近所の高齢者の見守りが必要です。", **fields):
        n = next(_counter)
        data = IssueCreate(
            title=title or f"テスト課題{n}", body=body, area_id=self.area(town).id, **fields
        )
        issue = issues.create_issue(self.session, data=data, reporter=reporter)
        self.session.commit()
        return issue
