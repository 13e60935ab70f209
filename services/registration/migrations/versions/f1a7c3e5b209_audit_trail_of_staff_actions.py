"""audit trail of staff actions; registrations remember the API key that made them

Revision ID: f1a7c3e5b209
Revises: f3c1a8d5e2b7
Create Date: 2026-12-04 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'f1a7c3e5b209'
down_revision = 'f3c1a8d5e2b7'
branch_labels = None
depends_on = None

#: On PostgreSQL the database itself refuses to change a row of the trail (retention still deletes old ones).
REFUSE_UPDATE = """
CREATE OR REPLACE FUNCTION audit_log_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_update();
"""


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('staff_email', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('object_id', sa.String(length=100), nullable=True),
    sa.Column('client_address', sa.String(length=45), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)

    # A plain column (no foreign key: keys are revoked, never deleted), so SQLite adds it in place instead of
    # rebuilding registrations, which the consents referring to it would refuse once it holds rows.
    op.add_column('registrations', sa.Column('api_key_id', sa.Integer(), nullable=True))
    op.create_index('ix_registrations_api_key_id', 'registrations', ['api_key_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(REFUSE_UPDATE)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log')
        op.execute('DROP FUNCTION IF EXISTS audit_log_refuse_update()')
    op.drop_index('ix_registrations_api_key_id', table_name='registrations')
    op.drop_column('registrations', 'api_key_id')  # SQLite 3.35+ drops a plain column in place

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))
        batch_op.drop_index(batch_op.f('ix_audit_log_staff_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
