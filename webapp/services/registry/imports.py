"""Planning an import (per-row errors, suggested themes, possible duplicates) and storing it."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from ...models import Organization, RecordSource, RegisterUpload, User
from .. import audit, locks, places, suggestions
from ..errors import Conflict
from ..organizations import create_organization
from .columns import mapping_errors
from .names import name_key
from .rows import Options, ParsedRow, ThemeName, Town, Vocabulary, parse_row
from .tables import Table

SUGGESTED_THEMES = 3


@dataclass(frozen=True)
class Duplicate:
    """A possible earlier registration: an organization in the database, or an earlier row."""

    name: str
    organization_id: int | None = None
    row_number: int | None = None


@dataclass
class PlannedRow:
    number: int
    parsed: ParsedRow
    theme_names: list[str]
    suggested_theme_ids: list[int]
    suggested_theme_names: list[str]
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return self.parsed.errors

    @property
    def status(self) -> str:
        return "error" if self.errors else "duplicate" if self.duplicates else "ready"


@dataclass
class ImportPlan:
    rows: list[PlannedRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def error_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.errors]

    @property
    def duplicate_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.duplicates]


@dataclass(frozen=True)
class ImportResult:
    created: list[tuple[int, int, str]]  # (row number, organization id, name)
    skipped_errors: list[int]
    skipped_duplicates: list[int]


class ImportRejected(Conflict):
    """Some rows have errors and the import was asked to be all or nothing."""


def vocabulary(session: Session, *, city_name: str, city_code: str | None = None) -> Vocabulary:
    towns = tuple(Town(a.id, a.name, a.kana) for a in places.list_areas(session, city_code=city_code))
    themes = tuple(ThemeName(t.id, t.number, t.code, t.name, t.legal_name) for t in places.list_themes(session))
    return Vocabulary(city_name, towns, themes)


def plan_import(
    session: Session, *, table: Table, mapping: list[str], options: Options, vocabulary: Vocabulary,
    suggestion_cache: dict[str, list[int]] | None = None,
) -> ImportPlan:
    """Every row parsed and checked against the database; nothing is written. Theme suggestions
    are looked up in (and added to) ``suggestion_cache``, keyed by a hash of each row's text."""
    if problems := mapping_errors(mapping):
        raise Conflict(next(iter(problems.values())))
    theme_names = {t.id: t.name for t in vocabulary.themes}
    registered = _registered_names(session)
    seen_in_file: dict[str, tuple[int, str]] = {}
    rows = []
    for row in table.rows:
        parsed = parse_row(table.headers, row.cells, mapping, vocabulary=vocabulary, options=options)
        suggested = _suggest(session, parsed.text, suggestion_cache) if parsed.text else []
        planned = PlannedRow(
            number=row.number, parsed=parsed,
            theme_names=[theme_names[i] for i in parsed.theme_ids],
            suggested_theme_ids=suggested,
            suggested_theme_names=[theme_names[i] for i in suggested if i in theme_names],
        )
        key = name_key(parsed.name) if parsed.name else ""
        if key:
            planned.duplicates = [Duplicate(name, organization_id=org_id) for org_id, name in registered.get(key, [])]
            if key in seen_in_file:
                number, name = seen_in_file[key]
                planned.duplicates.append(Duplicate(name, row_number=number))
            seen_in_file.setdefault(key, (row.number, parsed.name))
        rows.append(planned)
    return ImportPlan(rows)


def _suggest(session: Session, text: str, cache: dict[str, list[int]] | None) -> list[int]:
    # About 10 ms a row: a preview, its confirmation and a return from the mapping page would
    # otherwise each pay it again for the same rows.
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    if cache is not None and key in cache:
        return list(cache[key])
    ids = suggestions.suggest_theme_ids(session, text=text, k=SUGGESTED_THEMES)
    if cache is not None:
        cache[key] = ids
    return ids


def _registered_names(session: Session) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for org_id, name in session.exec(select(Organization.id, Organization.name).order_by(Organization.id)):
        out.setdefault(name_key(name), []).append((org_id, name))
    return out


def claim_upload(session: Session, *, token: str, by_user: User) -> None:
    """Mark an upload as imported, once: a confirm sent twice (or from two tabs) waits for the
    first and is then refused, instead of creating every organization again."""
    locks.hold_key(session, f"register-upload:{token}")
    if session.get(RegisterUpload, token) is not None:
        raise Conflict("このファイルはすでに取り込まれています。団体の一覧で結果を確かめてください。")
    session.add(RegisterUpload(token=token, imported_by_id=by_user.id))


def apply_import(
    session: Session,
    *,
    plan: ImportPlan,
    actor: User | None,
    filename: str,
    only_valid: bool = False,
    include_rows: Iterable[int] = (),
    use_suggested_themes: bool = True,
) -> ImportResult:
    """Create the organizations of a plan (all or nothing unless ``only_valid``); possible
    duplicates only when their row number is in ``include_rows``. Flushes, never commits."""
    if plan.error_rows and not only_valid:
        raise ImportRejected(
            f"{len(plan.error_rows)}行にエラーがあるため、1件も取り込みませんでした。"
            "ファイルを直して取り込み直すか、「エラーのない行だけ取り込む」を選んでください。"
        )
    wanted = set(include_rows)
    created, skipped_errors, skipped_duplicates = [], [], []
    for row in plan.rows:
        if row.errors:
            skipped_errors.append(row.number)
            continue
        if row.duplicates and row.number not in wanted:
            skipped_duplicates.append(row.number)
            continue
        theme_ids, themes_from = row.parsed.theme_ids, "file"
        if not theme_ids:
            theme_ids, themes_from = (row.suggested_theme_ids, "suggested") if use_suggested_themes else ([], "none")
        org = create_organization(
            session, data=row.parsed.data.model_copy(update={"theme_ids": theme_ids}),
            creator=None, source=RecordSource.IMPORT, actor=actor,
        )
        audit.record(
            session, actor=actor, entity=audit.ORGANIZATION, entity_id=org.id, action="import",
            summary=f"名簿から取り込み: {org.name}（{filename} の{row.number}行目）",
            details={
                "file": filename, "row": row.number, "themes": themes_from,
                "theme_ids": list(theme_ids),
                "possible_duplicate_of": [d.organization_id for d in row.duplicates if d.organization_id],
            },
        )
        created.append((row.number, org.id, org.name))
    session.flush()
    return ImportResult(created, skipped_errors, skipped_duplicates)
