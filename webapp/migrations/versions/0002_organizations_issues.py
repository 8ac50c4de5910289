"""Organizations with their members, towns and themes; issues with support, comments and status history.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('territorial', 'thematic', name='org_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('category', sa.Enum('jichikai', 'chonaikai', 'kanri_kumiai', 'rojin_club', 'kodomokai', 'npo', 'voluntary', 'social_welfare', 'company', 'school', 'other', name='org_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('offers', sa.Text(), nullable=False),
    sa.Column('needs', sa.Text(), nullable=False),
    sa.Column('member_count', sa.Integer(), nullable=True),
    sa.Column('activity_days', sa.String(200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('public_contact', sa.String(300), nullable=False),
    sa.Column('private_contact', sa.String(300), nullable=False),
    sa.Column('website', sa.String(300), nullable=False),
    sa.Column('status', sa.Enum('active', 'inactive', 'dissolved', name='org_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source', sa.Enum('web', 'demo', 'import', 'proxy', name='org_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity BETWEEN 0 AND 50', name=op.f('ck_organization_capacity_range')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_organization_name_not_blank')),
    sa.CheckConstraint('member_count IS NULL OR member_count >= 0', name=op.f('ck_organization_member_count_nonneg')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization'))
    )
    op.create_index('ix_organization_kind', 'organization', ['kind'], unique=False)
    op.create_index('ix_organization_name', 'organization', ['name'], unique=False)

    op.create_table('membership',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'editor', name='member_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_membership_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'organization_id', name=op.f('pk_membership'))
    )
    op.create_index('ix_membership_organization_id', 'membership', ['organization_id'], unique=False)

    op.create_table('organizationarea',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_organizationarea_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organizationarea_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'area_id', name=op.f('pk_organizationarea'))
    )
    op.create_index('ix_organizationarea_area_id', 'organizationarea', ['area_id'], unique=False)

    op.create_table('organizationtheme',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organizationtheme_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_organizationtheme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'theme_id', name=op.f('pk_organizationtheme'))
    )
    op.create_index('ix_organizationtheme_theme_id', 'organizationtheme', ['theme_id'], unique=False)

    op.create_table('issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('show_reporter_name', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'resolved', 'closed_unresolved', name='issue_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source', sa.Enum('web', 'demo', 'import', 'proxy', name='issue_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(body)) > 0', name=op.f('ck_issue_body_not_blank')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_issue_title_not_blank')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_issue_area_id_area')),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_issue_reporter_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue'))
    )
    op.create_index('ix_issue_area_id', 'issue', ['area_id'], unique=False)
    op.create_index('ix_issue_reporter_id', 'issue', ['reporter_id'], unique=False)
    op.create_index('ix_issue_status', 'issue', ['status'], unique=False)

    op.create_table('issuetheme',
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issuetheme_issue_id_issue'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_issuetheme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('issue_id', 'theme_id', name=op.f('pk_issuetheme'))
    )
    op.create_index('ix_issuetheme_theme_id', 'issuetheme', ['theme_id'], unique=False)

    op.create_table('issuesupport',
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issuesupport_issue_id_issue'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_issuesupport_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('issue_id', 'user_id', name=op.f('pk_issuesupport'))
    )
    op.create_index('ix_issuesupport_user_id', 'issuesupport', ['user_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(body)) > 0', name=op.f('ck_comment_body_not_blank')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account')),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_comment_issue_id_issue'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    op.create_index('ix_comment_author_id', 'comment', ['author_id'], unique=False)
    op.create_index('ix_comment_issue_id', 'comment', ['issue_id'], unique=False)

    op.create_table('issuestatuschange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.Enum('open', 'in_progress', 'resolved', 'closed_unresolved', name='issue_status_old', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('new_status', sa.Enum('open', 'in_progress', 'resolved', 'closed_unresolved', name='issue_status_new', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_issuestatuschange_reason_not_blank')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_issuestatuschange_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issuestatuschange_issue_id_issue'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuestatuschange'))
    )
    op.create_index('ix_issuestatuschange_issue_id', 'issuestatuschange', ['issue_id'], unique=False)


def downgrade() -> None:
    op.drop_table('issuestatuschange')
    op.drop_table('comment')
    op.drop_table('issuesupport')
    op.drop_table('issuetheme')
    op.drop_table('issue')
    op.drop_table('organizationtheme')
    op.drop_table('organizationarea')
    op.drop_table('membership')
    op.drop_table('organization')
