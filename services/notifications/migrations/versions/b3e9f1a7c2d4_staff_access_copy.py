"""staff_access: this service's copy of each staff account's token version and active flag (from staff.changed)

Revision ID: b3e9f1a7c2d4
Revises: b8d3f1a6c2e9
Create Date: 2026-12-04 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'b3e9f1a7c2d4'
down_revision = 'b8d3f1a6c2e9'
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
