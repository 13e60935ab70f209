"""evaluation after a training: one evaluation per attendee, knowledge-test questions and pre-test scores; events can
make the certificate wait for the evaluation

Revision ID: c8e4a2f6b1d9
Revises: a3c9e5d1f7b2
Create Date: 2026-12-05 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'c8e4a2f6b1d9'
down_revision = 'a3c9e5d1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    # A plain column, added in place (SQLite would otherwise rebuild events, which registrations refer to).
    op.add_column('events', sa.Column('certificate_after_evaluation', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table('evaluations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('requested_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', shared.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('material', sa.Integer(), nullable=True),
    sa.Column('trainer', sa.Integer(), nullable=True),
    sa.Column('venue', sa.Integer(), nullable=True),
    sa.Column('action_plan', sa.String(length=300), nullable=False),
    sa.Column('comments', sa.String(length=2000), nullable=False),
    sa.Column('post_score', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('registration_id')
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_event_id'), ['event_id'], unique=False)
    op.create_table('knowledge_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('knowledge_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_questions_event_id'), ['event_id'], unique=False)
    op.create_table('knowledge_pretests',
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('answered_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('registration_id')
    )
    with op.batch_alter_table('knowledge_pretests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_pretests_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('knowledge_pretests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_pretests_event_id'))
    op.drop_table('knowledge_pretests')
    with op.batch_alter_table('knowledge_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_questions_event_id'))
    op.drop_table('knowledge_questions')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_event_id'))
    op.drop_table('evaluations')
    op.drop_column('events', 'certificate_after_evaluation')  # SQLite 3.35+ drops a plain column in place
