"""registering someone else: who registered a person, a contact shared by several people, consent given in person

Revision ID: c8e4a2f6b1d3
Revises: a3c9e5d1f7b2
Create Date: 2026-12-05 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8e4a2f6b1d3'
down_revision = 'a3c9e5d1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('contact_for', sa.String(length=200), server_default='', nullable=False))
        # A contact shared by several people (the registrant's) is told apart by each person's name.
        batch_op.drop_constraint('uq_registrations_event_phone', type_='unique')
        batch_op.drop_constraint('uq_registrations_event_email', type_='unique')
        batch_op.create_unique_constraint('uq_registrations_event_phone', ['event_id', 'phone', 'contact_for'])
        batch_op.create_unique_constraint('uq_registrations_event_email', ['event_id', 'email', 'contact_for'])
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('given_to_registrant', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    # Registrations on a shared contact would break the old one-per-phone rule: they keep their row, not the contact.
    op.execute("UPDATE registrations SET phone = NULL, email = NULL WHERE contact_for <> ''")
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('given_to_registrant')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_registrations_event_phone', type_='unique')
        batch_op.drop_constraint('uq_registrations_event_email', type_='unique')
        batch_op.create_unique_constraint('uq_registrations_event_phone', ['event_id', 'phone'])
        batch_op.create_unique_constraint('uq_registrations_event_email', ['event_id', 'email'])
        batch_op.drop_column('contact_for')
        batch_op.drop_column('registered_by')
