"""Accounts people manage: e-mail confirmation, per-account session token (log out everywhere),
staff two-factor (TOTP secret, recovery codes), 退会, and consent to the 利用規約/プライバシーポリシー.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 04:00:00
"""
import secrets
import warnings

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# If another migration adds notification kinds before this one, this list must include them.
NOTIFICATION_KINDS_0004 = ["consortium_invitation", "consortium_answer", "consortium_status", "org_invitation",
                           "org_invitation_answer", "matching_issue", "issue_status", "agreement", "lifecycle",
                           "evaluation"]
NOTIFICATION_KINDS_0006 = NOTIFICATION_KINDS_0004 + ["org_unowned"]


def _notification_kinds(kinds: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table("notification", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_notification_notification_kind"), type_="check")
            batch_op.create_check_constraint(op.f("ck_notification_notification_kind"), sa.column("kind").in_(kinds))


def upgrade() -> None:
    _notification_kinds(NOTIFICATION_KINDS_0006)
    # Plain ADD COLUMN (no batch): rebuilding user_account on SQLite would lose its lower(email) index.
    op.add_column('user_account', sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('user_account', sa.Column('session_token', sa.String(64), nullable=False, server_default=''))
    op.add_column('user_account', sa.Column('totp_secret', sa.String(64), nullable=True))
    op.add_column('user_account', sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    # Accounts made before confirmation existed keep working: their address counts as confirmed.
    connection.execute(sa.text("UPDATE user_account SET email_confirmed_at = created_at"))
    for (user_id,) in connection.execute(sa.text("SELECT id FROM user_account")).all():
        connection.execute(sa.text("UPDATE user_account SET session_token = :token WHERE id = :id"),
                           {"token": secrets.token_hex(16), "id": user_id})

    op.create_table('consentrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.String(16), nullable=False),
    sa.Column('version', sa.String(40), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_consentrecord_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consentrecord')),
    sa.UniqueConstraint('user_id', 'document', 'version', name='uq_consent_record_version')
    )
    with op.batch_alter_table('consentrecord', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consentrecord_user_id'), ['user_id'], unique=False)

    op.create_table('recoverycode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recoverycode_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recoverycode')),
    sa.UniqueConstraint('user_id', 'code_hash', name='uq_recovery_code_hash')
    )
    with op.batch_alter_table('recoverycode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recoverycode_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('recoverycode')
    op.drop_table('consentrecord')
    for column in ('deleted_at', 'totp_secret', 'session_token', 'email_confirmed_at'):
        op.drop_column('user_account', column)
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'org_unowned'"))
    _notification_kinds(NOTIFICATION_KINDS_0004)
