"""api keys for partner systems; registrations remember when a confirmation was last asked for

Revision ID: e7a2c4f61b38
Revises: c5e8a1d2f304
Create Date: 2026-12-04 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'e7a2c4f61b38'
down_revision = 'c5e8a1d2f304'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.String(length=30), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_hash'),
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_requested_at', shared.db.UTCDateTime(timezone=True), nullable=True))
    # Each registration was confirmed when it was made: a repeat soon after waits out the pace like any other.
    op.execute("UPDATE registrations SET confirmation_requested_at = registered_at")


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('confirmation_requested_at')
    op.drop_table('api_keys')
