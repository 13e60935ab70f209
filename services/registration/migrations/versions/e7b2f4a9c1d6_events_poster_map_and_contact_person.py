"""events: a poster (kept re-encoded in event_posters), a map link and a contact person reached by WhatsApp

Revision ID: e7b2f4a9c1d6
Revises: e7a2c4b9d1f6
Create Date: 2026-12-04 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'e7b2f4a9c1d6'
down_revision = 'e7a2c4b9d1f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('map_url', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_whatsapp', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('poster_version', sa.String(length=16), nullable=True))
    op.create_table('event_posters',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('large', sa.LargeBinary(), nullable=False),
    sa.Column('large_width', sa.Integer(), nullable=False),
    sa.Column('large_height', sa.Integer(), nullable=False),
    sa.Column('small', sa.LargeBinary(), nullable=False),
    sa.Column('small_width', sa.Integer(), nullable=False),
    sa.Column('small_height', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('event_id')
    )


def downgrade():
    op.drop_table('event_posters')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('poster_version')
        batch_op.drop_column('contact_whatsapp')
        batch_op.drop_column('contact_name')
        batch_op.drop_column('map_url')
