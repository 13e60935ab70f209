"""registrations: separate consents, each with the privacy notice version shown (training, messages, statistics)

The old bundled consent (registrations.consent_at) becomes a consent of purpose "training" with notice version
"legacy", the notice of that time, still shown at /privasi/legacy.

Revision ID: f3c1a8d5e2b7
Revises: e7b2c4d9a1f0
Create Date: 2026-12-04 21:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'f3c1a8d5e2b7'
down_revision = 'e7b2c4d9a1f0'
branch_labels = None
depends_on = None


# SQLite rebuilds `registrations` to drop or tighten a column, which a table referencing it would forbid: so the
# times move through a scratch table while `consents` does not exist.


def upgrade():
    op.execute("CREATE TABLE consent_times AS SELECT id, consent_at FROM registrations")
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('consent_at')
    op.create_table(
        'consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.String(length=36), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('notice_version', sa.String(length=20), nullable=False),
        sa.Column('given_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('withdrawn_at', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('registration_id', 'purpose', name='uq_consents_registration_purpose'),
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index('ix_consents_registration_id', ['registration_id'], unique=False)
    op.execute(
        "INSERT INTO consents (registration_id, purpose, notice_version, given_at) "
        "SELECT id, 'training', 'legacy', consent_at FROM consent_times"
    )
    op.drop_table('consent_times')


def downgrade():
    op.execute(
        "CREATE TABLE consent_times AS SELECT registration_id AS id, MIN(given_at) AS consent_at "
        "FROM consents GROUP BY registration_id"
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('ix_consents_registration_id')
    op.drop_table('consents')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_at', shared.db.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE registrations SET consent_at = COALESCE("
        "(SELECT consent_at FROM consent_times WHERE consent_times.id = registrations.id), registered_at)"
    )
    op.drop_table('consent_times')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('consent_at', existing_type=shared.db.UTCDateTime(timezone=True), nullable=False)
