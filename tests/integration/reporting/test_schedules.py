"""Scheduled reports: generated and published once per (schedule, period), retried, paused after 5 failures."""

import base64
import io
from datetime import timedelta

import openpyxl
import sqlalchemy as sa

from services.reporting import schedules, service
from services.reporting.extensions import db
from services.reporting.models import OutboxMessage, ReportRun, ReportSchedule
from shared.messaging.contracts import consume
from tests.integration.reporting import scenario

MONDAY_8 = scenario.NOW  # Monday 16 March 2026, 08.00 WITA


def sent_events(app) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == "report.generated")).all()
        return [consume(row.envelope)[1] for row in rows]


def beat_and_build(app, now) -> list[str]:
    with app.app_context():
        return [service.build_report(run_id, now=now) for run_id in service.run_due_reports(now=now)]


def test_beat_firing_twice_generates_and_publishes_the_week_once(fed, weekly, time_machine):
    time_machine.move_to(MONDAY_8 + timedelta(minutes=1))
    now = MONDAY_8 + timedelta(minutes=1)
    with fed.app_context():
        first, second = service.run_due_reports(now=now), service.run_due_reports(now=now)
        assert first == second and len(first) == 1
        outcomes = [service.build_report(first[0], now=now), service.build_report(first[0], now=now)]
    assert outcomes == ["sent", "skipped"]
    assert beat_and_build(fed, now + timedelta(hours=1)) == []
    [payload] = sent_events(fed)
    assert payload["recipients"] == ["kabid@dispersip.id", "kadis@dispersip.id"]
    assert str(payload["period_start"]) == "2026-03-09" and str(payload["period_end"]) == "2026-03-15"
    assert payload["subject"] == (
        "Laporan mingguan Transformasi Perpustakaan Berbasis Inklusi Sosial (TPBIS): 9 Maret 2026 – 15 Maret 2026"
        " · Seluruh Kalimantan Selatan"
    )
    assert "Kegiatan terlaksana: 3" in payload["body_text"]
    assert "Siti" not in payload["body_text"] and "+62" not in payload["body_text"]
    files = {a["filename"]: base64.b64decode(a["content_base64"]) for a in payload["attachments"]}
    assert set(files) == {"pelita-2026-03-09_2026-03-15-kalsel.xlsx", "pelita-2026-03-09_2026-03-15-kalsel.pdf"}
    workbook = openpyxl.load_workbook(io.BytesIO(files["pelita-2026-03-09_2026-03-15-kalsel.xlsx"]))
    assert workbook["Ringkasan"]["B6"].value == scenario.expected()["events_held"]
    assert files["pelita-2026-03-09_2026-03-15-kalsel.pdf"].startswith(b"%PDF")


def test_nothing_is_due_before_monday_eight_wita(fed, weekly):
    with fed.app_context():
        runs = service.run_due_reports(now=MONDAY_8 - timedelta(minutes=1))
        periods = db.session.execute(sa.select(ReportRun.period_start)).scalars().all()
    assert len(runs) == 1 and [str(p) for p in periods] == ["2026-03-02"]  # the week before, not this one


def test_a_build_killed_mid_way_is_taken_over_after_the_timeout_and_sent_once(fed, weekly, time_machine):
    time_machine.move_to(MONDAY_8)
    with fed.app_context():
        [run_id] = service.run_due_reports(now=MONDAY_8)
        # a worker claims the run and dies (SIGKILL) before finishing: the claim stays, nothing is sent
        db.session.execute(
            sa.update(ReportRun).values(status="building", claim_token="dead-worker", claimed_at=MONDAY_8)
        )
        db.session.commit()
        assert service.build_report(run_id, now=MONDAY_8 + timedelta(seconds=5)) == "skipped"  # redelivered early
        assert service.run_due_reports(now=MONDAY_8 + timedelta(minutes=1)) == []
        later = MONDAY_8 + timedelta(seconds=fed.config["REPORT_STUCK_AFTER_SECONDS"] + 1)
        assert service.run_due_reports(now=later) == [run_id]
        assert service.build_report(run_id, now=later) == "sent"
    assert len(sent_events(fed)) == 1


def test_a_failing_schedule_retries_and_is_paused_after_five_failures_in_a_row(fed, weekly, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(schedules, "render_report", broken)
    now = MONDAY_8
    outcomes = []
    for _ in range(6):
        outcomes += beat_and_build(fed, now)
        now += timedelta(seconds=fed.config["REPORT_RETRY_SECONDS"] + 1)
    assert outcomes == ["failed"] * 5
    with fed.app_context():
        schedule = db.session.get(ReportSchedule, weekly)
        assert (schedule.active, schedule.failures_in_a_row) == (False, 5)
        assert schedule.paused_reason == "RuntimeError: disk penuh"
    assert sent_events(fed) == []


def test_the_signed_link_downloads_the_files_until_it_expires(fed, weekly, time_machine):
    time_machine.move_to(MONDAY_8)
    beat_and_build(fed, MONDAY_8)
    [payload] = sent_events(fed)
    path = payload["download_url"].split("://", 1)[1].split("/", 1)[1]
    client = fed.test_client()
    response = client.get(f"/{path}/unduh.xlsx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert client.get(f"/{path}x/unduh.pdf").status_code == 404
    time_machine.move_to(MONDAY_8 + timedelta(days=fed.config["REPORT_LINK_DAYS"] + 1))
    assert client.get(f"/{path}/unduh.pdf").status_code == 410
