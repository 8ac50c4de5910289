from __future__ import annotations

import click

from ..config import ConfigError


WARM_ISSUES = 500


def warm_up(app) -> None:
    """Build the matching and search indexes, and the suggestions of the newest open issues, once
    before the workers fork, so that they share them (copy-on-write) and no visitor waits for a
    fit; the connection pool is not shared."""
    import gc

    from ..db import get_engine, get_session
    from ..services import issues, search, suggestions

    with app.app_context():
        session = get_session()
        suggestions.current_index(session)
        search.current_index(session)
        suggestions.suggest_theme_ids(session, text="見守り")  # trains the theme classifier once
        # After a refit the newest issues' suggestions are computed too (the start is slow anyway);
        # a start from snapshots leaves them to the first visitor of each page (tens of ms each),
        # so that a restart takes seconds (issue 14).
        from_snapshots = all(cache.source(session) == "snapshot"
                             for cache in (suggestions.snapshot_cache(), search.snapshot_cache()))
        for issue_id in [] if from_snapshots else issues.open_issue_ids(session, limit=WARM_ISSUES):
            suggestions.for_issue(session, issue_id=issue_id)
    get_engine(app).dispose()
    # The indexes never change in place after this point in the master: keep the collector from
    # touching (and so copying) their pages in every forked worker.
    gc.freeze()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="待ち受けるアドレス / bind address.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="ポート / port.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="ワーカー数 / worker processes.")
@click.option("--warm/--no-warm", default=True, show_default=True,
              help="起動時にマッチングの索引を作る / build the matching index before serving.")
def serve(host: str, port: int, workers: int, warm: bool) -> None:
    """gunicorn でアプリを公開 / serve the app with gunicorn (a production WSGI server)."""
    import gc

    from gunicorn.app.base import BaseApplication

    from .. import create_app

    # The start makes millions of objects that live as long as the server (modules, the indexes'
    # profiles and postings) and no garbage worth collecting: the collector's passes over them
    # are skipped, and warm_up freezes them before collection resumes.
    gc.disable()
    try:
        try:
            app = create_app()  # fails here, with the reason, rather than in every worker
        except ConfigError as error:
            raise click.ClickException(str(error)) from None
        from nlp import load_word_vectors

        # Without the word vectors no page with suggestions could render: stop now, with the one
        # message every command gives, rather than answer 500 later.
        load_word_vectors()
        if warm:
            warm_up(app)
    finally:
        gc.enable()

    class KyodoServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)
            self.cfg.set("preload_app", True)
            # Long enough for a search of 100 Japanese characters (about 900 bytes encoded) with
            # filters; anything longer gets the app's own 414 page from the worker class.
            self.cfg.set("limit_request_line", 8190)
            self.cfg.set("worker_class", "webapp.cli.worker.KyodoWorker")

        def load(self):
            return app

    click.echo(f"http://{host}:{port} で公開します (Ctrl+C で停止)")
    KyodoServer().run()
