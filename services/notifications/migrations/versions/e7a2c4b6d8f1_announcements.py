"""announcements to an event's people, and who checked in at the door

Revision ID: e7a2c4b6d8f1
Revises: e3b7d1a9c5f2
Create Date: 2026-12-05 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'e7a2c4b6d8f1'
down_revision = 'e3b7d1a9c5f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=True),
    sa.Column('created_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('unreachable', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_event_id'), ['event_id'], unique=False)
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_in_at', shared.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.drop_column('checked_in_at')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_event_id'))
    op.drop_table('announcements')
