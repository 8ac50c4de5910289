"""A staff TOTP code is good for one login only: the newest accepted time step per account.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): rebuilding user_account on SQLite would lose its lower(email) index.
    op.add_column('user_account', sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('user_account', 'totp_last_step')
