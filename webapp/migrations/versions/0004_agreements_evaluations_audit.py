"""協定書 (versions, roles, signatures), 振り返り (evaluations and principle ratings),
the audit log, and the lifecycle events that keep `kyodo tick` idempotent.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:08:43.061976
"""
import warnings

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

NOTIFICATION_KINDS_0003 = ["consortium_invitation", "consortium_answer", "consortium_status", "org_invitation",
                           "org_invitation_answer", "matching_issue", "issue_status"]
NOTIFICATION_KINDS_0004 = NOTIFICATION_KINDS_0003 + ["agreement", "lifecycle", "evaluation"]


def _notification_kinds(kinds: list[str]) -> None:
    # SQLite rebuilds the table; reflecting it also reflects user_account (a foreign key), whose
    # lower(email) index SQLAlchemy cannot reflect. That table is not rebuilt, so the index stays.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table("notification", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_notification_notification_kind"), type_="check")
            batch_op.create_check_constraint(op.f("ck_notification_notification_kind"), sa.column("kind").in_(kinds))


def upgrade() -> None:
    # New notification kinds: the enum's CHECK constraint is rebuilt with the longer list.
    _notification_kinds(NOTIFICATION_KINDS_0004)
    op.create_table('auditentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(30), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(40), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('proxy', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_auditentry_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditentry'))
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditentry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_entity'), ['entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_entity_id'), ['entity_id'], unique=False)

    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('cost_sharing', sa.Text(), nullable=False),
    sa.Column('disclosure', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'signing', 'signed', 'superseded', name='agreement_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(purpose)) > 0', name=op.f('ck_agreement_purpose_not_blank')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_agreement_ends_after_start')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_agreement_version_positive')),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortium.id'], name=op.f('fk_agreement_consortium_id_consortium'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_agreement_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('consortium_id', 'version', name='uq_agreement_consortium_id_version')
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_consortium_id'), ['consortium_id'], unique=False)

    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('citizen', 'city', name='evaluation_side', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('goal_score', sa.Integer(), nullable=False),
    sa.Column('goal_comment', sa.Text(), nullable=False),
    sa.Column('cost_score', sa.Integer(), nullable=False),
    sa.Column('cost_comment', sa.Text(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(side = 'citizen' AND organization_id IS NOT NULL) OR (side = 'city' AND organization_id IS NULL)", name=op.f('ck_evaluation_side_matches_organization')),
    sa.CheckConstraint('cost_score BETWEEN 1 AND 5', name=op.f('ck_evaluation_cost_score_range')),
    sa.CheckConstraint('goal_score BETWEEN 1 AND 5', name=op.f('ck_evaluation_goal_score_range')),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortium.id'], name=op.f('fk_evaluation_consortium_id_consortium'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_evaluation_organization_id_organization')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_evaluation_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation'))
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_consortium_id'), ['consortium_id'], unique=False)
        batch_op.create_index('uq_evaluation_consortium_city', ['consortium_id'], unique=True, sqlite_where=sa.text("side = 'city'"), postgresql_where=sa.text("side = 'city'"))
        batch_op.create_index('uq_evaluation_consortium_org', ['consortium_id', 'organization_id'], unique=True, sqlite_where=sa.text('organization_id IS NOT NULL'), postgresql_where=sa.text('organization_id IS NOT NULL'))

    op.create_table('lifecycleevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(30), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortium.id'], name=op.f('fk_lifecycleevent_consortium_id_consortium'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lifecycleevent')),
    sa.UniqueConstraint('consortium_id', 'kind', 'period_end', name='uq_lifecycleevent_once')
    )
    op.create_table('agreementrole',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('responsibilities', sa.Text(), nullable=False),
    sa.Column('form', sa.Enum('consignment', 'subsidy', 'co_hosting', 'personnel_exchange', 'facility_provision', 'facility_management', 'policy_proposal', name='collaboration_form', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreementrole_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_agreementrole_organization_id_organization')),
    sa.PrimaryKeyConstraint('agreement_id', 'organization_id', name=op.f('pk_agreementrole'))
    )
    op.create_table('agreementsignature',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreementsignature_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_agreementsignature_organization_id_organization')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_agreementsignature_signed_by_id_user_account')),
    sa.PrimaryKeyConstraint('agreement_id', 'organization_id', name=op.f('pk_agreementsignature'))
    )
    op.create_table('principlerating',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('principle', sa.Enum('purpose_sharing', 'equality', 'mutual_understanding', 'autonomy', 'disclosure', 'independence', 'time_limit', name='principle', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_principlerating_score_range')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_principlerating_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evaluation_id', 'principle', name=op.f('pk_principlerating'))
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM notification WHERE kind IN ('agreement', 'lifecycle', 'evaluation')"))
    _notification_kinds(NOTIFICATION_KINDS_0003)
    op.drop_table('principlerating')
    op.drop_table('agreementsignature')
    op.drop_table('agreementrole')
    op.drop_table('lifecycleevent')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index('uq_evaluation_consortium_org', sqlite_where=sa.text('organization_id IS NOT NULL'), postgresql_where=sa.text('organization_id IS NOT NULL'))
        batch_op.drop_index('uq_evaluation_consortium_city', sqlite_where=sa.text("side = 'city'"), postgresql_where=sa.text("side = 'city'"))
        batch_op.drop_index(batch_op.f('ix_evaluation_consortium_id'))

    op.drop_table('evaluation')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_consortium_id'))

    op.drop_table('agreement')
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_entity_id'))
        batch_op.drop_index(batch_op.f('ix_auditentry_entity'))
        batch_op.drop_index(batch_op.f('ix_auditentry_created_at'))
        batch_op.drop_index(batch_op.f('ix_auditentry_actor_id'))

    op.drop_table('auditentry')
