"""What an email carries besides its text: an HTML part, the check-in QR code inline, the seat's calendar file."""

import base64
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from services.notifications import store
from services.notifications.content.html import html_body
from services.notifications.content.ics import CalendarEvent, calendar
from services.notifications.content.qr import qr_png
from services.notifications.extensions import db
from services.notifications.models import EventInfo, Notification, Recipient
from services.notifications.sending.clients.email import Attachment, Email
from shared.states import EventStatus, Purpose, RegistrationStatus

#: Messages to someone holding a seat show the code staff scan at the door.
QR_PURPOSES = (Purpose.CONFIRMATION, Purpose.PROMOTED, Purpose.REMINDER, Purpose.EVENT_CHANGED)
#: Messages that give (or change) the seat carry it as a calendar entry; its UID is the registration's.
CALENDAR_PURPOSES = (Purpose.CONFIRMATION, Purpose.PROMOTED, Purpose.EVENT_CHANGED)
DESCRIPTION = {
    "id": "Kode hadir: {code}\nTunjukkan kode ini kepada panitia saat datang.\nBatalkan pendaftaran: {cancel}",
    "en": "Attendance code: {code}\nShow this code to the organisers when you arrive.\nCancel registration: {cancel}",
}


def _domain() -> str:
    return current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].strip("> ") or "pelita.local"


def _sequence(notification: Notification) -> int:
    """Count the changes this person was told of up to this message: calendars keep the entry with the highest."""
    query = sa.select(sa.func.count(Notification.id)).where(
        Notification.registration_id == notification.registration_id,
        Notification.purpose == Purpose.EVENT_CHANGED,
        Notification.created_at <= notification.created_at,
    )
    return int(db.session.scalar(query) or 0)


def calendar_file(notification: Notification, recipient: Recipient, event: EventInfo) -> Attachment:
    locale = recipient.locale if recipient.locale in DESCRIPTION else "id"
    entry = CalendarEvent(
        uid=f"pelita-{recipient.registration_id}@{_domain()}",
        summary=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=f"{event.venue}, {event.kabupaten_name}",
        description=DESCRIPTION[locale].format(code=recipient.checkin_code, cancel=recipient.cancel_url),
        url=event.url,
        sequence=_sequence(notification),
        stamp=notification.created_at,
    )
    data = calendar(entry, ZoneInfo(current_app.config["TIMEZONE"]))
    params = {"method": "PUBLISH", "charset": "utf-8"}
    return Attachment("acara-pelita.ics", "text/calendar", data, params=params)


def compose(notification: Notification) -> Email:
    """Build the email of `notification`: text, HTML, the QR code and calendar file for a seat, stored files."""
    attachments = [
        Attachment(item["filename"], item["content_type"], base64.b64decode(item["content_base64"]))
        for item in notification.attachments or []
    ]
    recipient = store.get_recipient(notification.registration_id) if notification.registration_id else None
    event = store.get_event(notification.event_id) if notification.event_id else None
    seat = recipient is not None and event is not None and recipient.status == RegistrationStatus.CONFIRMED
    seat = seat and event.status != EventStatus.CANCELLED
    inline, code = [], None
    if seat and notification.purpose in QR_PURPOSES:
        code = recipient.checkin_code  # read aloud; the QR opens the check-in page for staff
        cid = f"qr-{notification.id}@{_domain()}"
        qr = qr_png(recipient.checkin_url or recipient.checkin_code)
        inline.append(Attachment("kode-qr-checkin.png", "image/png", qr, content_id=cid))
    if seat and notification.purpose in CALENDAR_PURPOSES:
        attachments.append(calendar_file(notification, recipient, event))
    html = html_body(
        notification.subject,
        notification.body,
        notification.locale,
        qr_cid=inline[0].content_id if inline else None,
        checkin_code=code,
    )
    return Email(
        notification.to,
        notification.subject,
        notification.body,
        html=html,
        attachments=attachments,
        inline=inline,
        reference=notification.id,
    )
