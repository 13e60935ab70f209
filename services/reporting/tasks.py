"""Celery tasks of the reporting service."""

from services.reporting import service
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
def ack_outbox(message_id: str, subscriber: str) -> bool:
    """Record that a subscriber applied one of our events, so it is not sent again (safe to run twice)."""
    return service.bus.ack(message_id, subscriber)
