"""A random identity for each database (changelogversion.database_id), so that index snapshots on
disk are only ever loaded into the database that wrote them (services/index_snapshots.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:30:00
"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('changelogversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('database_id', sa.String(length=32), nullable=True))
    op.execute(sa.text("UPDATE changelogversion SET database_id = :id WHERE database_id IS NULL")
               .bindparams(id=uuid.uuid4().hex))


def downgrade():
    with op.batch_alter_table('changelogversion', schema=None) as batch_op:
        batch_op.drop_column('database_id')
