"""registrations: drop ix_registrations_event_id, which the event's unique phone and email indexes already cover

Every look-up by event uses the leftmost column of uq_registrations_event_phone, uq_registrations_event_email or
ix_registrations_event_waitlist; the single-column index only cost each registration one more index write.

Revision ID: c5e8a1d2f304
Revises: b41c7e2f9a10
Create Date: 2026-11-29 04:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5e8a1d2f304'
down_revision = 'b41c7e2f9a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_id')


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_event_id', ['event_id'], unique=False)
