"""The `kyodo` command: database, seed data, accounts, the server, and evaluation commands."""
from __future__ import annotations

import importlib

import click

# Command name → (module of webapp.cli, attribute). A command's module is imported only when that
# command runs, so `kyodo similarity` or `kyodo rank docs` never load the database layer and the
# web app (about 50 MB of the evaluation process's memory).
_COMMANDS = {
    "init-db": ("database", "init_db"),
    "seed": ("database", "seed"),
    "refit-index": ("database", "refit_index"),
    "build-index": ("database", "build_index"),
    "backup": ("backup", "backup"),
    "verify-backup": ("backup", "verify_backup"),
    "restore": ("backup", "restore"),
    "create-user": ("accounts", "create_user"),
    "reset-two-factor": ("accounts", "reset_two_factor"),
    "serve": ("server", "serve"),
    "send-digests": ("mail", "send_digests"),
    "retry-mail": ("mail", "retry_mail"),
    "tick": ("lifecycle", "tick"),
    "import-orgs": ("registry", "import_orgs"),
    "export": ("registry", "export"),
    "similarity": ("evaluation", "similarity"),
    # rank_matching adds `rank issues` and `rank partners` to evaluation's `rank docs`.
    "rank": ("rank_matching", "rank"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, attribute = _COMMANDS[cmd_name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)

    def invoke(self, ctx: click.Context):
        from nlp.wordvectors import VectorsUnavailable

        try:
            return super().invoke(ctx)
        except VectorsUnavailable as exc:
            # Every command that matches or compares texts stops with the one message (exit 1),
            # not a traceback, and none of them runs on without the vectors.
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """協働マッチング (kyodo) の管理コマンド / kyodo's command line."""
