"""The `kyodo` command: database, seed data, accounts, the server, and evaluation commands."""
from __future__ import annotations

import click

from . import accounts, database, evaluation, lifecycle, mail, server
from . import rank_matching  # noqa: F401  (adds `kyodo rank issues` and `kyodo rank partners`)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """協働マッチング (kyodo) の管理コマンド / kyodo's command line."""


main.add_command(database.init_db)
main.add_command(database.seed)
main.add_command(database.refit_index)
main.add_command(accounts.create_user)
main.add_command(server.serve)
main.add_command(mail.send_digests)
main.add_command(mail.retry_mail)
main.add_command(lifecycle.tick)
evaluation.register(main)
from . import registry  # noqa: E402  (import-orgs, export)
registry.register(main)
