"""notifications remember when the dispatcher handed them out

Revision ID: 9a41c0d2e7b5
Revises: 13c223e641ec
Create Date: 2026-11-25 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = '9a41c0d2e7b5'
down_revision = '13c223e641ec'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_out_at', shared.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('handed_out_at')
