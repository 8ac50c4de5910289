"""Public data as CSV and JSON (open data): organizations, issues, 協議体, agreements, evaluations.

Only what the public pages show: never private contacts, members' e-mail addresses, password
hashes, who signed or submitted, or a reporter's name unless they chose to show it."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    Agreement,
    AgreementRole,
    AgreementSignature,
    AgreementStatus,
    Area,
    Consortium,
    ConsortiumArea,
    ConsortiumIssue,
    ConsortiumMember,
    ConsortiumTheme,
    Evaluation,
    InvitationStatus,
    Issue,
    IssueSupport,
    IssueTheme,
    Organization,
    OrganizationArea,
    OrganizationTheme,
    Principle,
    PrincipleRating,
    Theme,
    User,
)
from . import clock, moderation
from .issues import ANONYMOUS_REPORTER

KINDS = ("organizations", "issues", "consortia", "agreements", "evaluations")
LABELS = {"organizations": "団体", "issues": "地域課題", "consortia": "協議体", "agreements": "協定書",
          "evaluations": "振り返り"}
LIST_SEPARATOR = "、"
# A cell starting with one of these is run as a formula by Excel (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: str
    cell: Callable[[dict], object]


def _key(name: str) -> Callable[[dict], object]:
    return lambda record: record[name]


def _joined(name: str, part: Callable[[object], str] = str) -> Callable[[dict], str]:
    return lambda record: LIST_SEPARATOR.join(part(x) for x in record[name])


# ---------------------------------------------------------------- records (the JSON shape)
def records(session: Session, kind: str) -> list[dict]:
    """Every public record of a kind as a JSON-ready dict, ordered by id."""
    if kind not in KINDS:
        raise ValueError(f"unknown export kind: {kind}")
    return _BUILDERS[kind](session)


def _names(session: Session, link, owner: str, target, order) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    owner_column = getattr(link, owner)
    target_column = getattr(link, "area_id" if target is Area else "theme_id")
    for owner_id, name in session.exec(
        select(owner_column, target.name).join(target, target.id == target_column).order_by(owner_column, order)
    ):
        out.setdefault(owner_id, []).append(name)
    return out


def _iso(value) -> str | None:
    return clock.iso(value)


def _organizations(session: Session) -> list[dict]:
    towns = _names(session, OrganizationArea, "organization_id", Area, Area.postal_code)
    themes = _names(session, OrganizationTheme, "organization_id", Theme, Theme.number)
    return [
        {
            "id": o.id, "name": o.name, "kind": o.kind.value, "kind_label": o.kind.label,
            "category": o.category.value, "category_label": o.category.label,
            "status": o.status.value, "status_label": o.status.label, "description": o.description,
            "offers": o.offers, "needs": o.needs, "towns": towns.get(o.id, []), "themes": themes.get(o.id, []),
            "member_count": o.member_count, "activity_days": o.activity_days, "capacity": o.capacity,
            "public_contact": o.public_contact, "website": o.website, "source": o.source.value,
            "source_label": o.source.label, "created_at": _iso(o.created_at), "updated_at": _iso(o.updated_at),
            "verified": o.verified, "verified_at": _iso(o.verified_at),
        }
        for o in session.exec(select(Organization).where(moderation.visible(Organization)).order_by(Organization.id))
    ]


def _issues(session: Session) -> list[dict]:
    themes = _names(session, IssueTheme, "issue_id", Theme, Theme.number)
    supports = dict(session.exec(
        select(IssueSupport.issue_id, sa.func.count()).group_by(IssueSupport.issue_id)
    ).all())
    rows = session.exec(
        select(Issue, Area.name, User.display_name)
        .join(Area, Area.id == Issue.area_id).join(User, User.id == Issue.reporter_id)
        .where(moderation.visible(Issue)).order_by(Issue.id)
    )
    return [
        {
            "id": i.id, "title": i.title, "body": i.body, "town": town, "status": i.status.value,
            "status_label": i.status.label, "themes": themes.get(i.id, []),
            "reporter": reporter if i.show_reporter_name else ANONYMOUS_REPORTER,
            "supports": supports.get(i.id, 0), "source": i.source.value,
            "created_at": _iso(i.created_at), "updated_at": _iso(i.updated_at),
        }
        for i, town, reporter in rows
    ]


def _consortia(session: Session) -> list[dict]:
    towns = _names(session, ConsortiumArea, "consortium_id", Area, Area.postal_code)
    themes = _names(session, ConsortiumTheme, "consortium_id", Theme, Theme.number)
    issues: dict[int, list[int]] = {}
    for consortium_id, issue_id in session.exec(
        select(ConsortiumIssue.consortium_id, ConsortiumIssue.issue_id).order_by(ConsortiumIssue.issue_id)
    ):
        issues.setdefault(consortium_id, []).append(issue_id)
    members: dict[int, list[dict]] = {}
    # The public page lists accepted members only; invitations and answers stay among those involved.
    rows = session.exec(
        select(ConsortiumMember.consortium_id, Organization.id, Organization.name, Organization.kind)
        .join(Organization, Organization.id == ConsortiumMember.organization_id)
        .where(ConsortiumMember.status == InvitationStatus.ACCEPTED)
        .order_by(Organization.name)
    ).all()
    shown = moderation.shown_org_names(session, {org_id: name for _, org_id, name, _ in rows}, viewer=None)
    for consortium_id, org_id, _, kind in rows:
        members.setdefault(consortium_id, []).append({"organization_id": org_id, "name": shown[org_id], "kind": kind.value})
    return [
        {
            "id": c.id, "name": c.name, "purpose": c.purpose, "domain": c.domain.value,
            "domain_label": c.domain.label, "status": c.status.value, "status_label": c.status.label,
            "start_date": _iso(c.start_date), "end_date": _iso(c.end_date),
            "towns": towns.get(c.id, []), "themes": themes.get(c.id, []), "issue_ids": issues.get(c.id, []),
            "members": members.get(c.id, []), "created_at": _iso(c.created_at),
        }
        for c in session.exec(select(Consortium).order_by(Consortium.id))
    ]


# Drafts are still being written by the members; what was put up for signature is public.
PUBLIC_AGREEMENT_STATUSES = (AgreementStatus.SIGNING, AgreementStatus.SIGNED, AgreementStatus.SUPERSEDED)


def _public_org_names(session: Session) -> dict[int, str]:
    return moderation.shown_org_names(session, dict(session.exec(select(Organization.id, Organization.name)).all()),
                                      viewer=None)


def _agreements(session: Session) -> list[dict]:
    org_names = _public_org_names(session)
    roles: dict[int, list[dict]] = {}
    for r in session.exec(select(AgreementRole).order_by(AgreementRole.organization_id)):
        roles.setdefault(r.agreement_id, []).append({
            "organization_id": r.organization_id, "organization": org_names.get(r.organization_id, ""),
            "role": r.role, "responsibilities": r.responsibilities, "form": r.form.value, "form_label": r.form.label,
        })
    signatures: dict[int, list[dict]] = {}
    for s in session.exec(select(AgreementSignature).order_by(AgreementSignature.signed_at)):
        signatures.setdefault(s.agreement_id, []).append({
            "organization_id": s.organization_id, "organization": org_names.get(s.organization_id, ""),
            "signed_at": _iso(s.signed_at), "proxy": s.proxy,
        })
    rows = session.exec(
        select(Agreement, Consortium.name).join(Consortium, Consortium.id == Agreement.consortium_id)
        .where(Agreement.status.in_(PUBLIC_AGREEMENT_STATUSES)).order_by(Agreement.id)
    )
    return [
        {
            "id": a.id, "consortium_id": a.consortium_id, "consortium": consortium, "version": a.version,
            "status": a.status.value, "status_label": a.status.label, "purpose": a.purpose,
            "period_start": _iso(a.period_start), "period_end": _iso(a.period_end),
            "cost_sharing": a.cost_sharing, "disclosure": a.disclosure,
            "roles": roles.get(a.id, []), "signatures": signatures.get(a.id, []),
        }
        for a, consortium in rows
    ]


def _evaluations(session: Session) -> list[dict]:
    ratings: dict[int, dict[str, dict]] = {}
    for r in session.exec(select(PrincipleRating)):
        ratings.setdefault(r.evaluation_id, {})[r.principle.value] = {"score": r.score, "comment": r.comment}
    org_names = _public_org_names(session)
    rows = session.exec(
        select(Evaluation, Consortium.name).join(Consortium, Consortium.id == Evaluation.consortium_id)
        .order_by(Evaluation.id)
    )
    return [
        {
            "id": e.id, "consortium_id": e.consortium_id, "consortium": consortium, "side": e.side.value,
            "side_label": e.side.label, "organization_id": e.organization_id,
            "organization": org_names.get(e.organization_id, "") if e.organization_id else "",
            "goal_score": e.goal_score, "goal_comment": e.goal_comment, "cost_score": e.cost_score,
            "cost_comment": e.cost_comment, "lessons": e.lessons,
            "principles": {p.value: ratings.get(e.id, {}).get(p.value) for p in Principle},
            "created_at": _iso(e.created_at),
        }
        for e, consortium in rows
    ]


_BUILDERS = {"organizations": _organizations, "issues": _issues, "consortia": _consortia,
             "agreements": _agreements, "evaluations": _evaluations}


# ---------------------------------------------------------------- CSV columns (Japanese headers)
def _members(m: dict) -> str:
    return m["name"]


def _role(r: dict) -> str:
    return f"{r['organization']}（{r['form_label']}）: {r['role']}"


def _signature(s: dict) -> str:
    return f"{s['organization']}（{s['signed_at'][:10]}{'・市職員が代理で署名' if s.get('proxy') else ''}）"


def _principle(code: str, part: str) -> Callable[[dict], object]:
    return lambda record: (record["principles"][code] or {}).get(part, "")


# Headers an import guesses back (団体名, 種類, 区分, 活動内容, …), so an export can be re-imported.
COLUMNS: dict[str, list[Column]] = {
    "organizations": [
        Column("ID", _key("id")), Column("団体名", _key("name")), Column("種類", _key("kind_label")),
        Column("区分", _key("category_label")), Column("状態", _key("status_label")),
        Column("活動内容", _key("description")), Column("提供できること", _key("offers")),
        Column("求めていること", _key("needs")), Column("活動している町", _joined("towns")),
        Column("テーマ", _joined("themes")), Column("会員数", _key("member_count")),
        Column("活動日", _key("activity_days")), Column("同時に参加できる協議体の数", _key("capacity")),
        Column("公開連絡先", _key("public_contact")), Column("ウェブサイト", _key("website")),
        Column("登録のしかた", _key("source_label")), Column("登録日時", _key("created_at")),
        Column("更新日時", _key("updated_at")),
        Column("市の確認", lambda r: "確認済み" if r["verified"] else "未確認"),
    ],
    "issues": [
        Column("ID", _key("id")), Column("件名", _key("title")), Column("内容", _key("body")),
        Column("町名", _key("town")), Column("状態", _key("status_label")), Column("テーマ", _joined("themes")),
        Column("投稿者", _key("reporter")), Column("共感", _key("supports")), Column("投稿日時", _key("created_at")),
        Column("更新日時", _key("updated_at")),
    ],
    "consortia": [
        Column("ID", _key("id")), Column("協議体名", _key("name")), Column("目的", _key("purpose")),
        Column("協働の領域", _key("domain_label")), Column("状態", _key("status_label")),
        Column("開始日", _key("start_date")), Column("終了日", _key("end_date")),
        Column("町名", _joined("towns")), Column("テーマ", _joined("themes")),
        Column("地域課題ID", _joined("issue_ids")), Column("参加団体", _joined("members", _members)),
    ],
    "agreements": [
        Column("ID", _key("id")), Column("協議体ID", _key("consortium_id")), Column("協議体名", _key("consortium")),
        Column("版", _key("version")), Column("状態", _key("status_label")), Column("目的", _key("purpose")),
        Column("期間の始まり", _key("period_start")), Column("期間の終わり", _key("period_end")),
        Column("費用の分担", _key("cost_sharing")), Column("情報公開", _key("disclosure")),
        Column("役割と協働の形態", _joined("roles", _role)), Column("署名", _joined("signatures", _signature)),
    ],
    "evaluations": [
        Column("ID", _key("id")), Column("協議体ID", _key("consortium_id")), Column("協議体名", _key("consortium")),
        Column("立場", _key("side_label")), Column("団体", _key("organization")),
        Column("目標の達成（1〜5）", _key("goal_score")), Column("目標についてのコメント", _key("goal_comment")),
        Column("費用対効果（1〜5）", _key("cost_score")), Column("費用についてのコメント", _key("cost_comment")),
        *[c for p in Principle for c in (Column(f"{p.label}（1〜5）", _principle(p.value, "score")),
                                         Column(f"{p.label}へのコメント", _principle(p.value, "comment")))],
        Column("教訓", _key("lessons")), Column("提出日時", _key("created_at")),
    ],
}


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(kind: str, items: list[dict]) -> bytes:
    """UTF-8 with a BOM (so Excel reads the Japanese), one header row, one row per record."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    columns = COLUMNS[kind]
    writer.writerow([c.label for c in columns])
    for record in items:
        writer.writerow([_csv_cell(c.cell(record)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def to_json(items: list[dict]) -> bytes:
    return json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8")


def render(session: Session, *, kind: str, fmt: str) -> bytes:
    """One export file's content; ``fmt`` is "csv" or "json"."""
    items = records(session, kind)
    if fmt == "csv":
        return to_csv(kind, items)
    if fmt == "json":
        return to_json(items)
    raise ValueError(f"unknown export format: {fmt}")
