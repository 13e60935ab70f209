"""registrations: a short cancel code each, for the cancel link that fits in an SMS (/k/<code>)

Registrations made before get one too, so their confirmation page shows the short link as well (the messages
already sent keep the long signed link, which still works).

Revision ID: e7a2c4b9d1f6
Revises: e7a2c4f61b38
Create Date: 2026-12-04 20:40:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7a2c4b9d1f6'
down_revision = 'e7a2c4f61b38'
branch_labels = None
depends_on = None

#: As services/registration/service.py makes them: 10 of 32 letters and digits that cannot be misread.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _code() -> str:
    return "".join(ALPHABET[byte % 32] for byte in secrets.token_bytes(10))


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_code', sa.String(length=12), nullable=True))
        batch_op.create_index('ix_registrations_cancel_code', ['cancel_code'], unique=True)
    registrations = sa.table('registrations', sa.column('id', sa.String), sa.column('cancel_code', sa.String))
    connection = op.get_bind()
    ids = connection.execute(sa.select(registrations.c.id).where(registrations.c.cancel_code.is_(None))).scalars()
    for registration_id in list(ids):
        connection.execute(
            registrations.update().where(registrations.c.id == registration_id).values(cancel_code=_code())
        )


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_cancel_code')
        batch_op.drop_column('cancel_code')
