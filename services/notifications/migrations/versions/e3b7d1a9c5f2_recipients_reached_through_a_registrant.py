"""recipients reached through the one who registered them: the registrant's name, said in every message

Revision ID: e3b7d1a9c5f2
Revises: d5a1c3e7f9b2
Create Date: 2026-12-05 23:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b7d1a9c5f2'
down_revision = 'd5a1c3e7f9b2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('recipients', sa.Column('contact_name', sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column('recipients', 'contact_name')  # SQLite 3.35+ drops a plain column in place
