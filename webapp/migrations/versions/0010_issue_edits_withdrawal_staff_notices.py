"""Issue 11 (items 2 and 7): a poster's edits kept as public history (issueedit), 取り下げ as the
issue status 'withdrawn' (issue and status-history CHECKs), the day a 協議体's 振り返り began
(consortium.evaluating_since, for the overdue notice) and two staff notification kinds.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:30:00.000000
"""
import warnings

from alembic import op
import sqlalchemy as sa

import webapp.models.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The list before this migration: 0007's kinds, 0008's moderation and 0009's two issue kinds.
NOTIFICATION_KINDS_0009 = ["consortium_invitation", "consortium_answer", "consortium_status", "org_invitation",
                           "org_invitation_answer", "matching_issue", "issue_status", "agreement", "lifecycle",
                           "evaluation", "org_unowned", "claim", "claim_decision", "org_identity", "moderation",
                           "issue_comment", "issue_consortium"]
NEW_KINDS = ["consortium_evaluating", "evaluation_overdue"]
NOTIFICATION_KINDS_0010 = NOTIFICATION_KINDS_0009 + NEW_KINDS

ISSUE_STATUSES_BEFORE = ["open", "in_progress", "resolved", "closed_unresolved"]
ISSUE_STATUSES_0010 = ISSUE_STATUSES_BEFORE + ["withdrawn"]
# (table, CHECK name, column) of every issue-status column.
ISSUE_STATUS_CHECKS = [("issue", "ck_issue_issue_status", "status"),
                       ("issuestatuschange", "ck_issuestatuschange_issue_status_old", "old_status"),
                       ("issuestatuschange", "ck_issuestatuschange_issue_status_new", "new_status")]


def _quiet():
    # As in 0007: reflecting user_account on SQLite warns about its lower(email) index.
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
    return context


def _notification_kinds(kinds: list[str]) -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_notification_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notification_notification_kind"), sa.column("kind").in_(kinds))


def _issue_statuses(statuses: list[str]) -> None:
    for table in ("issue", "issuestatuschange"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for owner, name, column in ISSUE_STATUS_CHECKS:
                if owner == table:
                    batch_op.drop_constraint(op.f(name), type_="check")
                    batch_op.create_check_constraint(op.f(name), sa.column(column).in_(statuses))


def upgrade() -> None:
    quiet = _quiet()
    try:
        _notification_kinds(NOTIFICATION_KINDS_0010)
        _issue_statuses(ISSUE_STATUSES_0010)
        op.create_table(
            'issueedit',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('issue_id', sa.Integer(), nullable=False),
            sa.Column('edited_by_id', sa.Integer(), nullable=False),
            sa.Column('changes', sa.JSON(), nullable=False),
            sa.Column('created_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(['edited_by_id'], ['user_account.id'],
                                    name=op.f('fk_issueedit_edited_by_id_user_account')),
            sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issueedit_issue_id_issue'),
                                    ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id', name=op.f('pk_issueedit')),
        )
        with op.batch_alter_table('issueedit', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_issueedit_issue_id'), ['issue_id'], unique=False)
        with op.batch_alter_table('consortium', schema=None) as batch_op:
            batch_op.add_column(sa.Column('evaluating_since', sa.Date(), nullable=True))
    finally:
        quiet.__exit__(None, None, None)


def downgrade() -> None:
    quiet = _quiet()
    try:
        with op.batch_alter_table('consortium', schema=None) as batch_op:
            batch_op.drop_column('evaluating_since')
        op.drop_table('issueedit')
        # A withdrawn issue becomes 解決せず終了 (its history row keeps the poster's reason).
        op.execute(sa.text("UPDATE issue SET status = 'closed_unresolved' WHERE status = 'withdrawn'"))
        op.execute(sa.text("UPDATE issuestatuschange SET new_status = 'closed_unresolved' WHERE new_status = 'withdrawn'"))
        op.execute(sa.text("UPDATE issuestatuschange SET old_status = 'closed_unresolved' WHERE old_status = 'withdrawn'"))
        _issue_statuses(ISSUE_STATUSES_BEFORE)
        op.execute(sa.text("DELETE FROM notification WHERE kind IN ('consortium_evaluating', 'evaluation_overdue')"))
        _notification_kinds(NOTIFICATION_KINDS_0009)
    finally:
        quiet.__exit__(None, None, None)
