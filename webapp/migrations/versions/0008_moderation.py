"""Moderation (issue 11): reports (contentreport, one per person and item), one moderationcase per
item that was reported, hidden or posted after a guard warning, the staff-edited NGワード list
(ngword), and the notification kind "moderation". Posts made anyway after the personal-information
warning before this revision (audit entries still pending review) get a case, so they are in the
staff queue.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 07:05:00.000000
"""
import warnings

from alembic import op
import sqlalchemy as sa

import webapp.models.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Copied literally from 0007_identity_claims_proxy.py.
NOTIFICATION_KINDS_0007 = ["consortium_invitation", "consortium_answer", "consortium_status", "org_invitation",
                           "org_invitation_answer", "matching_issue", "issue_status", "agreement", "lifecycle",
                           "evaluation", "org_unowned"] + ["claim", "claim_decision", "org_identity"]
NOTIFICATION_KINDS_0008 = NOTIFICATION_KINDS_0007 + ["moderation"]


def _quiet():
    # SQLite rebuilds the notification table; reflecting it also reflects user_account, whose
    # lower(email) index SQLAlchemy cannot reflect. That table is not rebuilt, so the index stays.
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
    return context


def _notification_kinds(kinds: list[str]) -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_notification_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notification_notification_kind"), sa.column("kind").in_(kinds))


def _queue_pending_guard_posts() -> None:
    """A case waiting for review for every item posted anyway before this revision (review: pending)."""
    bind = op.get_bind()
    audit = sa.table("auditentry", sa.column("entity", sa.String), sa.column("entity_id", sa.Integer),
                     sa.column("action", sa.String), sa.column("details", sa.JSON),
                     sa.column("created_at", webapp.models.base.UTCDateTime()))
    case = sa.table("moderationcase", sa.column("entity", sa.String), sa.column("entity_id", sa.Integer),
                    sa.column("hidden", sa.Boolean), sa.column("hidden_reason", sa.Text),
                    sa.column("needs_review", sa.Boolean), sa.column("cause", sa.String),
                    sa.column("open_reports", sa.Integer), sa.column("version", sa.Integer),
                    sa.column("updated_at", webapp.models.base.UTCDateTime()))
    rows = bind.execute(sa.select(audit.c.entity, audit.c.entity_id, audit.c.details, audit.c.created_at)
                        .where(audit.c.action == "personal_info_posted_anyway")).all()
    pending: dict = {}
    for entity, entity_id, details, created_at in rows:
        if (details or {}).get("review") == "pending":
            pending[(entity, entity_id)] = max(created_at, pending.get((entity, entity_id), created_at))
    if pending:
        bind.execute(sa.insert(case), [
            {"entity": entity, "entity_id": entity_id, "hidden": False, "hidden_reason": "", "needs_review": True,
             "cause": "personal_info", "open_reports": 0, "version": 1, "updated_at": at}
            for (entity, entity_id), at in sorted(pending.items())])


def upgrade() -> None:
    quiet = _quiet()
    try:
        _notification_kinds(NOTIFICATION_KINDS_0008)
        op.create_table(
            'contentreport',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('entity', sa.String(length=20), nullable=False),
            sa.Column('entity_id', sa.Integer(), nullable=False),
            sa.Column('reporter_id', sa.Integer(), nullable=False),
            sa.Column('reason', sa.Enum('personal_info', 'abuse', 'spam', 'off_topic', 'other', name='report_reason',
                                        native_enum=False, create_constraint=True, length=32), nullable=False),
            sa.Column('text', sa.Text(), nullable=False),
            sa.Column('created_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'],
                                    name=op.f('fk_contentreport_reporter_id_user_account'), ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id', name=op.f('pk_contentreport')),
            sa.UniqueConstraint('entity', 'entity_id', 'reporter_id', name='uq_contentreport_once'),
        )
        with op.batch_alter_table('contentreport', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_contentreport_reporter_id'), ['reporter_id'], unique=False)

        op.create_table(
            'moderationcase',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('entity', sa.String(length=20), nullable=False),
            sa.Column('entity_id', sa.Integer(), nullable=False),
            sa.Column('hidden', sa.Boolean(), nullable=False),
            sa.Column('hidden_reason', sa.Text(), nullable=False),
            sa.Column('hidden_by_id', sa.Integer(), nullable=True),
            sa.Column('hidden_at', webapp.models.base.UTCDateTime(timezone=True), nullable=True),
            sa.Column('needs_review', sa.Boolean(), nullable=False),
            sa.Column('cause', sa.String(length=20), nullable=False),
            sa.Column('open_reports', sa.Integer(), nullable=False),
            sa.Column('version', sa.Integer(), nullable=False),
            sa.Column('updated_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(['hidden_by_id'], ['user_account.id'],
                                    name=op.f('fk_moderationcase_hidden_by_id_user_account'), ondelete='SET NULL'),
            sa.PrimaryKeyConstraint('id', name=op.f('pk_moderationcase')),
            sa.UniqueConstraint('entity', 'entity_id', name='uq_moderationcase_item'),
        )
        with op.batch_alter_table('moderationcase', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_moderationcase_hidden'), ['hidden'], unique=False)
            batch_op.create_index(batch_op.f('ix_moderationcase_needs_review'), ['needs_review'], unique=False)
            batch_op.create_index(batch_op.f('ix_moderationcase_updated_at'), ['updated_at'], unique=False)

        op.create_table(
            'ngword',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('word', sa.String(length=50), nullable=False),
            sa.Column('normalized', sa.String(length=50), nullable=False),
            sa.Column('added_by_id', sa.Integer(), nullable=True),
            sa.Column('created_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
            sa.CheckConstraint('length(trim(word)) > 0', name=op.f('ck_ngword_word_not_blank')),
            sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'],
                                    name=op.f('fk_ngword_added_by_id_user_account'), ondelete='SET NULL'),
            sa.PrimaryKeyConstraint('id', name=op.f('pk_ngword')),
            sa.UniqueConstraint('normalized', name=op.f('uq_ngword_normalized')),
        )
        _queue_pending_guard_posts()
    finally:
        quiet.__exit__(None, None, None)


def downgrade() -> None:
    quiet = _quiet()
    try:
        op.drop_table('ngword')
        with op.batch_alter_table('moderationcase', schema=None) as batch_op:
            batch_op.drop_index(batch_op.f('ix_moderationcase_updated_at'))
            batch_op.drop_index(batch_op.f('ix_moderationcase_needs_review'))
            batch_op.drop_index(batch_op.f('ix_moderationcase_hidden'))
        op.drop_table('moderationcase')
        with op.batch_alter_table('contentreport', schema=None) as batch_op:
            batch_op.drop_index(batch_op.f('ix_contentreport_reporter_id'))
        op.drop_table('contentreport')
        op.execute(sa.text("DELETE FROM notification WHERE kind = 'moderation'"))
        _notification_kinds(NOTIFICATION_KINDS_0007)
    finally:
        quiet.__exit__(None, None, None)
