"""What the notifications store keeps of events, recipients, opt-outs and the replies acted on (on the session,
never commits)."""

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlalchemy.dialects.sqlite
import sqlalchemy.exc
from flask import current_app

from services.notifications.extensions import db
from services.notifications.models import EventInfo, InboundReply, OptOut, Recipient
from shared.states import EventStatus, RegistrationStatus
from shared.timeutil import utcnow

#: How an opt-out kept only as a keyed hash begins (an address never does).
HASH_PREFIX = "hmac:"


def hashed_address(address: str) -> str:
    """The keyed hash an opt-out keeps instead of `address` once nothing else holds the address."""
    key = current_app.config.get("OPT_OUT_HASH_KEY") or current_app.config["SECRET_KEY"]
    return HASH_PREFIX + hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()


def upsert_event(values: dict) -> EventInfo:
    event = db.session.get(EventInfo, values["event_id"]) or EventInfo(event_id=values["event_id"])
    for key, value in values.items():
        setattr(event, key, value)
    db.session.add(event)
    return event


def get_event(event_id: str) -> EventInfo | None:
    return db.session.get(EventInfo, event_id)


def upsert_recipient(values: dict) -> Recipient:
    recipient = db.session.get(Recipient, values["registration_id"]) or Recipient(**values)
    for key, value in values.items():
        setattr(recipient, key, value)
    db.session.add(recipient)
    return recipient


def get_recipient(registration_id: str) -> Recipient | None:
    return db.session.get(Recipient, registration_id)


def list_active_recipients(event_id: str) -> list[Recipient]:
    query = sa.select(Recipient).where(Recipient.event_id == event_id, Recipient.status != RegistrationStatus.CANCELLED)
    return list(db.session.scalars(query))


def get_opt_out(address: str) -> OptOut | None:
    """The opt-out of `address`, kept as the address or, after the retention period, as its keyed hash."""
    return db.session.get(OptOut, address) or db.session.get(OptOut, hashed_address(address))


def upsert_opt_out(address: str, *, active: bool, source: str, changed_by: str | None = None) -> OptOut:
    row = get_opt_out(address) or OptOut(address=address)
    row.active, row.source, row.changed_by, row.changed_at = active, source, changed_by, utcnow()
    db.session.add(row)
    return row


def list_opt_outs(kabupaten_code: str | None = None) -> list[OptOut]:
    """Every opt-out (kabupaten_code None: a provincial admin), or those of one regency's recipients."""
    query = sa.select(OptOut).order_by(OptOut.changed_at.desc())
    if kabupaten_code is not None:
        query = query.where(OptOut.address.in_(_addresses_in(kabupaten_code)))
    return list(db.session.scalars(query))


def address_in_kabupaten(address: str, kabupaten_code: str) -> bool:
    """Whether `address` is the phone number or email of a recipient of an event in `kabupaten_code`."""
    return db.session.scalar(sa.select(sa.literal(True)).where(sa.literal(address).in_(_addresses_in(kabupaten_code))))


def _addresses_in(kabupaten_code: str):
    """The phone numbers and emails of the recipients of a regency's events (an opt-out knows no event itself)."""
    events = sa.select(EventInfo.event_id).where(EventInfo.kabupaten_code == kabupaten_code)
    recipients = sa.select(Recipient.phone, Recipient.email).where(Recipient.event_id.in_(events)).subquery()
    phones = sa.select(recipients.c.phone).where(recipients.c.phone.is_not(None))
    emails = sa.select(recipients.c.email).where(recipients.c.email.is_not(None))
    return sa.union(phones, emails)


def active_opt_outs(addresses: set[str]) -> set[str]:
    """Which of `addresses` asked for no more non-essential messages."""
    if not addresses:
        return set()
    hashes = {hashed_address(address): address for address in addresses}  # opt-outs past the retention period
    query = sa.select(OptOut.address).where(OptOut.address.in_([*addresses, *hashes]), OptOut.active.is_(True))
    return {hashes.get(found, found) for found in db.session.scalars(query)}


def event_starts(event_ids: set[str]) -> dict[str, datetime]:
    """When each of the known events among `event_ids` starts."""
    if not event_ids:
        return {}
    query = sa.select(EventInfo.event_id, EventInfo.starts_at).where(EventInfo.event_id.in_(event_ids))
    return dict(db.session.execute(query).all())


def reply_seen(message_id: str) -> bool:
    """Whether the inbound message `message_id` ("<provider>:<id>") was acted on already."""
    return db.session.scalar(sa.select(InboundReply.id).where(InboundReply.message_id == message_id)) is not None


def add_reply(message_id: str, channel: str, outcome: str, registration_id: str | None) -> bool:
    """Record an inbound message as acted on; False when a concurrent delivery of the same message did first."""
    try:
        with db.session.begin_nested():
            db.session.add(
                InboundReply(message_id=message_id, channel=channel, outcome=outcome, registration_id=registration_id)
            )
    except sa.exc.IntegrityError:
        return False
    return True


def recipients_ahead(phone: str) -> list[Recipient]:
    """The registrations (confirmed or waiting) of `phone` whose event has not ended nor been cancelled, soonest
    first: what a reply from that number can be about."""
    query = (
        sa.select(Recipient)
        .join(EventInfo, EventInfo.event_id == Recipient.event_id)
        .where(
            Recipient.phone == phone,
            Recipient.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
            EventInfo.status != EventStatus.CANCELLED,
            EventInfo.ends_at > utcnow(),
        )
        .order_by(EventInfo.starts_at, Recipient.registration_id)
    )
    return list(db.session.scalars(query))
