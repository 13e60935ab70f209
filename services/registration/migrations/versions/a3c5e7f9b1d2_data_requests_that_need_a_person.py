"""data requests that need a person: due in 3 x 24 hours, closed by staff with an outcome

Revision ID: a3c5e7f9b1d2
Revises: f1a9d3c7e2b4
Create Date: 2026-12-05 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'a3c5e7f9b1d2'
down_revision = 'f1a9d3c7e2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.String(length=36), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('received_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('due_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('closed_at', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('closed_by', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('carried_out_at', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_requests_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_requests_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_requests_due_at'), ['due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_requests_due_at'))
        batch_op.drop_index(batch_op.f('ix_data_requests_event_id'))
        batch_op.drop_index(batch_op.f('ix_data_requests_registration_id'))
    op.drop_table('data_requests')
