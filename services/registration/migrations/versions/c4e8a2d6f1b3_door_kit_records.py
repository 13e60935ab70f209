"""door kit: the records phones at the door synced, kept by the phone's own id (idempotent sync)

Revision ID: c4e8a2d6f1b3
Revises: c8e4a2f6b1d3
Create Date: 2026-12-05 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'c4e8a2d6f1b3'
down_revision = 'c8e4a2f6b1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('door_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('made_at', shared.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('door_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_door_records_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_door_records_registration_id'), ['registration_id'], unique=False)


def downgrade():
    with op.batch_alter_table('door_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_door_records_registration_id'))
        batch_op.drop_index(batch_op.f('ix_door_records_event_id'))
    op.drop_table('door_records')
