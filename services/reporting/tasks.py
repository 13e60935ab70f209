"""Celery tasks of the reporting service."""

from services.reporting import retention, service
from services.reporting.extensions import celery
from shared.messaging.names import TaskNames


@celery.task(name=TaskNames.REPORTING_HANDLE_EVENT)
def handle_event(message: dict) -> str:
    """Project a message into the read model (safe to run twice)."""
    return service.handle_event(message)


@celery.task(name=TaskNames.REPORTING_RELAY_OUTBOX)
def relay_outbox() -> int:
    """Send pending outbox rows to their subscribers (safe to run twice)."""
    return service.bus.relay()


@celery.task(name=TaskNames.REPORTING_ACK_OUTBOX)
def ack_outbox(message_id: str | None = None, subscriber: str | None = None, acks: list | None = None) -> int:
    """Record that subscribers applied our events: one, or a batch of [message_id, subscriber] (safe to run twice)."""
    return service.bus.ack(message_id, subscriber, acks)


@celery.task(name=TaskNames.REPORTING_RUN_DUE_REPORTS)
def run_due_reports() -> int:
    """Claim due (schedule, period) runs once each and hand them to builders (safe to run twice)."""
    run_ids = service.run_due_reports()
    for run_id in run_ids:
        build_report.delay(run_id)
    return len(run_ids)


@celery.task(name=TaskNames.REPORTING_BUILD_REPORT)
def build_report(run_id: str) -> str:
    """Build one report run and publish report.generated once (safe to run twice: the claim admits one builder)."""
    return service.build_report(run_id)


@celery.task(name=TaskNames.REPORTING_PURGE_OLD_DATA)
def purge_old_data() -> dict:
    """Delete old bus records; the read model holds nothing personal (beat, daily; safe to run twice)."""
    return retention.purge_old_data()
