""""Data saya": each participant's message history and one-time access codes

Revision ID: f1a9d3c7e2b4
Revises: f1a7c3e5b209
Create Date: 2026-12-04 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'f1a9d3c7e2b4'
down_revision = 'f1a7c3e5b209'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'message_history',
        sa.Column('notification_id', sa.String(length=36), nullable=False),
        sa.Column('registration_id', sa.String(length=36), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('purpose', sa.String(length=30), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('notification_id'),
    )
    with op.batch_alter_table('message_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_history_registration_id'), ['registration_id'], unique=False)
    op.create_table(
        'access_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.String(length=36), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('access_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_codes_registration_id'), ['registration_id'], unique=False)


def downgrade():
    with op.batch_alter_table('access_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_codes_registration_id'))
    op.drop_table('access_codes')
    with op.batch_alter_table('message_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_history_registration_id'))
    op.drop_table('message_history')
