"""Checks and lookups shared by the services."""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from .errors import NotFound

# SQLite refuses a statement with more than 32,766 bound values and psycopg one with more than
# 65,535: the ids of every organization of a large registry (300,000) are looked up in slices.
IN_SLICE = 10_000


def in_slices(ids: Iterable[int]) -> list[list[int]]:
    """The ids in lists of at most IN_SLICE, each few enough for one `IN (...)`."""
    ids = list(ids)
    return [ids[i: i + IN_SLICE] for i in range(0, len(ids), IN_SLICE)]


def require_row(session: Session, model, row_id: int, *, what: str):
    """The row of ``model`` with this id; NotFound (「…が見つかりませんでした。」) if there is none."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{what}が見つかりませんでした。")
    return row


def require_existing(session: Session, model, ids: Iterable[int], *, what: str, field: str | None = None) -> set[int]:
    """The ids, as a set, once every one is a row of ``model``; NotFound names those that are not."""
    wanted = set(ids)
    if wanted:
        found = set(session.exec(select(model.id).where(model.id.in_(wanted))).all())
        if missing := wanted - found:
            raise NotFound(f"存在しない{what}が指定されました（{sorted(missing)}）。", field=field)
    return wanted
