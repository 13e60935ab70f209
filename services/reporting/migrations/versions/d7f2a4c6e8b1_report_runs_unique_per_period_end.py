"""report runs unique per (schedule, first day, last day): a report of the current period so far, sent on demand,
is its own run beside the full period's

Revision ID: d7f2a4c6e8b1
Revises: c3d1e5f7a9b2
Create Date: 2026-12-04 21:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd7f2a4c6e8b1'
down_revision = 'c3d1e5f7a9b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_constraint('uq_report_runs_schedule_period', type_='unique')
        batch_op.create_unique_constraint(
            'uq_report_runs_schedule_period_end', ['schedule_id', 'period_start', 'period_end']
        )


def downgrade():
    # Only one run per (schedule, first day) may stay: the on-demand runs of a period so far go.
    op.execute(
        "DELETE FROM report_runs WHERE EXISTS (SELECT 1 FROM report_runs AS later"
        " WHERE later.schedule_id = report_runs.schedule_id AND later.period_start = report_runs.period_start"
        " AND later.period_end > report_runs.period_end)"
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_constraint('uq_report_runs_schedule_period_end', type_='unique')
        batch_op.create_unique_constraint('uq_report_runs_schedule_period', ['schedule_id', 'period_start'])
