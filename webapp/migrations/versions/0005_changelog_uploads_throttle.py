"""Integrity under concurrency: the change log's version counter (indexchange.version, taken in
the writing transaction; AUTOINCREMENT ids on SQLite), confirmed register uploads (imported once),
and failed-login counters shared by all workers when Redis is not configured.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # Existing changes keep their order: version = id, and the counter starts at the highest.
    op.add_column('indexchange', sa.Column('version', sa.Integer(), nullable=True))
    op.execute("UPDATE indexchange SET version = id")
    with op.batch_alter_table('indexchange', recreate='always' if _sqlite() else 'auto',
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('version', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_indexchange_version'), ['version'], unique=False)
    op.create_table('changelogversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_changelogversion'))
    )
    op.execute("INSERT INTO changelogversion (id, version) SELECT 1, COALESCE(MAX(id), 0) FROM indexchange")
    op.create_table('registerupload',
    sa.Column('token', sa.String(64), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'],
                            name=op.f('fk_registerupload_imported_by_id_user_account')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_registerupload'))
    )
    op.create_table('ratelimitcounter',
    sa.Column('key', sa.String(200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_ratelimitcounter'))
    )
    with op.batch_alter_table('ratelimitcounter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratelimitcounter_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ratelimitcounter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratelimitcounter_expires_at'))
    op.drop_table('ratelimitcounter')
    op.drop_table('registerupload')
    op.drop_table('changelogversion')
    with op.batch_alter_table('indexchange', recreate='always' if _sqlite() else 'auto') as batch_op:
        batch_op.drop_index(batch_op.f('ix_indexchange_version'))
        batch_op.drop_column('version')
