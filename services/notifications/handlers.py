"""What the notifications service does with each message of the bus: plan the messages an event or a
registration calls for, keep its copy of events and recipients, and hand what is due to a sender.
"""

import logging

from flask import current_app

from services.notifications import planning, retention, store
from services.notifications.bus import bus
from services.notifications.content import messages
from services.notifications.extensions import db
from services.notifications.models import (
    Notification,
    StaffAccess,
)
from services.notifications.sending.send import (
    send,
)
from services.notifications.sending.steps import (
    enqueue,
)
from shared.faults import fault_point
from shared.messaging.names import EventNames
from shared.staffauth import apply_staff_changed
from shared.states import Channel, EventStatus, MessageStatus, Purpose, RegistrationStatus
from shared.timeutil import format_when, utcnow

logger = logging.getLogger(__name__)


#: Changes to an event that the people registered must hear about.
NOTICEABLE_CHANGES = {"starts_at", "ends_at", "venue"}


class NotYetKnown(LookupError):
    """A message refers to a registration whose registration.created has not arrived yet: try again later."""


def handle_event(message: dict) -> str:
    """Apply one incoming message once (safe to run twice)."""
    return bus.handle(message, HANDLERS)


def _after_commit(rows, *, send_here=None):
    """Hand what is due now to a worker after the commit; later reminders wait for the dispatcher (no ETA tasks).

    `send_here` (the confirmation a person is waiting for) is sent by this worker right away instead of through
    the queue: the same claim-then-send as the send task, so it still goes once (docs/reliability.md: when it dies).
    """
    now = utcnow()
    ids = [row.id for row in rows if row is not None and row.status == MessageStatus.PENDING and row.due_at <= now]
    here = send_here.id if send_here is not None and send_here.id in ids else None

    def hand_over() -> None:
        for notification_id in ids:
            if notification_id == here:
                _send_here(notification_id)
            else:
                enqueue(notification_id)

    return hand_over if ids else None


def _send_here(notification_id: str) -> None:
    """Send a message just committed in this worker; on an unexpected error leave it to the send task."""
    if not current_app.config["ENQUEUE_AFTER_COMMIT"]:  # tests that send due messages themselves
        return
    try:
        send(notification_id)
    except Exception:  # claimed and stuck: released as orphaned; not claimed: the send task takes it
        logger.exception("could not send notification %s here; handing it to the send task", notification_id)
        db.session.rollback()
        enqueue(notification_id)


def _on_event_snapshot(envelope: dict, payload: dict):
    event = store.upsert_event(
        {
            "event_id": str(payload["event_id"]),
            **{key: payload[key] for key in ("title", "venue", "kabupaten_name", "starts_at", "ends_at", "url")},
            "kabupaten_code": payload.get("kabupaten_code"),
            "reminder_offsets": payload["reminder_offsets_minutes"],
        }
    )
    db.session.flush()
    noticeable = NOTICEABLE_CHANGES & set(payload.get("changed", ()))
    rows = []
    # A registration may have arrived before its event (the event's message was resent late): plan it now.
    for recipient in store.list_active_recipients(event.event_id):
        rows += [_plan_first_message(recipient), *planning.replan_reminders(recipient)]
        if noticeable:
            rows.append(planning.plan(recipient, Purpose.EVENT_CHANGED, tag=str(envelope["id"])[:8]))
    return _after_commit(rows)


def _on_event_cancelled(envelope: dict, payload: dict):
    event = store.get_event(str(payload["event_id"]))
    if event is None or event.status == EventStatus.CANCELLED:
        return None
    event.status, event.cancel_reason = EventStatus.CANCELLED, (payload.get("reason") or "")[:500]
    rows = []
    for recipient in store.list_active_recipients(event.event_id):
        planning.cancel_pending(recipient.registration_id, "acara dibatalkan")
        rows.append(planning.plan(recipient, Purpose.EVENT_CANCELLED, reason=payload.get("reason", "")))
    return _after_commit(rows)


