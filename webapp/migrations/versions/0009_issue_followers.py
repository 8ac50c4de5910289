"""The poster hears back (issue 11, items 1 and 3): who follows an issue (issuefollow; every
existing issue's poster follows it), whether a person's notifications are mailed at all
(user_account.email_notifications), and two notification kinds: issue_comment, issue_consortium.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:30:00.000000
"""
import warnings

from alembic import op
import sqlalchemy as sa

import webapp.models.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# 0007's kinds plus 0008's moderation: the list before this migration.
NOTIFICATION_KINDS_0008 = ["consortium_invitation", "consortium_answer", "consortium_status", "org_invitation",
                           "org_invitation_answer", "matching_issue", "issue_status", "agreement", "lifecycle",
                           "evaluation", "org_unowned"] + ["claim", "claim_decision", "org_identity"] + ["moderation"]
NEW_KINDS = ["issue_comment", "issue_consortium"]


def _notification_kinds(kinds: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table("notification", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_notification_notification_kind"), type_="check")
            batch_op.create_check_constraint(op.f("ck_notification_notification_kind"), sa.column("kind").in_(kinds))


def upgrade() -> None:
    _notification_kinds(NOTIFICATION_KINDS_0008 + NEW_KINDS)
    # Plain ADD COLUMN (no batch): rebuilding user_account on SQLite would lose its lower(email) index.
    op.add_column('user_account', sa.Column('email_notifications', sa.Boolean(), server_default=sa.true(),
                                            nullable=False))
    op.create_table(
        'issuefollow',
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issuefollow_issue_id_issue'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_issuefollow_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('issue_id', 'user_id', name=op.f('pk_issuefollow')),
    )
    op.create_index(op.f('ix_issuefollow_user_id'), 'issuefollow', ['user_id'], unique=False)
    # Posters follow their issues by default, also those posted before this revision.
    op.execute(sa.text("INSERT INTO issuefollow (issue_id, user_id, created_at) "
                       "SELECT id, reporter_id, created_at FROM issue"))


def downgrade() -> None:
    op.drop_index(op.f('ix_issuefollow_user_id'), table_name='issuefollow')
    op.drop_table('issuefollow')
    op.drop_column('user_account', 'email_notifications')
    op.execute(sa.text("DELETE FROM notification WHERE kind IN ('issue_comment', 'issue_consortium')"))
    _notification_kinds(NOTIFICATION_KINDS_0008)
