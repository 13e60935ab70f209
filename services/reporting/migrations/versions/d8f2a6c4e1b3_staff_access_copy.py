"""staff_access: this service's copy of each staff account's token version and active flag (from staff.changed)

Revision ID: d8f2a6c4e1b3
Revises: d7f2a4c6e8b1
Create Date: 2026-12-04 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'd8f2a6c4e1b3'
down_revision = 'd7f2a4c6e8b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_access',
        sa.Column('staff_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token_version', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('staff_id'),
    )


def downgrade():
    op.drop_table('staff_access')