def _on_registration_created(envelope: dict, payload: dict):
    recipient = store.upsert_recipient(
        {
            "registration_id": str(payload["registration_id"]),
            "event_id": str(payload["event_id"]),
            **{key: payload[key] for key in ("full_name", "phone", "email", "preferred_channel", "locale")},
            **{key: payload[key] for key in ("status", "waitlist_position", "checkin_code", "cancel_url")},
            "checkin_url": payload.get("checkin_url"),
        }
    )
    db.session.flush()
    fault_point("handle_event_before_commit", current_app.config["REDIS_URL"])
    first = _plan_first_message(recipient)
    return _after_commit([first, *planning.plan_reminders(recipient)], send_here=first)


def _on_registration_promoted(envelope: dict, payload: dict):
    recipient = _known_recipient(payload)
    recipient.status, recipient.waitlist_position = RegistrationStatus.CONFIRMED, None
    planning.cancel_pending(recipient.registration_id, "sudah mendapat kursi")
    promoted = planning.plan(recipient, Purpose.PROMOTED)
    return _after_commit([promoted, *planning.plan_reminders(recipient)], send_here=promoted)


def _on_registration_cancelled(envelope: dict, payload: dict):
    recipient = _known_recipient(payload)
    if recipient.status == RegistrationStatus.CANCELLED:
        return None
    recipient.status = RegistrationStatus.CANCELLED
    planning.cancel_pending(recipient.registration_id, "pendaftaran dibatalkan")
    if payload.get("erasure"):  # the person asked to be erased: registration.erased follows; no notice
        return None
    return _after_commit([planning.plan(recipient, Purpose.REGISTRATION_CANCELLED)])


def _on_access_code_requested(envelope: dict, payload: dict):
    """Send the one-time "Data saya" code to the contact stored with the registration, by SMS or email (WhatsApp
    sends approved templates only). A code already expired is not sent; a redelivered request sends nothing more."""
    recipient = _known_recipient(payload)
    if recipient.full_name is None or payload["expires_at"] <= utcnow():
        return None
    channel = Channel.EMAIL if recipient.preferred_channel == Channel.EMAIL else Channel.SMS
    row = planning.plan(
        recipient, Purpose.ACCESS_CODE, channel=channel, tag=str(envelope["id"])[:8], code=payload["code"]
    )
    return _after_commit([row], send_here=row)


def _on_registration_corrected(envelope: dict, payload: dict) -> None:
    """Reach the person where they now say: the recipient takes the corrections, and messages still waiting go to
    the new address with the new name (or are cancelled when that channel has no address any more)."""
    recipient = _known_recipient(payload)
    if recipient.full_name is None:  # erased, or past the retention period
        return
    for key in ("full_name", "phone", "email", "preferred_channel"):
        setattr(recipient, key, payload[key])
    event = store.get_event(recipient.event_id)
    for row in store.list_pending(recipient.registration_id):
        address = planning.address_for(recipient, row.channel)
        if not address:
            row.status, row.last_error = MessageStatus.CANCELLED, "kontak diubah peserta"
            continue
        row.to = address
        if event is not None and row.purpose != Purpose.ACCESS_CODE:
            extra = {"reason": planning.event_reason(event)} if row.purpose == Purpose.EVENT_CANCELLED else {}
            for key, value in planning.content(recipient, event, row.purpose, row.channel, row.reminder_offset,
                                               **extra).items():  # fmt: skip
                setattr(row, key, value)


def _on_registration_erased(envelope: dict, payload: dict) -> None:
    """Forget the person (retention.erase_registration). Before their registration.created is known here, wait:
    it would otherwise bring their name back after the erasure."""
    _known_recipient(payload)
    retention.erase_registration(str(payload["registration_id"]))


