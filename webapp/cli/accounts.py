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
            # Made by an administrator: the address counts as confirmed; the person still accepts
            # the 利用規約 at their first login.
            user = account_service.register_user(
                session, email=email, display_name=display_name or email.split("@")[0],
                password=password, role=role, hash_profile=settings.password_hash, confirmed=True,
            )
            click.echo(f"作成しました (created): {user.email} ({user.role.label})")
        except Conflict:
            user = account_service.find_by_email(session, email)
            if not staff:
                raise click.ClickException(f"{email} はすでに登録されています (already registered).") from None
            account_service.set_role(session, user=user, role=Role.STAFF)
            click.echo(f"職員にしました (promoted to staff): {user.email}")
    if staff:
        click.echo(STAFF_ENROLMENT)


STAFF_ENROLMENT = (
    "職員アカウントは二段階認証でログインします。最初のログインでQRコードが表示されるので、"
    "認証アプリ（Google Authenticator など）で読み取り、6桁のコードを入力してください。"
    "表示される回復コード10個は控えておいてください。\n"
    "Staff log in with a second factor: at the first login, scan the QR code with an authenticator app, "
    "enter its 6-digit code and keep the 10 recovery codes shown. Lost phone: kyodo reset-two-factor EMAIL."
)


@click.command("reset-two-factor")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """職員の二段階認証を解除（スマートフォン紛失時）/ forget a staff member's second factor."""
    from ..services import two_factor
    from ..services.errors import Conflict as NoAccount

    settings = settings_module.load()
    with settings_module.migrated_engine(settings) as engine, session_scope(engine) as session:
        try:
            user = two_factor.reset(session, email=email)
        except NoAccount as error:
            raise click.ClickException(error.message) from None
    click.echo(f"二段階認証を解除しました。次のログインで設定し直します (reset; they enrol again at the next login): {user.email}")
