"""events count their waitlist

Revision ID: b41c7e2f9a10
Revises: da9304b43748
Create Date: 2026-11-25 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b41c7e2f9a10'
down_revision = 'da9304b43748'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_count', sa.Integer(), server_default='0', nullable=False))
    # Events that already have a waitlist start from the people waiting on it now.
    op.execute(
        "UPDATE events SET waitlist_count = (SELECT count(*) FROM registrations"
        " WHERE registrations.event_id = events.id AND registrations.status = 'waitlisted')"
    )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('waitlist_count')
