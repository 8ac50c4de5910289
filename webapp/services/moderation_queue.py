"""The staff moderation queue and one item's case page (the rules are in services/moderation.py)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import ContentReport, ModerationCase, ReportReason, User, utcnow
from . import audit
from .errors import NotFound
from .moderation import ACTIONS, CAUSES, COMMENT, ISSUE, LABELS, MODELS, _check_entity, _title, link


@dataclass(frozen=True)
class ReportView:
    reason: ReportReason
    text: str
    reporter_name: str
    created_at: datetime


@dataclass(frozen=True)
class QueueItem:
    entity: str
    entity_id: int
    label: str
    title: str
    link: str
    hidden: bool
    hidden_reason: str
    needs_review: bool
    cause: str  # CAUSES label
    open_reports: int
    reasons: list[tuple[str, int]]  # open reports by reason label
    updated_at: datetime
    version: int


def _items(session: Session, keys: list[tuple[str, int]]) -> dict[tuple[str, int], object]:
    out = {}
    for entity, model in MODELS.items():
        ids = [i for e, i in keys if e == entity]
        if ids:
            out.update({(entity, row.id): row for row in session.exec(select(model).where(model.id.in_(ids)))})
    return out


def _queue_items(session: Session, cases: list[ModerationCase]) -> list[QueueItem]:
    keys = [(c.entity, c.entity_id) for c in cases]
    items = _items(session, keys)
    counts: dict[tuple[str, int], Counter] = {}
    if cases:
        for entity in MODELS:
            ids = [c.entity_id for c in cases if c.entity == entity]
            if not ids:
                continue
            for entity_id, reason, n in session.exec(
                    select(ContentReport.entity_id, ContentReport.reason, sa.func.count())
                    .where(ContentReport.entity == entity, ContentReport.entity_id.in_(ids))
                    .group_by(ContentReport.entity_id, ContentReport.reason)):
                counts.setdefault((entity, entity_id), Counter())[reason] += n
    out = []
    for c in cases:
        item = items.get((c.entity, c.entity_id))
        if item is None:
            continue  # deleted since (a comment with its issue, an account's posts)
        by_reason = counts.get((c.entity, c.entity_id), Counter())
        out.append(QueueItem(
            c.entity, c.entity_id, LABELS[c.entity], _title(session, c.entity, item),
            link(session, entity=c.entity, entity_id=c.entity_id), c.hidden, c.hidden_reason, c.needs_review,
            CAUSES.get(c.cause, c.cause), c.open_reports,
            [(r.label, by_reason[r]) for r in ReportReason if by_reason[r]], c.updated_at, c.version))
    return out


def queue(session: Session, *, limit: int = 200) -> tuple[list[QueueItem], list[QueueItem]]:
    """(waiting for staff, hidden and already decided), newest first."""
    waiting = session.exec(select(ModerationCase).where(ModerationCase.needs_review.is_(True))
                           .order_by(ModerationCase.updated_at.desc(), ModerationCase.id.desc()).limit(limit)).all()
    hidden = session.exec(select(ModerationCase).where(ModerationCase.needs_review.is_(False),
                                                       ModerationCase.hidden.is_(True))
                          .order_by(ModerationCase.updated_at.desc(), ModerationCase.id.desc()).limit(limit)).all()
    return _queue_items(session, list(waiting)), _queue_items(session, list(hidden))


@dataclass(frozen=True)
class CaseDetail:
    item: QueueItem
    texts: list[tuple[str, str]]  # (field label, text) as stored
    author_name: str
    reports: list[ReportView]
    history: list[audit.AuditView]


def case_detail(session: Session, *, entity: str, entity_id: int) -> CaseDetail:
    """Everything staff need to decide on one item (it need not have been reported)."""
    _check_entity(entity)
    row = session.get(MODELS[entity], entity_id)
    if row is None:
        raise NotFound(f"{LABELS[entity]}が見つかりませんでした。")
    case = session.exec(select(ModerationCase).where(
        ModerationCase.entity == entity, ModerationCase.entity_id == entity_id)).first()
    case = case or ModerationCase(entity=entity, entity_id=entity_id, updated_at=utcnow())
    item = _queue_items(session, [case])[0]
    if entity == ISSUE:
        texts, author = [("タイトル", row.title), ("内容", row.body)], session.get(User, row.reporter_id)
    elif entity == COMMENT:
        texts, author = [("コメント", row.body)], session.get(User, row.author_id)
    else:
        texts = [("団体名", row.name), ("団体の紹介", row.description), ("提供できること", row.offers),
                 ("求めていること", row.needs), ("公開の連絡先", row.public_contact or ""), ("ウェブサイト", row.website or "")]
        author = None
    reports = [ReportView(r.reason, r.text, name, r.created_at) for r, name in session.exec(
        select(ContentReport, User.display_name).join(User, User.id == ContentReport.reporter_id)
        .where(ContentReport.entity == entity, ContentReport.entity_id == entity_id)
        .order_by(ContentReport.created_at.desc(), ContentReport.id.desc()))]
    from .personal_info import NG_WORD_POSTED_ANYWAY, POSTED_ANYWAY

    history = [e for e in audit.list_entries(session, entity=entity, entity_id=entity_id, per_page=100).items
               if e.action in ACTIONS or e.action in (POSTED_ANYWAY, NG_WORD_POSTED_ANYWAY)]
    return CaseDetail(item, texts, author.display_name if author else "団体のメンバー", reports, history)
