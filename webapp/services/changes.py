"""The change log that versions the matching and search indexes held by each server worker.

Each change takes the next version from the single ChangeLogVersion row inside the writing
transaction. That row's lock orders writers, so once a reader sees version N every change up to
N has committed (or rolled back, and N was taken again): a worker that replays versions above its
own never skips a change that commits late, as following ids did (PostgreSQL commits ids out of
order). Readers use their own session, outside any request's uncommitted writes."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import ChangeLogVersion, IndexChange, utcnow

ORGANIZATION = "organization"
ISSUE = "issue"
# Seed rows `kyodo seed` adds or corrects; an index replays the kinds it holds data from.
AREA = "area"
CHOME = "chome"
THEME = "theme"
EVERYTHING = "everything"  # `kyodo refit-index`: every worker refits from scratch
KEEP = timedelta(days=7)  # a worker further behind than this refits instead of replaying
_COUNTER = ChangeLogVersion.__table__


def record(session: Session, *, entity: str, entity_id: int) -> None:
    """Log a change to any kind of entity (its name, up to 20 characters, and id)."""
    session.add(IndexChange(version=_next_version(session), entity=entity, entity_id=entity_id))


def record_many(session: Session, *, entity: str, entity_ids: Iterable[int]) -> None:
    """Log changes to many rows of one kind under a single version (`kyodo seed`)."""
    ids = sorted(set(entity_ids))
    if ids:
        version = _next_version(session)
        session.add_all([IndexChange(version=version, entity=entity, entity_id=i) for i in ids])


def _next_version(session: Session) -> int:
    version = session.execute(
        sa.update(_COUNTER).where(_COUNTER.c.id == 1).values(version=_COUNTER.c.version + 1)
        .returning(_COUNTER.c.version)
    ).scalar_one_or_none()
    if version is None:  # a database whose counter row was never made (created without migrations)
        session.execute(sa.insert(_COUNTER).values(id=1, version=1))
        version = 1
    return version


def current_version(session: Session) -> int:
    """The latest committed version, read on a session of its own."""
    with Session(session.get_bind()) as own:
        return version_seen(own)


def version_seen(session: Session) -> int:
    """The version as ``session`` sees it: on PostgreSQL the latest committed (each statement
    reads committed data), on SQLite as of the session's first read. No connection of its own,
    for a check on every page view that tolerates a version a moment old."""
    return session.exec(select(ChangeLogVersion.version).where(ChangeLogVersion.id == 1)).first() or 0


def request_refit(session: Session) -> None:
    record(session, entity=EVERYTHING, entity_id=0)


def changed_since(session: Session, *, version: int, upto: int) -> tuple[dict[str, set[int]], bool]:
    """The ids changed after ``version`` up to ``upto``, by entity kind, and whether a full refit
    is needed (one was requested, or the entries in between were pruned)."""
    rows = session.exec(
        select(IndexChange.version, IndexChange.entity, IndexChange.entity_id)
        .where(IndexChange.version > version, IndexChange.version <= upto)
        .order_by(IndexChange.version)
    ).all()
    changed: dict[str, set[int]] = defaultdict(set)
    for _, entity, entity_id in rows:
        changed[entity].add(entity_id)
    oldest = rows[0][0] if rows else None
    pruned = upto > version and (oldest is None or oldest > version + 1)
    return changed, pruned or EVERYTHING in changed


def prune(session: Session, *, keep: timedelta = KEEP) -> int:
    """Delete entries older than ``keep`` (`kyodo tick`); returns how many went."""
    result = session.execute(sa.delete(IndexChange).where(IndexChange.created_at < utcnow() - keep))
    return result.rowcount or 0
