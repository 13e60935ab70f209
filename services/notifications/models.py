"""Tables of the notifications service (and only of this service)."""

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.notifications.extensions import db
from shared.audit import AuditMixin
from shared.consumer import DeadLetterMixin, ProcessedMessageMixin
from shared.db import UTCDateTime
from shared.outbox import OutboxMixin
from shared.staffauth import StaffAccessMixin
from shared.states import EventStatus, MessageStatus
from shared.timeutil import utcnow

#: A message's life: pending -> sending -> sent (-> delivered | failed by receipt); or cancelled, or failed.
STATUSES = tuple(MessageStatus)


def new_id() -> str:
    return str(uuid.uuid4())


class EventInfo(db.Model):
    """What this service knows of a training event, from event.* messages (event-carried state)."""

    __tablename__ = "events"

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    venue: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    kabupaten_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    #: Which regency's organisers may see the event's messages (None for events known before it was kept).
    kabupaten_code: Mapped[str | None] = mapped_column(sa.String(5), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    url: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    reminder_offsets: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default=EventStatus.PUBLISHED, nullable=False)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))


class Recipient(db.Model):
    """A registered person as far as messages go: how to reach them, in which language, for which event."""

    __tablename__ = "recipients"

    registration_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), nullable=False, index=True)
    #: Name, phone, email, code and links are erased a while after the event (retention.py).
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    preferred_channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(5), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    waitlist_position: Mapped[int | None] = mapped_column(sa.Integer)
    checkin_code: Mapped[str | None] = mapped_column(sa.String(12))
    #: The staff check-in page the QR opens at the door (older messages carried only the code).
    checkin_url: Mapped[str | None] = mapped_column(sa.String(500))
    cancel_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: The channel whose reminders the person withdrew their consent for on "Data saya" (None: consent stands).
    reminders_withdrawn_channel: Mapped[str | None] = mapped_column(sa.String(20))
    #: The name of the one who registered the person, when the phone and email are theirs (the person has none):
    #: every message then says whom it is for ("untuk <nama>"). Erased with the name.
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    #: The latest check-in at the door (attendance.checked_in; cleared when staff undo it): who an announcement
    #: "to those present" reaches.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notification(db.Model):
    """One outgoing message. `idempotency_key` (registration, purpose, channel) makes a second send impossible."""

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    idempotency_key: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    registration_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    event_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    to: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default=MessageStatus.PENDING, nullable=False, index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider: Mapped[str | None] = mapped_column(sa.String(30))
    provider_ref: Mapped[str | None] = mapped_column(sa.String(200))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: Set when a crash may have left the provider holding a copy already (see service.release_orphans).
    possible_duplicate: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(5), default="id", nullable=False)
    #: Minutes before the event's start, for reminders (recomputed when the event moves).
    reminder_offset: Mapped[int | None] = mapped_column(sa.Integer)
    #: Ordered parameters of the WhatsApp template (Meta sends approved templates only).
    params: Mapped[list | None] = mapped_column(sa.JSON)
    #: [{filename, content_type, content_base64}] for emails that carry files (reports).
    attachments: Mapped[list | None] = mapped_column(sa.JSON)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The message on another channel this one replaces (WhatsApp -> SMS -> email failover).
    fallback_of: Mapped[str | None] = mapped_column(sa.String(36))
    #: The last time staff sent a failed message again, and who (attempts keep counting).
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resent_by: Mapped[str | None] = mapped_column(sa.String(254))
    #: Why a pending message waits beyond its planned time: "daily_cap" (its channel's budget for the day is spent).
    hold_reason: Mapped[str | None] = mapped_column(sa.String(30))
    #: When the dispatcher last handed this pending message to a worker (cleared by the claim). A backlog is handed
    #: out once, not again at every tick; a message whose task was lost is handed out again later.
    handed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_notifications_provider_ref", "provider", "provider_ref"),)


class MessageTemplate(db.Model):
    """A message text staff changed, per purpose, channel and locale (without one, the file default is used)."""

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(5), nullable=False)
    #: Email only: the subject line (a template too).
    subject: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_by: Mapped[str | None] = mapped_column(sa.String(254))

    __table_args__ = (sa.UniqueConstraint("purpose", "channel", "locale", name="uq_message_templates_key"),)


class DailySend(db.Model):
    """How many messages went to a provider on one channel on one local (WITA) day: the daily cap's counter."""

    __tablename__ = "daily_sends"

    channel: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)


class OptOut(db.Model):
    """A phone number (E.164) or email address that asked for no more non-essential messages.

    Once nobody registered under the address is known any more, the address is kept only as a keyed hash
    ("hmac:<hex>", retention.py): enough to keep honouring the opt-out, not enough to contact or list the person.
    """

    __tablename__ = "opt_outs"

    address: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    #: How it was asked for: link, sms, whatsapp, or staff (undo/redo by staff).
    source: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    changed_by: Mapped[str | None] = mapped_column(sa.String(254))


class InboundReply(db.Model):
    """A participant's reply by SMS or WhatsApp, once per provider message id: a webhook delivered twice has one
    effect. Neither the number nor the text is kept; `outcome` says what was done with it."""

    __tablename__ = "inbound_replies"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    #: "<provider>:<the provider's message id>" (twilio:SM…, whatsapp_cloud:wamid…, zenziva:…).
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True, nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    #: yes, no, stop, ask (which registration?), help (one short answer), ignored.
    outcome: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    registration_id: Mapped[str | None] = mapped_column(sa.String(36))


class Announcement(db.Model):
    """One message an organiser wrote to an event's confirmed people, its waitlist or those present.

    Each person's copy is a Notification (purpose announcement) keyed by this id, so the announcement is sent once
    however often the form is submitted (`idempotency_key`, the form's own). `code` is the unguessable short link
    to the full text, for an SMS too long to carry it; the page shows the event and the text, nothing personal.
    """

    __tablename__ = "announcements"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True, nullable=False)
    event_id: Mapped[str] = mapped_column(sa.String(36), nullable=False, index=True)
    #: confirmed, waitlist or present (states.Audience).
    audience: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    #: Emptied after MESSAGE_BODY_RETENTION_DAYS (retention.py), as the messages' own copies are.
    subject: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    #: The staff member who sent it (their email), forgotten with the event's personal data.
    created_by: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: How many people it was planned for, per channel ({"email": 3, "sms": 2}), and how many it could not reach.
    counts: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    unreachable: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)


class OutboxMessage(OutboxMixin, db.Model):
    SOURCE = "notifications"


class ProcessedMessage(ProcessedMessageMixin, db.Model):
    pass


class DeadLetter(DeadLetterMixin, db.Model):
    pass


class StaffAccess(StaffAccessMixin, db.Model):
    """Each staff account's token version and active flag, from registration's staff.changed events."""


class AuditEntry(AuditMixin, db.Model):
    """One staff action in this service (shared/audit.py): append-only, purged after AUDIT_RETENTION_DAYS."""
