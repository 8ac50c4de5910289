from __future__ import annotations

import click

from ..config import ConfigError


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="待ち受けるアドレス / bind address.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="ポート / port.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="ワーカー数 / worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """gunicorn でアプリを公開 / serve the app with gunicorn (a production WSGI server)."""
    from gunicorn.app.base import BaseApplication

    from .. import create_app

    try:
        create_app()  # fail here, with the reason, rather than in every worker
    except ConfigError as error:
        raise click.ClickException(str(error)) from None

    class KyodoServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)

        def load(self):
            return create_app()

    click.echo(f"http://{host}:{port} で公開します (Ctrl+C で停止)")
    KyodoServer().run()
