"""GET /metrics of the reporting service: report runs by state and paused schedules, besides the queue and outbox
every service shows (shared/metrics.py)."""

from prometheus_client.core import GaugeMetricFamily

from services.reporting import queries
from services.reporting.extensions import db
from services.reporting.models import OutboxMessage
from services.reporting.states import RunStatus
from shared.metrics import make_metrics_blueprint

#: Shown at 0 when no run is in that state, so a rate or an alert over them has a baseline.
RUN_STATES = tuple(RunStatus)


def _families():
    runs = GaugeMetricFamily(
        "pelita_reporting_report_runs", "Report runs (one per schedule and period) by state", labels=["state"]
    )
    counts = dict.fromkeys(RUN_STATES, 0) | dict(queries.run_counts())
    for state, count in counts.items():
        runs.add_metric([state], count)
    paused = GaugeMetricFamily(
        "pelita_reporting_schedules_paused", "Report schedules paused after failing again and again (send nothing)"
    )
    paused.add_metric([], queries.paused_schedule_count())
    return [runs, paused]


bp = make_metrics_blueprint(db, OutboxMessage, _families)
