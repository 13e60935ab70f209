"""recipients can be anonymised: full_name, checkin_code and cancel_url may be erased (NULL) after retention

Revision ID: b8d3f1a6c2e9
Revises: 9a41c0d2e7b5
Create Date: 2026-12-04 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d3f1a6c2e9'
down_revision = '9a41c0d2e7b5'
branch_labels = None
depends_on = None

COLUMNS = (('full_name', 200), ('checkin_code', 12), ('cancel_url', 500))


def upgrade():
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.alter_column(name, existing_type=sa.String(length=length), nullable=True)


def downgrade():
    for name, _length in COLUMNS:  # anonymised rows get an empty placeholder again
        op.execute(f"UPDATE recipients SET {name} = '' WHERE {name} IS NULL")
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.alter_column(name, existing_type=sa.String(length=length), nullable=False)
