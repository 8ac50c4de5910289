"""`kyodo import-orgs` (a register of organizations, all rows or none) and `kyodo export DIR`."""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..db import session_scope
from ..models import OrgCategory
from ..services import exports
from ..services.registry import imports
from ..services.registry.columns import (
    BY_KEY,
    IGNORE,
    apply_overrides,
    guess_mapping,
    mapping_errors,
)
from ..services.registry.rows import Options
from ..services.registry.tables import UnreadableFile, read_table
from . import settings as settings_module

TARGET_HELP = ", ".join(f"{t.key}（{t.label}）" for t in BY_KEY.values())


def _overrides(value: str) -> dict:
    """--mapping: inline JSON, or the path of a JSON file."""
    text = Path(value).read_text("utf-8") if os.path.isfile(value) else value
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"JSON として読めません（{error.msg}）。", param_hint="--mapping") from None
    if not isinstance(overrides, dict):
        raise click.BadParameter('{"見出し": "name", ...} の形にしてください。', param_hint="--mapping")
    return overrides


@click.command("import-orgs")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", "mapping_json",
              help='列の対応を上書き: {"見出し": "取り込み先", ...}（JSON、または JSON ファイルのパス）。'
                   f"取り込み先: {TARGET_HELP}。null で取り込まない。")
@click.option("--default-category", type=click.Choice([c.value for c in OrgCategory]),
              help="区分が分からない行の区分 / category for rows that do not say.")
@click.option("--citywide-if-empty", is_flag=True, help="町名が空の行は市内全域 / rows without towns work citywide.")
@click.option("--include-duplicates", is_flag=True,
              help="登録済みの団体と同じ名前とみられる行も取り込む / also import possible duplicates.")
@click.option("--no-suggested-themes", is_flag=True,
              help="テーマが空の行におすすめのテーマを登録しない / do not store suggested themes.")
@click.option("--dry-run", is_flag=True, help="確認だけして保存しない / check only, store nothing.")
def import_orgs(file, mapping_json, default_category, citywide_if_empty, include_duplicates,
                no_suggested_themes, dry_run) -> None:
    """団体の名簿（CSV・.xlsx）を取り込む。1行でもエラーがあれば何も保存しない / import a register, all rows or none."""
    try:
        table = read_table(Path(file).read_bytes())
    except UnreadableFile as error:
        raise click.ClickException(str(error)) from None
    mapping = guess_mapping(table.headers)
    if mapping_json:
        try:
            mapping = apply_overrides(table.headers, mapping, _overrides(mapping_json))
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--mapping") from None
    click.echo("列の対応: " + "、".join(
        f"「{h}」→{BY_KEY[k].label}" for h, k in zip(table.headers, mapping) if k != IGNORE))
    if problems := mapping_errors(mapping):
        raise click.ClickException(" ".join(problems.values()))
    options = Options(default_category=OrgCategory(default_category) if default_category else None,
                      citywide_if_empty=citywide_if_empty)
    settings = settings_module.load()
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        vocabulary = imports.vocabulary(session, city_name=settings.city.name, city_code=settings.city.code)
        plan = imports.plan_import(session, table=table, mapping=mapping, options=options, vocabulary=vocabulary)
        for row in plan.error_rows:
            for message in row.errors:
                click.echo(f"{row.number}行目（{row.parsed.name or '団体名なし'}）: {message}", err=True)
        if plan.error_rows:
            raise click.ClickException(
                f"{len(plan.error_rows)}行にエラーがあるため、1件も取り込みませんでした（全{len(plan.rows)}行）。")
        for row in plan.duplicate_rows:
            others = "、".join(d.name if d.organization_id else f"{d.row_number}行目の{d.name}" for d in row.duplicates)
            verb = "取り込みます" if include_duplicates else "取り込みません（--include-duplicates で取り込む）"
            click.echo(f"{row.number}行目「{row.parsed.name}」は「{others}」と同じ名前とみられます: {verb}")
        if dry_run:
            would = len(plan.rows) - (0 if include_duplicates else len(plan.duplicate_rows))
            click.echo(f"確認のみ（--dry-run）: エラーはありません。{would}件を取り込めます。何も保存していません。")
            return
        result = imports.apply_import(
            session, plan=plan, actor=None, filename=Path(file).name,
            include_rows=[r.number for r in plan.duplicate_rows] if include_duplicates else (),
            use_suggested_themes=not no_suggested_themes,
        )
    click.echo(f"{len(result.created)}件の団体を取り込みました"
               f"（重複の可能性で取り込まなかった行: {len(result.skipped_duplicates)}）。")


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
def export(directory) -> None:
    """公開データを種類ごとに CSV と JSON で書き出す / write public data, one CSV and one JSON per kind."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    settings = settings_module.load()
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        for kind in exports.KINDS:
            items = exports.records(session, kind)
            for fmt, body in (("csv", exports.to_csv(kind, items)), ("json", exports.to_json(items))):
                partial = target / f".{kind}.{fmt}.partial"
                partial.write_bytes(body)
                # A script reading the directory never sees a half-written file.
                os.replace(partial, target / f"{kind}.{fmt}")
            click.echo(f"{kind}: {len(items)}件")
    click.echo(f"{target} に書き出しました。")
