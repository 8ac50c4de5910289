"""Settings for commands that need the database but not a running web app (no SECRET_KEY)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
import sqlalchemy as sa

from .. import instance_path
from ..cities import City, resolve_city
from ..config import from_environment
from ..db import create_engine_for
from ..migrate import current_revision, head_revision
from ..services.mail import MailSettings


@dataclass(frozen=True)
class Settings:
    database_url: str
    city: City
    password_hash: str
    mail: MailSettings
    redis_url: str = ""


def load() -> Settings:
    config = from_environment(os.environ, instance_path())
    if config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(os.path.dirname(config["DATABASE_URL"][len("sqlite:///"):]) or ".", exist_ok=True)
    try:
        city = resolve_city(config["KYODO_CITY"])
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    return Settings(config["DATABASE_URL"], city, config["KYODO_PASSWORD_HASH"], MailSettings.from_config(config),
                    config["KYODO_REDIS_URL"])


@contextmanager
def migrated_engine(settings: Settings) -> Iterator[sa.Engine]:
    """An engine on a database at the latest migration (else a clear error), disposed after use."""
    engine = create_engine_for(settings.database_url)
    try:
        if current_revision(engine) != head_revision():
            raise click.ClickException(
                "データベースが最新ではありません。先に `kyodo init-db` を実行してください "
                "(the database is not migrated; run `kyodo init-db` first)."
            )
        yield engine
    finally:
        engine.dispose()
