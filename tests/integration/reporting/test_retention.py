"""Retention in the reporting store: bus records go on their own clocks, the figures never change."""

import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from services.reporting import retention, service
from services.reporting.extensions import db
from services.reporting.figures import Scope
from services.reporting.models import DeadLetter, OutboxMessage, ProcessedMessage
from shared.messaging.names import EventNames, TaskNames
from tests.integration.reporting import scenario
from tests.integration.reporting.conftest import feed
from tests.integration.retention import table_rows

READ_MODEL = ("event_facts", "registration_facts", "delivery_facts")


def report_generated() -> dict:
    return {
        "report_id": str(uuid.uuid4()),
        "recipients": ["kabid@dispersip.id"],
        "subject": "Laporan mingguan",
        "body_text": "Ringkasan minggu ini.",
        "download_url": "http://127.0.0.1:8003/laporan/unduh/tanda-tangan",
        "period_start": date(2026, 3, 9).isoformat(),
        "period_end": date(2026, 3, 15).isoformat(),
    }


def test_the_purge_leaves_the_figures_as_they_were_and_keeps_what_is_not_delivered(reporting, time_machine):
    time_machine.move_to(scenario.NOW)
    assert set(feed(reporting, scenario.envelopes())) == {"processed"}
    with reporting.app_context():
        for _ in range(2):
            service.bus.emit(EventNames.REPORT_GENERATED, report_generated())
        db.session.add(DeadLetter(message_id="x1", type="registration.created", reason="bad", body={"n": "Siti"}))
        db.session.commit()
        delivered, waiting = db.session.scalars(sa.select(OutboxMessage.message_id).order_by(OutboxMessage.seq))
        service.bus.ack(delivered, TaskNames.NOTIFICATIONS_HANDLE_EVENT)
        figures = service.compute_figures(Scope(*scenario.PERIOD), now=scenario.NOW)
        read_model = {table: table_rows(db, table) for table in READ_MODEL}
        processed = db.session.scalar(sa.select(sa.func.count()).select_from(ProcessedMessage))

    time_machine.move_to(scenario.NOW + timedelta(days=400))
    with reporting.app_context():
        first, second = retention.purge_old_data(), retention.purge_old_data()
        assert service.compute_figures(Scope(*scenario.PERIOD), now=scenario.NOW) == figures
        assert {table: table_rows(db, table) for table in READ_MODEL} == read_model
        assert list(db.session.scalars(sa.select(OutboxMessage.message_id))) == [waiting]  # never delivered: kept
    assert first == {"outbox": 1, "processed": processed, "dead_letters": 1, "audit_rows_deleted": 0} and processed > 0
    assert second == {"outbox": 0, "processed": 0, "dead_letters": 0, "audit_rows_deleted": 0}


def test_the_purge_runs_from_beat_daily_and_by_hand(reporting):
    schedule = reporting.config["CELERY"]["beat_schedule"]["purge-old-data"]
    assert schedule["task"] == TaskNames.REPORTING_PURGE_OLD_DATA
    result = reporting.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "outbox: 0" in result.output
