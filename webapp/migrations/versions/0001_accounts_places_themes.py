"""Accounts, the city's towns and 町丁目, and the 20 themes.

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(254), nullable=False),
    sa.Column('display_name', sa.String(80), nullable=False),
    sa.Column('password_hash', sa.String(255), nullable=False),
    sa.Column('role', sa.Enum('resident', 'staff', 'admin', name='user_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("email LIKE '%_@_%'", name=op.f('ck_user_account_email_has_at')),
    sa.CheckConstraint('length(trim(display_name)) > 0', name=op.f('ck_user_account_display_name_not_blank')),
    sa.CheckConstraint('length(trim(email)) > 0', name=op.f('ck_user_account_email_not_blank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account'))
    )

    op.create_table('area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_code', sa.String(6), nullable=False),
    sa.Column('name', sa.String(60), nullable=False),
    sa.Column('kana', sa.String(120), nullable=False),
    sa.Column('postal_code', sa.String(7), nullable=False),
    sa.Column('district', sa.String(60), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.CheckConstraint('lat BETWEEN -90 AND 90', name=op.f('ck_area_lat_range')),
    sa.CheckConstraint('length(postal_code) = 7', name=op.f('ck_area_postal_code_7_digits')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_area_name_not_blank')),
    sa.CheckConstraint('lng BETWEEN -180 AND 180', name=op.f('ck_area_lng_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area')),
    sa.UniqueConstraint('city_code', 'name', name='uq_area_city_code_name')
    )
    op.create_index('ix_area_city_code', 'area', ['city_code'], unique=False)

    op.create_table('chome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(60), nullable=False),
    sa.Column('postal_code', sa.String(7), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.CheckConstraint('lat BETWEEN -90 AND 90', name=op.f('ck_chome_lat_range')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_chome_name_not_blank')),
    sa.CheckConstraint('lng BETWEEN -180 AND 180', name=op.f('ck_chome_lng_range')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_chome_area_id_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chome')),
    sa.UniqueConstraint('area_id', 'name', name='uq_chome_area_id_name')
    )
    op.create_index('ix_chome_area_id', 'chome', ['area_id'], unique=False)

    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(40), nullable=False),
    sa.Column('name', sa.String(60), nullable=False),
    sa.Column('legal_name', sa.String(200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_theme_name_not_blank')),
    sa.CheckConstraint('number BETWEEN 1 AND 99', name=op.f('ck_theme_number_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
    sa.UniqueConstraint('code', name=op.f('uq_theme_code')),
    sa.UniqueConstraint('name', name=op.f('uq_theme_name')),
    sa.UniqueConstraint('number', name=op.f('uq_theme_number'))
    )
    # Case-insensitive e-mail uniqueness, also for rows written outside the app.
    op.create_index('uq_user_account_email_lower', 'user_account', [sa.text('lower(email)')], unique=True)


def downgrade() -> None:
    op.drop_table('theme')
    op.drop_table('chome')
    op.drop_table('area')
    op.drop_table('user_account')
