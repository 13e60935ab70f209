"""report runs may name their own recipients: "send now" on a schedule with none goes to the staff member who asked

Revision ID: f1b4c8d2a6e3
Revises: e9a3b7d1f5c2
Create Date: 2026-12-04 23:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1b4c8d2a6e3'
down_revision = 'e9a3b7d1f5c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipients', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_column('recipients')
