"""協議体 with members, towns, themes and issues; notifications and the e-mail digest opt-in;
editor invitations; the change log that versions the matching index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:51:54.542892
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indexchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indexchange'))
    )
    op.create_table('consortium',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(120), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('domain', sa.Enum('citizen_led', 'cooperative', 'government_led', name='consortium_domain', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'forming', 'active', 'evaluating', 'closed', name='consortium_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_consortium_ends_after_start')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_consortium_name_not_blank')),
    sa.CheckConstraint('length(trim(purpose)) > 0', name=op.f('ck_consortium_purpose_not_blank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_consortium_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consortium'))
    )
    with op.batch_alter_table('consortium', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consortium_status'), ['status'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('consortium_invitation', 'consortium_answer', 'consortium_status', 'org_invitation', 'org_invitation_answer', 'matching_issue', 'issue_status', name='notification_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('link', sa.String(300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('orginvitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(254), nullable=False),
    sa.Column('role', sa.Enum('owner', 'editor', name='org_invitation_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('invited', 'accepted', 'declined', 'left', 'withdrawn', name='org_invitation_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("email LIKE '%_@_%'", name=op.f('ck_orginvitation_email_has_at')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_orginvitation_invited_by_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_orginvitation_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orginvitation'))
    )
    with op.batch_alter_table('orginvitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orginvitation_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_orginvitation_organization_id'), ['organization_id'], unique=False)

    op.create_table('consortiumarea',
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_consortiumarea_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortium.id'], name=op.f('fk_consortiumarea_consortium_id_consortium'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consortium_id', 'area_id', name=op.f('pk_consortiumarea'))
    )
    op.create_table('consortiumissue',
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortium.id'], name=op.f('fk_consortiumissue_consortium_id_consortium'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_consortiumissue_issue_id_issue'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consortium_id', 'issue_id', name=op.f('pk_consortiumissue'))
    )
    with op.batch_alter_table('consortiumissue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consortiumissue_issue_id'), ['issue_id'], unique=False)

    op.create_table('consortiummember',
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('invited', 'accepted', 'declined', 'left', 'withdrawn', name='consortium_member_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortium.id'], name=op.f('fk_consortiummember_consortium_id_consortium'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_consortiummember_invited_by_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_consortiummember_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consortium_id', 'organization_id', name=op.f('pk_consortiummember'))
    )
    with op.batch_alter_table('consortiummember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consortiummember_organization_id'), ['organization_id'], unique=False)

    op.create_table('consortiumtheme',
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortium.id'], name=op.f('fk_consortiumtheme_consortium_id_consortium'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_consortiumtheme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consortium_id', 'theme_id', name=op.f('pk_consortiumtheme'))
    )
    # Plain ADD COLUMN (no batch): a batch rebuild of user_account on SQLite would silently drop
    # the expression index uq_user_account_email_lower.
    op.add_column('user_account', sa.Column('email_digest', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    # The batch rebuild cannot carry the expression index: drop it first, recreate it after.
    op.drop_index('uq_user_account_email_lower', table_name='user_account')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_digest')
    op.create_index('uq_user_account_email_lower', 'user_account', [sa.text('lower(email)')], unique=True)

    op.drop_table('consortiumtheme')
    with op.batch_alter_table('consortiummember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consortiummember_organization_id'))

    op.drop_table('consortiummember')
    with op.batch_alter_table('consortiumissue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consortiumissue_issue_id'))

    op.drop_table('consortiumissue')
    op.drop_table('consortiumarea')
    with op.batch_alter_table('orginvitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orginvitation_organization_id'))
        batch_op.drop_index(batch_op.f('ix_orginvitation_email'))

    op.drop_table('orginvitation')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))

    op.drop_table('notification')
    with op.batch_alter_table('consortium', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consortium_status'))

    op.drop_table('consortium')
    op.drop_table('indexchange')
