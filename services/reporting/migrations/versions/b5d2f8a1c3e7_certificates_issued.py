"""registration facts: when the person's certificate was issued and revoked (certificates issued, in the figures)

Revision ID: b5d2f8a1c3e7
Revises: f2b8d4a6c1e3
Create Date: 2026-12-04 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'b5d2f8a1c3e7'
down_revision = 'f2b8d4a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('registration_facts', sa.Column('certificate_issued_at', shared.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('registration_facts', sa.Column('certificate_revoked_at', shared.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('registration_facts', 'certificate_revoked_at')  # SQLite 3.35+ drops a plain column in place
    op.drop_column('registration_facts', 'certificate_issued_at')
