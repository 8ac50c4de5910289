"""The change log that versions the matching and search indexes held by each server worker."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import IndexChange

ORGANIZATION = "organization"
ISSUE = "issue"


def record(session: Session, *, entity: str, entity_id: int) -> None:
    session.add(IndexChange(entity=entity, entity_id=entity_id))


def current_version(session: Session) -> int:
    return session.exec(select(sa.func.coalesce(sa.func.max(IndexChange.id), 0))).one()


def changed_since(session: Session, *, version: int) -> tuple[int, set[int], set[int]]:
    """(new version, organization ids, issue ids) changed after ``version``."""
    rows = session.exec(
        select(IndexChange.id, IndexChange.entity, IndexChange.entity_id)
        .where(IndexChange.id > version)
        .order_by(IndexChange.id)
    ).all()
    orgs = {entity_id for _, entity, entity_id in rows if entity == ORGANIZATION}
    issues = {entity_id for _, entity, entity_id in rows if entity == ISSUE}
    return (rows[-1][0] if rows else version), orgs, issues
