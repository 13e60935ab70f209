"""registration_facts keyed by the registration's pseudonym, not its id

Rows made before keep the registration id they were keyed by until `flask --app services.reporting.wsgi rekey`
replaces it with the pseudonym registration lists (docs/data.md, "Reporting's pseudonyms").

Revision ID: f2b8d4a6c1e3
Revises: f1b4c8d2a6e3
Create Date: 2026-12-05 00:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f2b8d4a6c1e3'
down_revision = 'f1b4c8d2a6e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration_facts', schema=None) as batch_op:
        batch_op.alter_column('registration_id', new_column_name='pseudonym')


def downgrade():
    with op.batch_alter_table('registration_facts', schema=None) as batch_op:
        batch_op.alter_column('pseudonym', new_column_name='registration_id')
