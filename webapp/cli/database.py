from __future__ import annotations

import click

from ..db import session_scope
from ..migrate import upgrade
from ..services import seeding
from . import settings as settings_module


@click.command("init-db")
def init_db() -> None:
    """DATABASE_URL にマイグレーションを適用 / apply the migrations to DATABASE_URL."""
    settings = settings_module.load()
    upgrade(settings.database_url)
    click.echo("データベースを最新の状態にしました (migrated to head).")


@click.command("refit-index")
def refit_index() -> None:
    """全ワーカーのマッチング・検索の索引を作り直す / make every server worker refit its indexes."""
    from ..services import changes

    settings = settings_module.load()
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        changes.request_refit(session)
    click.echo("各ワーカーは次のリクエストで索引を作り直します (workers refit on their next request).")


@click.command("build-index")
@click.option("--rebuild", is_flag=True, help="スナップショットを使わず作り直す / fit from scratch even if a snapshot fits.")
def build_index(rebuild: bool) -> None:
    """索引のスナップショットを KYODO_INDEX_DIR に作る / write the index snapshots a server starts from."""
    import gc
    import os

    from .. import instance_path
    from ..config import from_environment
    from ..services import index_snapshots, search, suggestions
    from .memory import large_blocks_in_own_mappings

    large_blocks_in_own_mappings()  # before the fit's first arrays (300,000 organizations within 4 GB)
    settings = settings_module.load()
    directory = from_environment(os.environ, instance_path())["KYODO_INDEX_DIR"]
    if not directory:
        raise click.ClickException("KYODO_INDEX_DIR が空です (snapshots are turned off).")
    index_snapshots.configure(settings.database_url, directory)
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        for name, cache in (("matching", suggestions.snapshot_cache()), ("search", search.snapshot_cache())):
            outcome = cache.refresh_snapshot(session, rebuild=rebuild)
            # Written: let it go before the next is built, so that the two never add up in memory
            # (issue 14: 300,000 organizations within 4 GB).
            cache.clear()
            gc.collect()
            click.echo(f"{name}: {outcome} ({directory})")


@click.command("seed")
@click.option("--demo", is_flag=True, help="架空のデモ団体・地域課題も入れる / also load the fictional demo data.")
def seed(demo: bool) -> None:
    """町名・テーマ（と --demo でデモデータ）を読み込む。何度実行しても同じ結果 / load towns and themes (idempotent)."""
    settings = settings_module.load()
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        report = seeding.load_themes(session)
        seeding.load_city(session, city=settings.city, report=report)
        if demo:
            seeding.load_demo(session, city=settings.city, report=report)
    created = ", ".join(f"{k} {v}" for k, v in report.created.items()) or "none"
    updated = ", ".join(f"{k} {v}" for k, v in report.updated.items()) or "none"
    click.echo(f"{settings.city.name}: created {created}; updated {updated}.")
