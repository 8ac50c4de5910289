"""Loading a city's towns, the themes and the demo data; every loader is idempotent."""
from __future__ import annotations

import csv
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

import seed_data

from ..cities import City
from ..models import (
    utcnow,
    Area,
    Chome,
    Issue,
    IssueCreate,
    OrganizationCreate,
    Organization,
    OrgCategory,
    OrgKind,
    RecordSource,
    Role,
    Theme,
    User,
)
from . import changes
from . import issues as issue_service
from . import organizations as org_service
from .passwords import UNUSABLE_PASSWORD

DEMO_REPORTER_EMAIL = "demo-resident@example.invalid"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[what] = target.get(what, 0) + 1


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _upsert(session: Session, report: SeedReport, what: str, touched: list, existing, new, values: dict):
    """Update ``existing`` with ``values`` or add ``new``; returns the row, and appends it to
    ``touched`` when it was added or corrected."""
    if existing is None:
        session.add(new)
        report.count(what, created=True)
        touched.append(new)
        return new
    changed = False
    for key, value in values.items():
        if getattr(existing, key) != value:
            setattr(existing, key, value)
            changed = True
    if changed:
        session.add(existing)
        report.count(what, created=False)
        touched.append(existing)
    return existing


def _log(session: Session, entity: str, touched: list) -> None:
    """Write the rows added or corrected to the change log in the same transaction, so running
    server workers replay them on their next request instead of keeping the old values."""
    session.flush()  # ids of the added rows
    changes.record_many(session, entity=entity, entity_ids=[row.id for row in touched])


def load_city(session: Session, *, city: City, report: SeedReport | None = None) -> SeedReport:
    report = report or SeedReport()
    towns: dict[str, Area] = {}
    touched: list[Area] = []
    for row in _read_csv(city.directory / "towns.csv"):
        values = dict(
            kana=row["kana"], postal_code=row["postal_code"], district=row["district"],
            lat=float(row["lat"]), lng=float(row["lng"]),
        )
        existing = session.exec(
            select(Area).where(Area.city_code == city.code, Area.name == row["name"])
        ).first()
        towns[row["name"]] = _upsert(
            session, report, "towns", touched, existing,
            Area(city_code=city.code, name=row["name"], **values), values,
        )
    _log(session, changes.AREA, touched)
    chome_path = city.directory / "chome.csv"
    touched_chome: list[Chome] = []
    if chome_path.exists():
        for row in _read_csv(chome_path):
            area = towns.get(row["town"])
            if area is None:
                raise ValueError(f"chome.csv: town {row['town']!r} is not in towns.csv")
            values = dict(postal_code=row["postal_code"], lat=float(row["lat"]), lng=float(row["lng"]))
            existing = session.exec(
                select(Chome).where(Chome.area_id == area.id, Chome.name == row["name"])
            ).first()
            _upsert(session, report, "chome", touched_chome, existing,
                    Chome(area_id=area.id, name=row["name"], **values), values)
    _log(session, changes.CHOME, touched_chome)
    return report


def load_themes(session: Session, *, report: SeedReport | None = None) -> SeedReport:
    report = report or SeedReport()
    path = Path(str(seed_data.root())) / "themes.json"
    touched: list[Theme] = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        values = {k: item[k] for k in ("number", "name", "legal_name", "description", "keywords")}
        existing = session.exec(select(Theme).where(Theme.code == item["code"])).first()
        _upsert(session, report, "themes", touched, existing, Theme(code=item["code"], **values), values)
    _log(session, changes.THEME, touched)
    return report


def _demo_reporter(session: Session) -> User:
    user = session.exec(select(User).where(User.email == DEMO_REPORTER_EMAIL)).first()
    if user is None:
        # Inactive and without a usable password: it exists only to own the demo issues.
        user = User(
            email=DEMO_REPORTER_EMAIL, display_name="デモ住民（架空）",
            password_hash=f"{UNUSABLE_PASSWORD}{secrets.token_hex(8)}",
            role=Role.RESIDENT, is_active=False, email_confirmed_at=utcnow(),
        )
        session.add(user)
        session.flush()
    return user


def load_demo(session: Session, *, city: City, report: SeedReport | None = None) -> SeedReport:
    """Fictional organizations and issues, marked as demo; rows are matched by name/title."""
    report = report or SeedReport()
    areas = {a.name: a.id for a in session.exec(select(Area).where(Area.city_code == city.code))}
    if not areas:
        raise ValueError("load the city before the demo data (kyodo seed)")
    themes = {t.code: t.id for t in session.exec(select(Theme))}
    directory = city.demo_directory
    for item in _read_jsonl(directory / "organizations.jsonl"):
        exists = session.exec(
            select(Organization.id).where(
                Organization.name == item["name"], Organization.source == RecordSource.DEMO
            )
        ).first()
        if exists is not None:
            continue
        data = OrganizationCreate(
            kind=OrgKind(item["kind"]), category=OrgCategory(item["category"]),
            name=item["name"], description=item.get("description", ""),
            offers=item.get("offers", ""), needs=item.get("needs", ""),
            area_ids=[_lookup(areas, a, "town") for a in item.get("areas", [])],
            theme_ids=[_lookup(themes, t, "theme") for t in item.get("themes", [])],
        )
        org_service.create_organization(session, data=data, creator=None, source=RecordSource.DEMO)
        report.count("organizations", created=True)
    issues_path = directory / "issues.jsonl"
    if issues_path.exists():
        reporter = _demo_reporter(session)
        for item in _read_jsonl(issues_path):
            exists = session.exec(
                select(Issue.id).where(Issue.title == item["title"], Issue.source == RecordSource.DEMO)
            ).first()
            if exists is not None:
                continue
            data = IssueCreate(
                title=item["title"], body=item["body"], area_id=_lookup(areas, item["area"], "town"),
                theme_ids=[_lookup(themes, t, "theme") for t in item.get("themes", [])],
            )
            issue_service.create_issue(session, data=data, reporter=reporter, source=RecordSource.DEMO)
            report.count("issues", created=True)
    session.flush()
    return report


def _lookup(mapping: dict[str, int], key: str, what: str) -> int:
    try:
        return mapping[key]
    except KeyError:
        raise ValueError(f"demo data names an unknown {what}: {key!r}") from None
