"""The change log that versions the matching and search indexes held by each server worker."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import IndexChange

ORGANIZATION = "organization"
ISSUE = "issue"
EVERYTHING = "everything"  # `kyodo refit-index`: every worker refits from scratch


def record(session: Session, *, entity: str, entity_id: int) -> None:
    session.add(IndexChange(entity=entity, entity_id=entity_id))


def current_version(session: Session) -> int:
    return session.exec(select(sa.func.coalesce(sa.func.max(IndexChange.id), 0))).one()


def request_refit(session: Session) -> None:
    record(session, entity=EVERYTHING, entity_id=0)


def changed_since(session: Session, *, version: int) -> tuple[int, set[int], set[int], bool]:
    """(new version, organization ids, issue ids changed after ``version``, whether a full refit
    was requested)."""
    rows = session.exec(
        select(IndexChange.id, IndexChange.entity, IndexChange.entity_id)
        .where(IndexChange.id > version)
        .order_by(IndexChange.id)
    ).all()
    orgs = {entity_id for _, entity, entity_id in rows if entity == ORGANIZATION}
    issues = {entity_id for _, entity, entity_id in rows if entity == ISSUE}
    refit = any(entity == EVERYTHING for _, entity, _ in rows)
    return (rows[-1][0] if rows else version), orgs, issues, refit
