"""Use cases of the notifications service: plan messages from events, send each once, sweep what is stuck."""

import logging
import random
from datetime import timedelta

from flask import current_app

from services.notifications import messages, store
from services.notifications.clients.email import Email, PermanentSendError, SmtpEmailClient, TransientSendError
from services.notifications.extensions import celery, db
from services.notifications.models import DeadLetter, Notification, OutboxMessage, ProcessedMessage
from shared.bus import ServiceBus
from shared.faults import fault_point
from shared.messaging.names import EventNames, TaskNames
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)
bus = ServiceBus("notifications", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)


def handle_event(message: dict) -> str:
    """Apply one incoming message once (safe to run twice)."""
    return bus.handle(message, HANDLERS)


def _on_event_snapshot(envelope: dict, payload: dict):
    event = store.upsert_event(
        {
            "event_id": str(payload["event_id"]),
            "title": payload["title"],
            "venue": payload["venue"],
            "kabupaten_name": payload["kabupaten_name"],
            "starts_at": payload["starts_at"],
            "ends_at": payload["ends_at"],
            "url": payload["url"],
            "reminder_offsets": payload["reminder_offsets_minutes"],
        }
    )
    # A registration may have arrived before its event (the event's message was resent late): plan it now.
    planned = [_plan_first_message(recipient) for recipient in store.list_recipients(event.event_id)]
    created = [notification.id for notification in planned if notification is not None]
    return (lambda: [enqueue(notification_id) for notification_id in created]) if created else None


def _on_registration_created(envelope: dict, payload: dict):
    recipient = store.upsert_recipient(
        {
            "registration_id": str(payload["registration_id"]),
            "event_id": str(payload["event_id"]),
            **{key: payload[key] for key in ("full_name", "phone", "email", "preferred_channel", "locale")},
            **{key: payload[key] for key in ("status", "waitlist_position", "checkin_code", "cancel_url")},
        }
    )
    fault_point("handle_event_before_commit", current_app.config["REDIS_URL"])
    created = _plan_first_message(recipient)
    return (lambda: enqueue(created.id)) if created else None


def _plan_first_message(recipient) -> Notification | None:
    """Plan the message a new registration gets: a confirmation, or its place on the waitlist."""
    return _plan_email(recipient, "confirmation" if recipient.status == "confirmed" else "waitlisted")


def _plan_email(recipient, purpose: str) -> Notification | None:
    """Stage the `purpose` email for `recipient`, once per (registration, purpose, channel)."""
    event = store.get_event(recipient.event_id)
    if not recipient.email or event is None:  # no event yet: planned when its event.published arrives
        return None
    subject, body = messages.render(purpose, recipient.locale, event=event, recipient=recipient)
    return store.add_notification_once(
        {
            "idempotency_key": f"{recipient.registration_id}:{purpose}:email",
            "registration_id": recipient.registration_id,
            "event_id": recipient.event_id,
            "purpose": purpose,
            "channel": "email",
            "to": recipient.email,
            "subject": subject,
            "body": body,
        }
    )


HANDLERS = {
    EventNames.EVENT_PUBLISHED: _on_event_snapshot,
    EventNames.EVENT_UPDATED: _on_event_snapshot,
    EventNames.REGISTRATION_CREATED: _on_registration_created,
}


def enqueue(notification_id: str) -> None:
    """Hand a committed notification to a worker by id (a lost enqueue only waits for the next dispatch)."""
    try:
        celery.send_task(TaskNames.NOTIFICATIONS_SEND_MESSAGE, args=[notification_id], queue="notifications")
    except Exception:
        logger.warning("could not enqueue notification %s; dispatcher will", notification_id)


def send(notification_id: str) -> str:
    """Send one notification if it is still pending and due (safe to run twice: the claim admits one sender)."""
    now = utcnow()
    claimed = store.claim(notification_id, now)
    db.session.commit()
    if not claimed:
        return "skipped"
    notification = store.get_notification(notification_id)
    fault_point("before_provider_call", current_app.config["REDIS_URL"])
    try:
        reference = _deliver(notification)
    except TransientSendError as error:
        return _retry_later(notification, str(error))
    except PermanentSendError as error:
        return _fail(notification, str(error))
    fault_point("after_provider_call_before_commit", current_app.config["REDIS_URL"])
    notification.status, notification.sent_at = "sent", utcnow()
    notification.provider, notification.provider_ref, notification.last_error = "smtp", reference, None
    _emit_outcome(notification, EventNames.NOTIFICATION_DELIVERED, delivered_at=notification.sent_at)
    db.session.commit()
    bus.nudge()
    return "sent"


def _deliver(notification: Notification) -> str:
    client = SmtpEmailClient.from_config(current_app.config)
    email = Email(to=notification.to, subject=notification.subject, text=notification.body, reference=notification.id)
    return client.send(email)


def _retry_later(notification: Notification, reason: str) -> str:
    if notification.attempts >= current_app.config["MAX_ATTEMPTS"]:
        return _fail(notification, f"gave up after {notification.attempts} attempts: {reason}")
    # Exponential backoff with full jitter; the row waits in the store, never in a Celery countdown.
    delay = random.uniform(0, min(3600, 15 * 2**notification.attempts))
    notification.status, notification.due_at, notification.last_error = (
        "pending",
        utcnow() + timedelta(seconds=delay),
        reason,
    )
    db.session.commit()
    return "retrying"


def _fail(notification: Notification, reason: str) -> str:
    notification.status, notification.last_error = "failed", reason[:2000]
    _emit_outcome(notification, EventNames.NOTIFICATION_FAILED, reason=reason[:500], failed_at=utcnow())
    db.session.commit()
    bus.nudge()
    return "failed"


def _emit_outcome(notification: Notification, event_type: str, **extra) -> None:
    payload = {
        "notification_id": notification.id,
        "registration_id": notification.registration_id,
        "event_id": notification.event_id,
        "purpose": notification.purpose,
        "channel": notification.channel,
        **extra,
    }
    bus.emit(event_type, payload)


def dispatch_pending(limit: int = 500) -> int:
    """Release messages orphaned by a crashed worker, then enqueue every due pending one; return how many."""
    release_orphans()
    ids = store.due_ids(utcnow(), limit)
    db.session.commit()
    for notification_id in ids:
        enqueue(notification_id)
    return len(ids)


def release_orphans() -> int:
    """Put back to pending the messages claimed long ago and never finished (their worker died).

    The worker may have died after the provider took the message, so a resend is marked possible_duplicate
    (RELIABILITY §3.4); a worker that died before the call leaves nothing sent, and the resend is the only copy.
    """
    stuck_after = timedelta(seconds=current_app.config["STUCK_AFTER_SECONDS"])
    rows = store.orphaned(utcnow() - stuck_after)
    for row in rows:
        row.status, row.possible_duplicate, row.due_at = "pending", True, utcnow()
    db.session.commit()
    return len(rows)