def _on_confirmation_requested(envelope: dict, payload: dict):
    """Send a registration's first message again (its confirmation, or its waitlist place) to the stored contact.

    Someone registered again with this registration's phone or email; registration let the request through (at
    most one per registration every 10 minutes). The message is planned as the first one was, on the person's own
    channel and address, keyed by the request so a redelivered request sends nothing more.
    """
    recipient = _known_recipient(payload)
    if recipient.status == RegistrationStatus.CANCELLED:
        return None
    again = _plan_first_message(recipient, tag=f"again{str(envelope['id'])[:8]}")
    return _after_commit([again], send_here=again)


def _on_report_generated(envelope: dict, payload: dict):
    locale = current_app.config["DEFAULT_LOCALE"]
    context = {key: payload[key] for key in ("subject", "download_url")}
    for key in ("period_start", "period_end"):
        context[key] = messages.format_day(payload[key], locale)
    subject, body = messages.render(
        Purpose.REPORT, locale, Channel.EMAIL, body_text=payload["body_text"].rstrip(), **context
    )
    rows = [
        store.add_notification_once(
            {
                "idempotency_key": planning.report_key(str(payload["report_id"]), address),
                "purpose": Purpose.REPORT,
                "channel": Channel.EMAIL,
                "to": address,
                "locale": locale,
                "subject": subject or payload["subject"],
                "body": body,
                "attachments": payload["attachments"],
            }
        )
        for address in payload["recipients"]
    ]
    return _after_commit(rows)


def _on_staff_invited(envelope: dict, payload: dict):
    """Mail a new staff member the link to set their password (the link itself is one-time, checked by registration)."""
    locale = payload["locale"]
    expires = format_when(payload["expires_at"], locale)
    subject, body = messages.render(
        Purpose.STAFF_INVITE, locale, Channel.EMAIL, name=payload["name"], link=payload["link"], expires=expires
    )
    row = store.add_notification_once(
        {
            "idempotency_key": f"staff-invite:{payload['invitation_id']}:email",
            "purpose": Purpose.STAFF_INVITE,
            "channel": Channel.EMAIL,
            "to": payload["email"],
            "locale": locale,
            "subject": subject,
            "body": body,
        }
    )
    return _after_commit([row])


def _on_staff_changed(envelope: dict, payload: dict) -> None:
    """Keep the account's token version and active flag: older tokens and disabled accounts are refused here too."""
    apply_staff_changed(db.session, StaffAccess, payload)


def _known_recipient(payload: dict):
    recipient = store.get_recipient(str(payload["registration_id"]))
    if recipient is None:  # not acknowledged, so the producer's outbox sends it again after registration.created
        raise NotYetKnown(f"registration {payload['registration_id']} not known yet")
    return recipient


def _plan_first_message(recipient, tag: str | None = None) -> Notification | None:
    """Plan the message a new registration gets: a confirmation, or its place on the waitlist (`tag`: once more)."""
    return planning.plan(
        recipient,
        Purpose.CONFIRMATION if recipient.status == RegistrationStatus.CONFIRMED else Purpose.WAITLISTED,
        tag=tag,
    )


HANDLERS = {
    EventNames.EVENT_PUBLISHED: _on_event_snapshot,
    EventNames.EVENT_UPDATED: _on_event_snapshot,
    EventNames.EVENT_CANCELLED: _on_event_cancelled,
    EventNames.REGISTRATION_CREATED: _on_registration_created,
    EventNames.REGISTRATION_PROMOTED: _on_registration_promoted,
    EventNames.REGISTRATION_CANCELLED: _on_registration_cancelled,
    EventNames.REGISTRATION_CONFIRMATION_REQUESTED: _on_confirmation_requested,
    EventNames.REGISTRATION_ACCESS_CODE_REQUESTED: _on_access_code_requested,
    EventNames.REGISTRATION_CORRECTED: _on_registration_corrected,
    EventNames.REGISTRATION_ERASED: _on_registration_erased,
    EventNames.REPORT_GENERATED: _on_report_generated,
    EventNames.STAFF_CHANGED: _on_staff_changed,
    EventNames.STAFF_INVITED: _on_staff_invited,
}
