"""evaluation facts: each attendee's evaluation scores under the registration's pseudonym (the impact figures)

Revision ID: a4c7e2f9b1d6
Revises: b5d2f8a1c3e7
Create Date: 2026-12-05 23:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'a4c7e2f9b1d6'
down_revision = 'b5d2f8a1c3e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evaluation_facts',
        sa.Column('pseudonym', sa.String(length=36), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('material', sa.SmallInteger(), nullable=False),
        sa.Column('trainer', sa.SmallInteger(), nullable=False),
        sa.Column('venue', sa.SmallInteger(), nullable=False),
        sa.Column('questions', sa.SmallInteger(), nullable=False),
        sa.Column('pre_score', sa.SmallInteger(), nullable=True),
        sa.Column('post_score', sa.SmallInteger(), nullable=True),
        sa.Column('submitted_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('pseudonym'),
    )
    op.create_index('ix_evaluation_facts_event_id', 'evaluation_facts', ['event_id'], unique=False)


def downgrade():
    op.drop_index('ix_evaluation_facts_event_id', table_name='evaluation_facts')
    op.drop_table('evaluation_facts')
