"""inbound replies: one effect per provider message id

Revision ID: d5a1c3e7f9b2
Revises: d5a1c7e3b9f2
Create Date: 2026-12-05 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'd5a1c3e7f9b2'
down_revision = 'd5a1c7e3b9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbound_replies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('received_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('inbound_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_replies_received_at'), ['received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('inbound_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_replies_received_at'))
    op.drop_table('inbound_replies')
