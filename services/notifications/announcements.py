"""Organisers' announcements: one message to an event's confirmed people, its waitlist or those present, each by
their own channel, through the one send path (paced, counted against the daily caps, quiet hours, opt-outs).

The door's check-ins come from the bus (attendance.checked_in / check_in_undone), so "those present" is known here
without asking registration.
"""

import logging
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _

from services.notifications import planning, store
from services.notifications.content import announcing
from services.notifications.extensions import db
from services.notifications.handing import known_recipient
from services.notifications.models import Announcement, EventInfo, Recipient
from services.notifications.staff import StaffError, audit, staff_event
from shared.messaging.names import EventNames
from shared.states import Channel, EventStatus, Purpose

logger = logging.getLogger(__name__)

#: The form's idempotency key: made when the preview is shown, sent with the confirmation.
KEY = re.compile(r"[0-9a-f]{32}")
#: A short link's code (secrets.token_urlsafe(8): 11 characters, 64 random bits).
CODE = re.compile(r"[A-Za-z0-9_-]{8,20}")


@dataclass(frozen=True)
class Draft:
    """What the organiser wrote (already checked against the form's limits)."""

    audience: str
    subject: str
    text: str


@dataclass
class Reach:
    """Who an announcement reaches, per channel, and who it cannot (no address left after opt-outs)."""

    counts: dict[str, int] = field(default_factory=dict)
    unreachable: int = 0
    #: People whose own channel said STOP: reached by email instead when they gave one, else not at all.
    opted_out: int = 0
    pairs: list[tuple[Recipient, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def new_key() -> str:
    return secrets.token_hex(16)


def reach(event_id: str, audience: str) -> Reach:
    """Plan each person's channel: their own (or the next one down without an address there), by email when their
    number or address said STOP (the opt-out is the address's, as for reminders), or nobody."""
    people = store.audience_recipients(event_id, audience)
    opted_out = store.active_opt_outs({a for r in people for a in (r.phone, r.email) if a})
    result = Reach()
    for recipient in people:
        channel = planning.channel_for(recipient)
        if channel is not None and planning.address_for(recipient, channel) in opted_out:
            result.opted_out += 1
            email = recipient.email if channel != Channel.EMAIL else None
            channel = Channel.EMAIL if email and email not in opted_out else None
        if channel is None:
            result.unreachable += 1
            continue
        result.counts[channel] = result.counts.get(channel, 0) + 1
        result.pairs.append((recipient, channel))
    return result


def preview(event: EventInfo, draft: Draft) -> dict:
    """What the organiser checks before sending: recipients per channel, and the SMS's parts (GSM-7 or UCS-2)."""
    sample_code = "X" * 11  # as long as a real code: the SMS is measured with the link it would carry
    text_length, sms_length, linked = announcing.sms_length(event, "id", draft.subject, draft.text, sample_code)
    return {
        "reach": reach(event.event_id, draft.audience),
        "text_sms": text_length,
        "sms": sms_length,
        "linked": linked,
    }


def send(event_id: str, staff, draft: Draft, key: str) -> tuple[Announcement, bool]:
    """Keep the announcement and stage one message per person in one transaction; return it and whether it is new.

    The same form submitted twice (a double click, a reload) finds its announcement by `key` and sends nothing more.
    The messages go out with the dispatcher, at each channel's pace.
    """
    event = staff_event(event_id, staff)
    if not KEY.fullmatch(key or ""):
        raise StaffError(_("Formulir pengumuman sudah tidak berlaku. Silakan tinjau ulang pengumuman Anda."), 400)
    existing = store.announcement_by_key(key)
    if existing is not None:
        return _same_event(existing, event_id), False
    if event.status == EventStatus.CANCELLED:
        raise StaffError(_("Acara ini sudah dibatalkan; pengumuman tidak dapat dikirim."), 409)
    people = reach(event_id, draft.audience)
    announcement = store.add_announcement(
        {
            "idempotency_key": key,
            "code": secrets.token_urlsafe(8),
            "event_id": event_id,
            "audience": draft.audience,
            "subject": draft.subject,
            "text": draft.text,
            "created_by": staff.email,
            "counts": people.counts,
            "unreachable": people.unreachable,
        }
    )
    if announcement is None:  # the other click of a double click committed first
        db.session.rollback()
        return _same_event(store.announcement_by_key(key), event_id), False
    for recipient, channel in people.pairs:
        words = announcing.context(announcement, event, recipient.locale, channel)
        planning.plan(recipient, Purpose.ANNOUNCEMENT, channel=channel, tag=announcement.id, **words)
    audit("announcement.send", staff, event_id=event_id, object_id=announcement.id)
    db.session.commit()
    logger.info("announcement %s staged for %d recipients", announcement.id, people.total)
    return announcement, True


def _same_event(announcement: Announcement | None, event_id: str) -> Announcement:
    if announcement is None or announcement.event_id != event_id:
        raise StaffError(_("Formulir pengumuman sudah tidak berlaku. Silakan tinjau ulang pengumuman Anda."), 409)
    return announcement


def public_announcement(code: str) -> tuple[Announcement, EventInfo] | None:
    """The announcement behind a short link, with its event; None for an unknown code or a text since erased."""
    if not CODE.fullmatch(code):
        return None
    announcement = store.announcement_by_code(code)
    event = store.get_event(announcement.event_id) if announcement is not None else None
    if announcement is None or event is None or not announcement.text:
        return None
    return announcement, event


def _on_checked_in(envelope: dict, payload: dict) -> None:
    """Note the person came (the latest check-in), so an announcement to those present reaches them."""
    recipient = known_recipient(payload)
    when = payload["checked_in_at"]
    if recipient.checked_in_at is None or recipient.checked_in_at < when:
        recipient.checked_in_at = when


def _on_check_in_undone(envelope: dict, payload: dict) -> None:
    """A check-in taken back at the door: the person is no longer counted present (unless checked in again later)."""
    recipient = known_recipient(payload)
    if recipient.checked_in_at is not None and recipient.checked_in_at <= payload["checked_in_at"]:
        recipient.checked_in_at = None


ATTENDANCE_HANDLERS = {
    EventNames.ATTENDANCE_CHECKED_IN: _on_checked_in,
    EventNames.ATTENDANCE_CHECK_IN_UNDONE: _on_check_in_undone,
}
