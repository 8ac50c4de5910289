"""The audit log: every change to organizations, 協議体, agreements and evaluations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import AuditEntry, Membership, User
from .pagination import Page, clamp_page

ORGANIZATION = "organization"
CONSORTIUM = "consortium"
AGREEMENT = "agreement"
EVALUATION = "evaluation"
ISSUE = "issue"
COMMENT = "comment"
ENTITIES = {ORGANIZATION: "団体", CONSORTIUM: "協議体", AGREEMENT: "協定書", EVALUATION: "振り返り",
            ISSUE: "地域課題", COMMENT: "コメント", "ng_word": "NGワード"}


def record(
    session: Session,
    *,
    actor: User | None,
    entity: str,
    entity_id: int,
    action: str,
    summary: str,
    details: dict | None = None,
    proxy: bool = False,
) -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id if actor is not None and actor.id and actor.id > 0 else None,
                       entity=entity, entity_id=entity_id, action=action, summary=summary,
                       details=details or {}, proxy=proxy)
    session.add(entry)
    return entry


def is_proxy(session: Session, *, actor: User | None, org_id: int) -> bool:
    """A staff member acting on an organization they are not a member of (代理入力)."""
    if actor is None or not actor.is_staff:
        return False
    return session.get(Membership, (actor.id, org_id)) is None


def changed_fields(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose values differ (values made JSON-safe)."""
    def safe(value):
        return value if isinstance(value, (str, int, float, bool, type(None), list)) else str(value)

    return {k: [safe(before.get(k)), safe(after.get(k))] for k in after if before.get(k) != after.get(k)}


@dataclass(frozen=True)
class AuditView:
    created_at: datetime
    actor_name: str
    entity: str
    entity_label: str
    entity_id: int
    action: str
    summary: str
    details: dict
    proxy: bool
    detail_rows: list[tuple[str, str]]  # the details in Japanese (audit_details.describe)


def list_entries(
    session: Session, *, entity: str | None = None, entity_id: int | None = None,
    page: int = 1, per_page: int = 50,
) -> Page[AuditView]:
    query = select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.actor_id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    page = clamp_page(page)
    rows = session.exec(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    from .audit_details import describe

    readable = describe(session, [e.details or {} for e, _ in rows])
    items = [
        AuditView(e.created_at, name or "システム", e.entity, ENTITIES.get(e.entity, e.entity), e.entity_id,
                  e.action, e.summary, e.details or {}, e.proxy, detail_rows)
        for (e, name), detail_rows in zip(rows, readable, strict=True)
    ]
    return Page(items, page, per_page, total)


