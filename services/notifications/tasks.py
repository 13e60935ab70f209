"""Celery tasks of the notifications service."""

from services.notifications import retention, service
from services.notifications.extensions import celery
from shared.messaging.names import TaskNames


@celery.task(name=TaskNames.NOTIFICATIONS_HANDLE_EVENT)
def handle_event(message: dict) -> str:
    """Apply a message from another service: plan confirmations, remember events (safe to run twice)."""
    return service.handle_event(message)


@celery.task(name=TaskNames.NOTIFICATIONS_SEND_MESSAGE)
def send_message(notification_id: str) -> str:
    """Send one planned message (safe to run twice: only the claim holder sends)."""
    return service.send(notification_id)


@celery.task(name=TaskNames.NOTIFICATIONS_SEND_BATCH)
def send_batch(notification_ids: list[str]) -> list[str]:
    """Send a batch of due messages handed out by the dispatcher (safe to run twice: each claim admits one)."""
    return service.send_batch(notification_ids)


@celery.task(name=TaskNames.NOTIFICATIONS_DISPATCH_PENDING)
def dispatch_pending() -> int:
    """Enqueue due messages and release orphaned ones (beat; safe to run twice)."""
    return service.dispatch_pending()


@celery.task(name=TaskNames.NOTIFICATIONS_TEND_PROVIDER_PRIORITIES)
def tend_provider_priorities() -> int:
    """Move the providers' priorities a step back towards rest (beat; running it twice moves two steps)."""
    return service.tend_provider_priorities()


@celery.task(name=TaskNames.NOTIFICATIONS_RELAY_OUTBOX)
def relay_outbox() -> int:
    """Send pending outbox rows (notification.delivered/failed) to their subscribers (safe to run twice)."""
    return service.bus.relay()


@celery.task(name=TaskNames.NOTIFICATIONS_ACK_OUTBOX)
def ack_outbox(message_id: str | None = None, subscriber: str | None = None, acks: list | None = None) -> int:
    """Record that subscribers applied our events: one, or a batch of [message_id, subscriber] (safe to run twice)."""
    return service.bus.ack(message_id, subscriber, acks)


@celery.task(name=TaskNames.NOTIFICATIONS_PURGE_OLD_DATA)
def purge_old_data() -> dict:
    """Empty old messages, anonymise past events' recipients, delete old bus records (beat, daily; twice is fine)."""
    return retention.purge_old_data()
