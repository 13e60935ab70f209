"""recipients: reminders consent withdrawn on a channel

Revision ID: d5a1c7e3b9f2
Revises: c4f0a2b8d6e1
Create Date: 2026-12-04 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a1c7e3b9f2'
down_revision = 'c4f0a2b8d6e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_withdrawn_channel', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.drop_column('reminders_withdrawn_channel')
