"""Plan outgoing messages: who gets what, on which channel, when, with which text (stages rows; never commits)."""

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import URLSafeSerializer

from services.notifications import store
from services.notifications.content import announcing, messages
from services.notifications.models import EventInfo, Notification, Recipient
from services.notifications.sending.phones import is_mobile
from services.notifications.sending.schedule import DEFAULT_OFFSETS, lead_key, outside_quiet_hours, parse_quiet_hours
from services.notifications.sending.schedule import reminder_due as _reminder_time
from shared.states import Channel, MessageStatus, Purpose, RegistrationStatus
from shared.timeutil import utcnow

#: Reminders and organisers' announcements are the messages an opt-out (a STOP, the opt-out link) stops; the rest
#: answer the person's own action or a change they must know about (their seat, a move, a cancellation). An
#: announcement is not a reminder: a reminders consent withdrawn on "Data saya" does not stop it.
NON_ESSENTIAL = (Purpose.REMINDER, Purpose.ANNOUNCEMENT)
#: Messages dropped once their event has started (a worker that was down for long never sends them late); an
#: announcement to those present is written during the event.
NOT_AFTER_START = (Purpose.REMINDER,)
FALLBACK = {Channel.WHATSAPP: Channel.SMS, Channel.SMS: Channel.EMAIL}
#: The answer to a person's own registration (or to their asking for a code): it goes at once, whatever the hour
#: (quiet hours are for the rest).
ANSWERS = (Purpose.CONFIRMATION, Purpose.WAITLISTED, Purpose.ACCESS_CODE, Purpose.DATA_REQUEST)
#: The short answers to a participant's own reply (receipts.receive_reply): sent at once, on the channel the reply
#: came by, as free text on WhatsApp (allowed within 24 hours of the person writing).
REPLY_ANSWERS = (Purpose.REPLY_HELP, Purpose.REPLY_ASK)
OPT_OUT_SALT = "pelita-opt-out"
#: Messages not tried again on another channel: a "Data saya" code is kept nowhere but in its text (only its hash
#: in registration), and the person asks for a new one within its 10 minutes anyway.
NO_FALLBACK = (Purpose.ACCESS_CODE,)


def opt_out_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=OPT_OUT_SALT)


