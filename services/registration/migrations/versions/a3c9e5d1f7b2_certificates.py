"""certificates: e-sertifikat per attendee with a yearly number counter; events gain JP hours and a signatory

Revision ID: a3c9e5d1f7b2
Revises: b6d2f8a4c0e7
Create Date: 2026-12-04 23:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision = 'a3c9e5d1f7b2'
down_revision = 'b6d2f8a4c0e7'
branch_labels = None
depends_on = None


def upgrade():
    # Plain columns, added (and dropped) in place: SQLite would otherwise rebuild events, which the registrations
    # referring to it refuse once they hold rows.
    op.add_column('events', sa.Column('jp_hours', sa.Integer(), nullable=True))
    op.add_column('events', sa.Column('signatory_name', sa.String(length=200), server_default='', nullable=False))
    op.add_column('events', sa.Column('signatory_title', sa.String(length=200), server_default='', nullable=False))
    op.add_column('events', sa.Column('signatory_nip', sa.String(length=18), server_default='', nullable=False))
    op.add_column('events', sa.Column('signature_png', sa.LargeBinary(), nullable=True))
    op.create_table('certificate_wording',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('heading', sa.String(length=40), nullable=False),
    sa.Column('given_to', sa.String(length=100), nullable=False),
    sa.Column('body', sa.String(length=600), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.Column('updated_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('certificate_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('certificates',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('download_code', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('jp_hours', sa.Integer(), nullable=True),
    sa.Column('kabupaten_name', sa.String(length=100), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('signatory_nip', sa.String(length=18), nullable=False),
    sa.Column('issued_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', shared.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.String(length=500), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('download_code'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('registration_id'),
    sa.UniqueConstraint('slug'),
    sa.UniqueConstraint('year', 'seq', name='uq_certificates_year_seq')
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_event_id'))
    op.drop_table('certificates')
    op.drop_table('certificate_counters')
    op.drop_table('certificate_wording')
    for column in ('signature_png', 'signatory_nip', 'signatory_title', 'signatory_name', 'jp_hours'):
        op.drop_column('events', column)  # SQLite 3.35+ drops a plain column in place
