"""registering someone else: who registered a person, the registrant's contact for one without their own (shared by
several people, told apart by name), consent given in person

Revision ID: c8e4a2f6b1d3
Revises: c8e4a2f6b1d9
Create Date: 2026-12-05 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8e4a2f6b1d3'
down_revision = 'c8e4a2f6b1d9'
branch_labels = None
depends_on = None


def upgrade():
    # Columns and indexes only: SQLite adds them in place (no copy of a table other tables point at).
    op.add_column('registrations', sa.Column('registered_by', sa.String(length=200), nullable=True))
    op.add_column('registrations', sa.Column('contact_phone', sa.String(length=20), nullable=True))
    op.add_column('registrations', sa.Column('contact_email', sa.String(length=254), nullable=True))
    op.add_column('registrations', sa.Column('contact_for', sa.String(length=200), server_default='', nullable=False))
    op.create_index(
        'uq_registrations_event_contact_phone', 'registrations', ['event_id', 'contact_phone', 'contact_for'], unique=True
    )
    op.create_index(
        'uq_registrations_event_contact_email', 'registrations', ['event_id', 'contact_email', 'contact_for'], unique=True
    )
    op.add_column(
        'consents', sa.Column('given_to_registrant', sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade():
    op.drop_column('consents', 'given_to_registrant')  # SQLite 3.35+ drops a plain column in place
    op.drop_index('uq_registrations_event_contact_email', table_name='registrations')
    op.drop_index('uq_registrations_event_contact_phone', table_name='registrations')
    for column in ('contact_for', 'contact_email', 'contact_phone', 'registered_by'):
        op.drop_column('registrations', column)
