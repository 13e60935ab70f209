"""registrations can be anonymised: full_name and checkin_code may be erased (NULL) after the retention period

Revision ID: e7a2c4b91d06
Revises: e7b2f4a9c1d6
Create Date: 2026-12-04 20:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a2c4b91d06'
down_revision = 'e7b2f4a9c1d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('full_name', existing_type=sa.String(length=200), nullable=True)
        batch_op.alter_column('checkin_code', existing_type=sa.String(length=12), nullable=True)


def downgrade():
    # Anonymised rows get placeholders again: a unique code of their own (their id's head) and no name.
    op.execute("UPDATE registrations SET full_name = '' WHERE full_name IS NULL")
    op.execute("UPDATE registrations SET checkin_code = substr(id, 1, 12) WHERE checkin_code IS NULL")
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('full_name', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('checkin_code', existing_type=sa.String(length=12), nullable=False)
