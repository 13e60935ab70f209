"""What staff do with messages: look at one within their regency, send a failed one again, the audit trail."""

import logging

from flask_babel import gettext as _

from services.notifications import planning, store
from services.notifications.extensions import db
from services.notifications.models import (
    AuditEntry,
    Notification,
)
from services.notifications.sending.steps import (
    enqueue,
)
from shared import audit as trail
from shared.states import MessageStatus
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


class StaffError(Exception):
    """A staff request this service refuses, with the message staff read and an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def staff_notification(notification_id: str, staff) -> Notification:
    """Return a message staff may see: 404 if unknown, 403 if it belongs to another regency's event."""
    notification = store.get_notification(notification_id)
    if notification is None:
        raise StaffError(_("Pesan tidak ditemukan."), 404)
    event = store.get_event(notification.event_id) if notification.event_id else None
    require_scope(
        staff, event.kabupaten_code if event is not None else None, _("Pesan ini milik acara kabupaten/kota lain.")
    )
    return notification


def staff_event(event_id: str, staff):
    event = store.get_event(event_id)
    if event is None:
        raise StaffError(_("Acara tidak ditemukan."), 404)
    require_scope(staff, event.kabupaten_code, _("Acara ini milik kabupaten/kota lain."))
    return event


def require_scope(staff, kabupaten_code: str | None, refusal: str) -> None:
    """The one staff scoping of this service, which every staff read and write goes through: a provincial admin may
    see every kabupaten/kota (and the messages of no event, such as reports), a regency organiser only their own."""
    if not staff.may_see(kabupaten_code):
        raise StaffError(refusal, 403)


def resendable(notification: Notification) -> bool:
    """A message ended failed and not handed on to another channel (else the other channel's message is resent),
    its content not yet erased by the retention purge."""
    return (
        notification.status == MessageStatus.FAILED
        and bool(notification.body)
        and not store.has_fallback(notification.id)
    )


def resend(notification_id: str, staff, seen_attempts: int) -> bool:
    """Send a failed message once more, now (quiet hours still hold reminders); False when the click was already taken.

    Attempts keep counting, so the log shows the whole history. The message goes through every provider of its
    channel again (and the channel fallback); one that had used up its retries gets this one attempt, so a
    transient failure ends it failed again rather than starting a new series of retries.
    """
    notification = staff_notification(notification_id, staff)
    if not resendable(notification):
        db.session.rollback()
        return False
    now = utcnow()
    due_at = planning.send_time(now, notification.channel, notification.purpose)
    requeued = store.requeue_failed(notification.id, seen_attempts, now, due_at, staff.email)
    if requeued:
        audit("message.resend", staff, event_id=notification.event_id, object_id=notification.id)
    db.session.commit()
    if requeued:
        logger.info("notification %s resent by %s", notification.id, staff.email)
        enqueue(notification.id)
    return requeued


def audit(action: str, staff, *, event_id=None, object_id=None, commit: bool = False) -> None:
    """Note a staff action in this service's audit trail (shared/audit.py); by default in the caller's transaction."""
    trail.record(db.session, AuditEntry, action, staff, event_id=event_id, object_id=object_id, commit=commit)


def audit_log_view(staff, filters: dict) -> None:
    """Record a look at the message log: of one person when it is searched or narrowed to a registration."""
    person = bool(filters.get("q") or filters.get("registration_id"))
    action = "messages.person" if person else "messages.list"
    audit(action, staff, event_id=filters.get("event_id"), object_id=filters.get("registration_id"), commit=True)
