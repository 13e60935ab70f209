"""registrations record a reply "will attend"

Revision ID: b6d2f8a4c0e7
Revises: a3c5e7f9b1d2
Create Date: 2026-12-05 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'b6d2f8a4c0e7'
down_revision = 'a3c5e7f9b1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('registrations', sa.Column('will_attend_at', shared.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('registrations', 'will_attend_at')  # SQLite 3.35+ drops a plain column in place
