"""report covering indexes: the GROUP BY counts read indexes, not tables

Revision ID: c3d1e5f7a9b2
Revises: aafb5f62533a
Create Date: 2026-11-25 16:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3d1e5f7a9b2'
down_revision = 'aafb5f62533a'
branch_labels = None
depends_on = None

REGISTRATION_COLUMNS = [
    'event_id', 'status', 'disability', 'checked_in_at', 'kabupaten_code', 'gender', 'age_group', 'participant_type',
    'desa_code',
]


def upgrade():
    # Each new index starts with event_id, so it also serves the lookups the old single-column one did.
    with op.batch_alter_table('registration_facts', schema=None) as batch_op:
        batch_op.create_index('ix_registration_facts_report', REGISTRATION_COLUMNS, unique=False)
        batch_op.drop_index('ix_registration_facts_event_id')

    with op.batch_alter_table('delivery_facts', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_facts_report', ['event_id', 'channel', 'status'], unique=False)
        batch_op.drop_index('ix_delivery_facts_event_id')


def downgrade():
    with op.batch_alter_table('delivery_facts', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_facts_event_id', ['event_id'], unique=False)
        batch_op.drop_index('ix_delivery_facts_report')

    with op.batch_alter_table('registration_facts', schema=None) as batch_op:
        batch_op.create_index('ix_registration_facts_event_id', ['event_id'], unique=False)
        batch_op.drop_index('ix_registration_facts_report')
