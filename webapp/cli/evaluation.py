"""Commands the evaluation scripts call (shared/eval/README.md): rankings and similarities as JSON Lines."""
from __future__ import annotations

import click


@click.group("rank")
def rank() -> None:
    """JSON Lines のランキングを出力 / print rankings as JSON Lines."""


def register(main: click.Group) -> None:
    main.add_command(rank)
