"""registrations record a reply "will attend"

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
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('will_attend_at', shared.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('will_attend_at')
