from __future__ import annotations

import click

from ..db import session_scope
from ..models import Role
from ..services import accounts as account_service
from ..services.accounts import MIN_PASSWORD_LENGTH
from ..services.errors import Conflict
from . import settings as settings_module


@click.command("create-user")
@click.argument("email")
@click.option("--staff", is_flag=True, help="市職員アカウントにする / make it a staff account.")
@click.option("--name", "display_name", default=None, help="表示名 / display name (default: the e-mail's local part).")
@click.option(
    "--password", envvar="KYODO_NEW_PASSWORD", prompt=True, hide_input=True,
    confirmation_prompt=True, help="省略時は入力を求める / prompted for when omitted (or KYODO_NEW_PASSWORD).",
)
def create_user(email: str, staff: bool, display_name: str | None, password: str) -> None:
    """アカウントを作る（最初の職員アカウントなど）/ create an account, e.g. the first staff member.

    If the e-mail is already registered, --staff promotes that account instead."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"{MIN_PASSWORD_LENGTH}文字以上にしてください (at least {MIN_PASSWORD_LENGTH} characters).", param_hint="--password")
    settings = settings_module.load()
    role = Role.STAFF if staff else Role.RESIDENT
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        try:
            user = account_service.register_user(
                session, email=email, display_name=display_name or email.split("@")[0],
                password=password, role=role, hash_profile=settings.password_hash,
            )
            click.echo(f"作成しました (created): {user.email} ({user.role.label})")
        except Conflict:
            user = account_service.find_by_email(session, email)
            if not staff:
                raise click.ClickException(f"{email} はすでに登録されています (already registered).") from None
            account_service.set_role(session, user=user, role=Role.STAFF)
            click.echo(f"職員にしました (promoted to staff): {user.email}")
