"""Reporting's GET /metrics after scheduled reports run: runs by state, and a schedule paused by its failures."""

from datetime import timedelta

from services.reporting import schedules
from tests.integration.reporting.test_schedules import MONDAY_8, beat_and_build
from tests.support import read_metrics

PAUSED = ("pelita_reporting_schedules_paused",)


def runs(metrics, state: str) -> float:
    return metrics[("pelita_reporting_report_runs", ("state", state))]


def test_a_sent_report_is_counted_and_nothing_is_paused(fed, weekly):
    client = fed.test_client()
    before = read_metrics(client)
    assert [runs(before, state) for state in ("pending", "building", "sent", "failed")] == [0, 0, 0, 0]
    assert beat_and_build(fed, MONDAY_8 + timedelta(minutes=1)) == ["sent"]
    metrics = read_metrics(client)
    assert runs(metrics, "sent") == 1 and metrics[PAUSED] == 0


def test_a_schedule_paused_after_failing_again_and_again_shows_for_the_alert(fed, weekly, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(schedules, "render_report", broken)
    now = MONDAY_8
    for _ in range(5):
        beat_and_build(fed, now)
        now += timedelta(seconds=fed.config["REPORT_RETRY_SECONDS"] + 1)
    metrics = read_metrics(fed.test_client())
    assert runs(metrics, "failed") == 1 and runs(metrics, "sent") == 0
    assert metrics[PAUSED] == 1
