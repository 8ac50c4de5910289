from __future__ import annotations

from pathlib import Path

import click

from . import settings as settings_module

_PATH = click.Path(dir_okay=False, path_type=Path)


def _tables_line(manifest) -> str:
    return f"{len(manifest.tables)} tables, {sum(t.rows for t in manifest.tables.values()):,} rows"


@click.command("backup")
@click.argument("path", type=_PATH)
def backup(path: Path) -> None:
    """データベース全体を1つのファイルに保存。サーバーを動かしたまま実行できる
    / back up the whole database into PATH while the servers keep running."""
    from .. import backup as backups

    settings = settings_module.load()
    try:
        manifest = backups.create(settings.database_url, path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{path}: {manifest.backend}, {_tables_line(manifest)}, {manifest.payload_bytes:,} bytes, "
               f"SHA-256 {manifest.payload_sha256[:16]}…")


@click.command("verify-backup")
@click.argument("path", type=_PATH)
def verify_backup(path: Path) -> None:
    """バックアップが完全か確かめる（データベースは変えない）/ check that PATH is a complete backup."""
    from .. import backup as backups

    try:
        manifest = backups.verify(path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{path}: OK ({manifest.backend}, {manifest.created_at}, revision {manifest.alembic_revision}, "
               f"{_tables_line(manifest)})")


@click.command("restore")
@click.argument("path", type=_PATH)
@click.option("--force", is_flag=True, help="データのあるデータベースを置き換える / replace a database that holds data.")
def restore(path: Path, force: bool) -> None:
    """バックアップから DATABASE_URL を復元。先にすべてのサーバーを止めること
    / restore DATABASE_URL from PATH; stop every server first."""
    from .. import backup as backups
    from ..migrate import head_revision

    settings = settings_module.load()
    try:
        manifest = backups.restore(path, settings.database_url, force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"復元しました (restored): {_tables_line(manifest)}, every table identical to the backup.")
    if manifest.alembic_revision != head_revision():
        click.echo("古い版のバックアップです。`kyodo init-db` で最新にしてください "
                   "(the backup is from an older kyodo: run `kyodo init-db`).")
    if settings.redis_url:
        from ..services.suggestion_cache import SharedResults

        try:
            forgotten = SharedResults(settings.redis_url).forget_all()
        except Exception as error:  # noqa: BLE001  (the restore itself succeeded)
            click.echo(f"Redis の提案キャッシュを消せませんでした。手で消してください: redis-cli --scan --pattern "
                       f"'kyodo:suggestions:*' | xargs redis-cli del ({error})", err=True)
        else:
            click.echo(f"Redis の共有された提案を {forgotten} 件消しました (forgot {forgotten} shared suggestions).")
    click.echo("サーバーを再起動してください (restart the servers: their indexes describe the old data).")
