"""Association identity and proxy acts: 確認済み (verified) and twin_of on organizations, requests
to become an association's 代表 (orgclaim, one open request per person and association), and the
proxy mark on answers, signatures and evaluations given by staff for an association.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 03:45:10.941974
"""
import warnings

from alembic import op
import sqlalchemy as sa

import webapp.models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NOTIFICATION_KINDS_BEFORE = ["consortium_invitation", "consortium_answer", "consortium_status", "org_invitation",
                             "org_invitation_answer", "matching_issue", "issue_status", "agreement", "lifecycle",
                             "evaluation", "org_unowned"]
NOTIFICATION_KINDS_0007 = NOTIFICATION_KINDS_BEFORE + ["claim", "claim_decision", "org_identity"]
OPEN = "status IN ('pending', 'owners_asked')"


def _quiet():
    # SQLite rebuilds tables; reflecting them also reflects user_account, whose lower(email) index
    # SQLAlchemy cannot reflect. That table is not rebuilt, so the index stays.
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
    return context


def _notification_kinds(kinds: list[str]) -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_notification_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notification_notification_kind"), sa.column("kind").in_(kinds))


def upgrade() -> None:
    quiet = _quiet()
    try:
        _notification_kinds(NOTIFICATION_KINDS_0007)
        op.create_table(
            'orgclaim',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('organization_id', sa.Integer(), nullable=False),
            sa.Column('user_id', sa.Integer(), nullable=False),
            sa.Column('status', sa.Enum('pending', 'owners_asked', 'approved', 'declined', 'withdrawn',
                                        name='claim_status', native_enum=False, create_constraint=True, length=32),
                      nullable=False),
            sa.Column('message', sa.Text(), nullable=False),
            sa.Column('owner_answer', sa.Text(), nullable=False),
            sa.Column('reason', sa.Text(), nullable=False),
            sa.Column('decided_by_id', sa.Integer(), nullable=True),
            sa.Column('created_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
            sa.Column('decided_at', webapp.models.base.UTCDateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                    name=op.f('fk_orgclaim_decided_by_id_user_account')),
            sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                    name=op.f('fk_orgclaim_organization_id_organization'), ondelete='CASCADE'),
            sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                    name=op.f('fk_orgclaim_user_id_user_account'), ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id', name=op.f('pk_orgclaim')),
        )
        with op.batch_alter_table('orgclaim', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_orgclaim_organization_id'), ['organization_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_orgclaim_status'), ['status'], unique=False)
            batch_op.create_index(batch_op.f('ix_orgclaim_user_id'), ['user_id'], unique=False)
            batch_op.create_index('uq_orgclaim_open', ['organization_id', 'user_id'], unique=True,
                                  sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))

        with op.batch_alter_table('agreementsignature', schema=None) as batch_op:
            batch_op.add_column(sa.Column('proxy', sa.Boolean(), server_default=sa.false(), nullable=False))
        with op.batch_alter_table('evaluation', schema=None) as batch_op:
            batch_op.add_column(sa.Column('proxy', sa.Boolean(), server_default=sa.false(), nullable=False))
        with op.batch_alter_table('consortiummember', schema=None) as batch_op:
            batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('proxy', sa.Boolean(), server_default=sa.false(), nullable=False))
            batch_op.create_foreign_key(batch_op.f('fk_consortiummember_answered_by_id_user_account'),
                                        'user_account', ['answered_by_id'], ['id'])
        with op.batch_alter_table('organization', schema=None) as batch_op:
            batch_op.add_column(sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False))
            batch_op.add_column(sa.Column('verified_at', webapp.models.base.UTCDateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('verified_by_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('twin_of_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_organization_verified_by_id_user_account'),
                                        'user_account', ['verified_by_id'], ['id'])
            batch_op.create_foreign_key(batch_op.f('fk_organization_twin_of_id_organization'),
                                        'organization', ['twin_of_id'], ['id'], ondelete='SET NULL')
    finally:
        quiet.__exit__(None, None, None)


def downgrade() -> None:
    quiet = _quiet()
    try:
        with op.batch_alter_table('organization', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_organization_twin_of_id_organization'), type_='foreignkey')
            batch_op.drop_constraint(batch_op.f('fk_organization_verified_by_id_user_account'), type_='foreignkey')
            batch_op.drop_column('twin_of_id')
            batch_op.drop_column('verified_by_id')
            batch_op.drop_column('verified_at')
            batch_op.drop_column('verified')
        with op.batch_alter_table('consortiummember', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_consortiummember_answered_by_id_user_account'), type_='foreignkey')
            batch_op.drop_column('proxy')
            batch_op.drop_column('answered_by_id')
        with op.batch_alter_table('evaluation', schema=None) as batch_op:
            batch_op.drop_column('proxy')
        with op.batch_alter_table('agreementsignature', schema=None) as batch_op:
            batch_op.drop_column('proxy')
        op.drop_table('orgclaim')
        op.execute(sa.text("DELETE FROM notification WHERE kind IN ('claim', 'claim_decision', 'org_identity')"))
        _notification_kinds(NOTIFICATION_KINDS_BEFORE)
    finally:
        quiet.__exit__(None, None, None)
