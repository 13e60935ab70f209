"""Celery tasks of the registration service."""

from services.registration import certificates, retention, service
from services.registration.extensions import celery
from shared.messaging.names import TaskNames


@celery.task(name=TaskNames.REGISTRATION_RELAY_OUTBOX)
def relay_outbox() -> int:
    """Send pending outbox rows to their subscribers (safe to run twice: consumers deduplicate)."""
    return service.bus.relay()


@celery.task(name=TaskNames.REGISTRATION_ACK_OUTBOX)
def ack_outbox(message_id: str | None = None, subscriber: str | None = None, acks: list | None = None) -> int:
    """Record that subscribers applied our events: one, or a batch of [message_id, subscriber] (safe to run twice)."""
    return service.bus.ack(message_id, subscriber, acks)


@celery.task(name=TaskNames.REGISTRATION_HANDLE_EVENT)
def handle_event(message: dict) -> str:
    """Apply a message another service published (notifications' delivery outcomes; safe to run twice)."""
    return service.handle_event(message)


@celery.task(name=TaskNames.REGISTRATION_PURGE_OLD_DATA)
def purge_old_data() -> dict:
    """Anonymise past events' registrations and delete old bus records (beat, daily; safe to run twice)."""
    return retention.purge_old_data()


@celery.task(name=TaskNames.REGISTRATION_ISSUE_CERTIFICATES)
def issue_certificates() -> dict:
    """Issue the certificates of trainings that ended (beat; safe to run twice: one certificate per attendee)."""
    done = certificates.issue_due()
    return {"numbered": done.numbered, "rendered": done.rendered}
