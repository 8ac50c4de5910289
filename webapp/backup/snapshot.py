"""What a backend's dump read, in the same snapshot as the payload it wrote."""
from __future__ import annotations

from dataclasses import dataclass

from .tables import TableSummary


@dataclass(frozen=True)
class Snapshot:
    alembic_revision: str | None
    schema: str | None
    tables: dict[str, TableSummary]
