"""The names of the states, channels and purposes every service shares through the bus.

Each member *is* its stored string (``RegistrationStatus.CONFIRMED == "confirmed"``): the database columns, the
message contracts and the JSON APIs keep exactly the values they always had, and code names a state instead of
spelling it. A value the bus carries is defined here once; a state only one service keeps lives in that service.
"""

from enum import StrEnum


class Channel(StrEnum):
    """How a message reaches a person: the order is the failover order (WhatsApp, then SMS, then email)."""

    WHATSAPP = "whatsapp"
    SMS = "sms"
    EMAIL = "email"


class RegistrationStatus(StrEnum):
    """A registration's seat: confirmed <-> waitlisted, either -> cancelled."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class EventStatus(StrEnum):
    """A training event: draft -> published -> cancelled."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class MessageStatus(StrEnum):
    """A message's life: pending -> sending -> sent (-> delivered | failed by receipt); or cancelled, or failed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Purpose(StrEnum):
    """Why a message is sent: each has its own template per channel and locale."""

    CONFIRMATION = "confirmation"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    REMINDER = "reminder"
    EVENT_CHANGED = "event_changed"
    EVENT_CANCELLED = "event_cancelled"
    REGISTRATION_CANCELLED = "registration_cancelled"
    CERTIFICATE = "certificate"
    REPORT = "report"
    STAFF_INVITE = "staff_invite"
    ACCESS_CODE = "access_code"
    DATA_REQUEST = "data_request"
    REPLY_HELP = "reply_help"
    REPLY_ASK = "reply_ask"
    EVALUATION = "evaluation"
    ANNOUNCEMENT = "announcement"
