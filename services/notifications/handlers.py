"""What the notifications service does with each message of the bus: plan the messages an event or a
registration calls for, keep its copy of events and recipients, and hand what is due to a sender.
"""

import logging

from flask import current_app

from services.notifications import planning, store
from services.notifications.announcements import ATTENDANCE_HANDLERS
from services.notifications.bus import bus
from services.notifications.content import messages
from services.notifications.extensions import db
from services.notifications.handing import after_commit, known_recipient
from services.notifications.models import (
    Notification,
    StaffAccess,
)
from services.notifications.rights import RIGHTS_HANDLERS
from shared.faults import fault_point
from shared.messaging.names import EventNames
from shared.staffauth import apply_staff_changed
from shared.states import Channel, EventStatus, Purpose, RegistrationStatus
from shared.timeutil import format_when, utcnow

logger = logging.getLogger(__name__)


#: Changes to an event that the people registered must hear about.
NOTICEABLE_CHANGES = {"starts_at", "ends_at", "venue"}


def handle_event(message: dict) -> str:
    """Apply one incoming message once (safe to run twice)."""
    return bus.handle(message, HANDLERS)


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
    return after_commit(rows)


def _on_event_cancelled(envelope: dict, payload: dict):
    event = store.get_event(str(payload["event_id"]))
    if event is None or event.status == EventStatus.CANCELLED:
        return None
    event.status, event.cancel_reason = EventStatus.CANCELLED, (payload.get("reason") or "")[:500]
    rows = []
    for recipient in store.list_active_recipients(event.event_id):
        planning.cancel_pending(recipient.registration_id, "acara dibatalkan")
        rows.append(planning.plan(recipient, Purpose.EVENT_CANCELLED, reason=payload.get("reason", "")))
    return after_commit(rows)


def _on_registration_created(envelope: dict, payload: dict):
    recipient = store.upsert_recipient(
        {
            "registration_id": str(payload["registration_id"]),
            "event_id": str(payload["event_id"]),
            **{key: payload[key] for key in ("full_name", "phone", "email", "preferred_channel", "locale")},
            **{key: payload[key] for key in ("status", "waitlist_position", "checkin_code", "cancel_url")},
            "checkin_url": payload.get("checkin_url"),
            "contact_name": payload.get("contact_name"),
        }
    )
    db.session.flush()
    fault_point("handle_event_before_commit", current_app.config["REDIS_URL"])
    first = _plan_first_message(recipient)
    return after_commit([first, *planning.plan_reminders(recipient)], send_here=first)


def _on_registration_promoted(envelope: dict, payload: dict):
    recipient = known_recipient(payload)
    recipient.status, recipient.waitlist_position = RegistrationStatus.CONFIRMED, None
    planning.cancel_pending(recipient.registration_id, "sudah mendapat kursi")
    promoted = planning.plan(recipient, Purpose.PROMOTED)
    return after_commit([promoted, *planning.plan_reminders(recipient)], send_here=promoted)


def _on_registration_cancelled(envelope: dict, payload: dict):
    recipient = known_recipient(payload)
    if recipient.status == RegistrationStatus.CANCELLED:
        return None
    recipient.status = RegistrationStatus.CANCELLED
    planning.cancel_pending(recipient.registration_id, "pendaftaran dibatalkan")
    if payload.get("erasure"):  # the person asked to be erased: registration.erased follows; no notice
        return None
    return after_commit([planning.plan(recipient, Purpose.REGISTRATION_CANCELLED)])


def _on_access_code_requested(envelope: dict, payload: dict):
    """Send the one-time "Data saya" code to the contact stored with the registration, by SMS or email (WhatsApp
    sends approved templates only). A code already expired is not sent; a redelivered request sends nothing more."""
    recipient = known_recipient(payload)
    if recipient.full_name is None or payload["expires_at"] <= utcnow():
        return None
    channel = Channel.EMAIL if recipient.preferred_channel == Channel.EMAIL else Channel.SMS
    row = planning.plan(
        recipient, Purpose.ACCESS_CODE, channel=channel, tag=str(envelope["id"])[:8], code=payload["code"]
    )
    return after_commit([row], send_here=row)


def _on_confirmation_requested(envelope: dict, payload: dict):
    """Send a registration's first message again (its confirmation, or its waitlist place) to the stored contact.

    Someone registered again with this registration's phone or email; registration let the request through (at
    most one per registration every 10 minutes). The message is planned as the first one was, on the person's own
    channel and address, keyed by the request so a redelivered request sends nothing more.
    """
    recipient = known_recipient(payload)
    if recipient.status == RegistrationStatus.CANCELLED:
        return None
    again = _plan_first_message(recipient, tag=f"again{str(envelope['id'])[:8]}")
    return after_commit([again], send_here=again)


def _on_certificate_issued(envelope: dict, payload: dict):
    """Send the person their certificate by their channel: the short link to the PDF (docs/certificates.md says why
    email carries the link too, not an attachment). One message per version: a corrected certificate goes again."""
    recipient = known_recipient(payload)
    if recipient.full_name is None:  # erased: nobody to send it to
        return None
    context = {"certificate_url": payload["download_url"], "certificate_number": payload["number"]}
    row = planning.plan(recipient, Purpose.CERTIFICATE, tag=f"v{payload['version']}", **context)
    return after_commit([row])


def _on_evaluation_requested(envelope: dict, payload: dict):
    """Send an attendee the evaluation form's short link by their channel, once (docs/evaluation.md). It is not
    skipped after an opt-out of reminders: the certificate may wait for the answer."""
    recipient = known_recipient(payload)
    if recipient.full_name is None:  # erased: nobody to send it to
        return None
    row = planning.plan(recipient, Purpose.EVALUATION, evaluation_url=payload["evaluation_url"])
    return after_commit([row])


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
    return after_commit(rows)


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
    return after_commit([row])


def _on_staff_changed(envelope: dict, payload: dict) -> None:
    """Keep the account's token version and active flag: older tokens and disabled accounts are refused here too."""
    apply_staff_changed(db.session, StaffAccess, payload)


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
    **RIGHTS_HANDLERS,
    **ATTENDANCE_HANDLERS,
    EventNames.CERTIFICATE_ISSUED: _on_certificate_issued,
    EventNames.EVALUATION_REQUESTED: _on_evaluation_requested,
    EventNames.REPORT_GENERATED: _on_report_generated,
    EventNames.STAFF_CHANGED: _on_staff_changed,
    EventNames.STAFF_INVITED: _on_staff_invited,
}
