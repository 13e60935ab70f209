"""Celery tasks of the registration service."""

from services.registration import service
from services.registration.extensions import celery
from shared.messaging.names import TaskNames


@celery.task(name=TaskNames.REGISTRATION_RELAY_OUTBOX)
def relay_outbox() -> int:
    """Send pending outbox rows to their subscribers (safe to run twice: consumers deduplicate)."""
    return service.bus.relay()


@celery.task(name=TaskNames.REGISTRATION_ACK_OUTBOX)
def ack_outbox(message_id: str, subscriber: str) -> bool:
    """Record that a subscriber applied one of our events, so it is not sent again (safe to run twice)."""
    return service.bus.ack(message_id, subscriber)


@celery.task(name=TaskNames.REGISTRATION_HANDLE_EVENT)
def handle_event(message: dict) -> str:
    """Apply a message another service published (registration subscribes to none yet; safe to run twice)."""
    return service.handle_event(message)