def opt_out_url(address: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/berhenti/{opt_out_signer().dumps(address)}"


def address_for(recipient: Recipient, channel: str) -> str | None:
    return recipient.email if channel == Channel.EMAIL else recipient.phone


def channel_for(recipient: Recipient, preferred: str | None = None) -> str | None:
    """Return the preferred channel when the person can be reached on it, else the next one down, else None."""
    channel = preferred or recipient.preferred_channel
    while channel is not None and not (address_for(recipient, channel) and _has_provider(channel)):
        channel = FALLBACK.get(channel)
    return channel


#: Channels that reach a phone number: a reminders consent withdrawn for one of them stops both (as a STOP does).
PHONE_CHANNELS = (Channel.WHATSAPP, Channel.SMS)


def reminder_channel(recipient: Recipient) -> str | None:
    """The channel reminders go by: the person's own, unless they withdrew their reminders consent for it on "Data
    saya"; then by email when they gave one (as after a STOP from their number), else not at all."""
    channel, withdrawn = channel_for(recipient), recipient.reminders_withdrawn_channel
    if withdrawn is None or channel is None:
        return channel
    refused = (withdrawn,) if withdrawn == "email" else PHONE_CHANNELS
    if channel not in refused:
        return channel
    return "email" if "email" not in refused and channel_for(recipient, "email") == "email" else None


def _has_provider(channel: str) -> bool:
    key = {Channel.SMS: "SMS_PROVIDERS", Channel.WHATSAPP: "WHATSAPP_PROVIDERS"}.get(channel)
    return key is None or bool(current_app.config[key])


def _textable(phone: str | None) -> bool:
    return is_mobile(phone, current_app.config["ALLOWED_PHONE_REGIONS"])


def send_time(moment: datetime, channel: str, purpose: str | None = None) -> datetime:
    """Move `moment` out of the quiet hours for SMS and WhatsApp, except for the answer to a registration."""
    if purpose in ANSWERS:
        return moment
    quiet = parse_quiet_hours(current_app.config["QUIET_HOURS"])
    return outside_quiet_hours(moment, channel, quiet, ZoneInfo(current_app.config["TIMEZONE"]))


def reminder_due(event: EventInfo, offset: int, channel: str) -> datetime | None:
    """Return when the `offset` reminder goes out, or None when that time has passed or falls after the start."""
    due = send_time(_reminder_time(event.starts_at, offset), channel)
    return due if utcnow() < due < event.starts_at else None


def offsets(event: EventInfo) -> list[int]:
    return list(DEFAULT_OFFSETS if event.reminder_offsets is None else event.reminder_offsets)


def content(recipient: Recipient, event: EventInfo, purpose: str, channel: str, offset=None, **extra) -> dict:
    """Render the subject, body and WhatsApp template parameters of one message."""
    address = address_for(recipient, channel)
    context = {"event": event, "recipient": recipient, "opt_out_url": opt_out_url(address), **extra}
    if offset is not None:
        context["lead_kind"], context["lead_n"] = lead_key(offset)
    subject, body = messages.render(purpose, recipient.locale, channel, **context)
    params = messages.whatsapp_parameters(purpose, recipient.locale, **context) if channel == Channel.WHATSAPP else None
    return {"subject": subject, "body": body, "params": params}


def plan(recipient: Recipient, purpose: str, *, channel=None, tag=None, offset=None, due_at=None, **extra):
    """Stage one message for `recipient`, once per (registration, purpose[-tag], channel); None if it exists."""
    event = store.get_event(recipient.event_id)
    channel = channel_for(recipient, channel)
    if event is None or channel is None:  # no event yet: planned when its event.published arrives
        return None
    name = f"{purpose}-{tag}" if tag is not None else purpose
    return store.add_notification_once(
        {
            "idempotency_key": f"{recipient.registration_id}:{name}:{channel}",
            "registration_id": recipient.registration_id,
            "event_id": recipient.event_id,
            "purpose": purpose,
            "channel": channel,
            "to": address_for(recipient, channel),
            "locale": recipient.locale,
            "reminder_offset": offset,
            "due_at": send_time(due_at or utcnow(), channel, purpose),
            **content(recipient, event, purpose, channel, offset, **extra),
        }
    )


def plan_reminders(recipient: Recipient) -> list[Notification]:
    """Stage a reminder per offset of the event whose time is still ahead (a passed one is skipped, not sent late)."""
    event = store.get_event(recipient.event_id)
    channel = reminder_channel(recipient)
    if event is None or channel is None or recipient.status != RegistrationStatus.CONFIRMED:
        return []
    planned = []
    for offset in offsets(event):
        due = reminder_due(event, offset, channel)
        if due is not None:
            planned.append(plan(recipient, Purpose.REMINDER, channel=channel, tag=offset, offset=offset, due_at=due))
    return [row for row in planned if row is not None]


def replan_reminders(recipient: Recipient) -> list[Notification]:
    """Move pending reminders to the event's new time and text; cancel those no longer due; add new ones."""
    event = store.get_event(recipient.event_id)
    for row in store.list_pending(recipient.registration_id, Purpose.REMINDER):
        due = reminder_due(event, row.reminder_offset, row.channel) if row.reminder_offset in offsets(event) else None
        if due is None:
            row.status, row.last_error = MessageStatus.CANCELLED, "tidak lagi dijadwalkan setelah acara berubah"
            continue
        row.due_at = due
        for key, value in content(recipient, event, Purpose.REMINDER, row.channel, row.reminder_offset).items():
            setattr(row, key, value)
    return plan_reminders(recipient)


def rerender_pending(purpose: str, channel: str, locale: str) -> int:
    """Give messages not yet sent the current text of their template (after staff changed it); return how many."""
    channels = (
        (channel, Channel.WHATSAPP) if channel == Channel.SMS else (channel,)
    )  # WhatsApp's text follows the SMS's
    count = 0
    for name in channels:
        for row in store.pending_with_text(purpose, name, locale):
            recipient, event = store.get_recipient(row.registration_id), store.get_event(row.event_id)
            if recipient is None or event is None:
                continue
            extra = extra_for(row, event, name)
            for key, value in content(recipient, event, purpose, name, row.reminder_offset, **extra).items():
                setattr(row, key, value)
            count += 1
    return count


#: Notices that a cancellation itself sends; a repeated cancellation must not cancel them.
CANCELLATION_NOTICES = (Purpose.EVENT_CANCELLED, Purpose.REGISTRATION_CANCELLED)


def cancel_pending(registration_id: str, reason: str) -> int:
    rows = [row for row in store.list_pending(registration_id) if row.purpose not in CANCELLATION_NOTICES]
    for row in rows:
        row.status, row.last_error = MessageStatus.CANCELLED, reason
    return len(rows)


def plan_fallback(notification: Notification, *, number_refused: bool = False) -> Notification | None:
    """Stage the same message on the next channel down (WhatsApp -> SMS -> email), if the person has one.

    When the number itself cannot take it (`number_refused`: it opted out; or texts cannot reach it), no other
    text channel is tried: the message goes to email.
    """
    if notification.purpose in NO_FALLBACK:
        return None
    recipient = store.get_recipient(notification.registration_id) if notification.registration_id else None
    next_channel = FALLBACK.get(notification.channel)
    while recipient is not None and next_channel in (Channel.SMS, Channel.WHATSAPP):
        if not number_refused and _textable(recipient.phone):
            break
        next_channel = FALLBACK.get(next_channel)
    if recipient is None or next_channel is None or channel_for(recipient, next_channel) is None:
        return None
    tag = _tag(notification.idempotency_key)
    event = store.get_event(recipient.event_id)
    extra = extra_for(notification, event, next_channel)
    row = plan(
        recipient, notification.purpose, channel=next_channel, tag=tag, offset=notification.reminder_offset, **extra
    )
    if row is not None:
        row.fallback_of = notification.id
    return row


def _tag(idempotency_key: str) -> str | None:
    """The tag of a message's key "<registration>:<purpose>[-<tag>]:<channel>" (a reminder's offset, an
    announcement's id)."""
    return idempotency_key.split(":")[1].partition("-")[2] or None


def extra_for(notification: Notification, event: EventInfo | None, channel: str) -> dict:
    """What a message's text says beyond the person and the event, to render it again (on another channel, with a
    changed template or contact): a cancellation's reason, an announcement's subject and text."""
    if notification.purpose == Purpose.EVENT_CANCELLED:
        return {"reason": event_reason(event)}
    if notification.purpose == Purpose.ANNOUNCEMENT:
        announcement = store.get_announcement(_tag(notification.idempotency_key) or "")
        if announcement is not None:
            return announcing.context(announcement, event, notification.locale, channel)
    return {}


def event_reason(event: EventInfo | None) -> str:
    return getattr(event, "cancel_reason", "") or ""


def report_key(report_id: str, address: str) -> str:
    """Key one report mail per (report, recipient); hashed so a long address fits the column."""
    return f"report:{report_id}:{hashlib.sha256(address.lower().encode()).hexdigest()[:24]}:email"


def mask(address: str) -> str:
    """Show enough of an address for its owner to recognise it, not enough to harvest it."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{address[:5]}****{address[-3:]}"
