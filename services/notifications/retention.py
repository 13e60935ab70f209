"""Keep personal data only as long as it is needed (docs/data.md): the daily purge of the notifications store."""

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from services.notifications.extensions import db
from services.notifications.models import (
    Announcement,
    AuditEntry,
    EventInfo,
    InboundReply,
    Notification,
    OptOut,
    Recipient,
)
from services.notifications.store import HASH_PREFIX, hashed_address
from shared import audit
from shared.retention import BATCH_SIZE, cutoff, update_in_batches
from shared.states import MessageStatus, RegistrationStatus

logger = logging.getLogger(__name__)

#: A recipient after anonymisation: the registration and event ids, channel, language and status, nothing more.
ANONYMOUS_RECIPIENT = dict.fromkeys(
    ("full_name", "phone", "email", "checkin_code", "checkin_url", "cancel_url", "contact_name", "checked_in_at")
)
#: What a message loses after MESSAGE_BODY_RETENTION_DAYS: everything it said (names, codes, links, files).
#: (SQL NULL for the JSON columns: a plain None would be stored as the JSON value null.)
NO_CONTENT = {"subject": "", "body": "", "params": sa.null(), "attachments": sa.null()}
#: What it loses after PERSONAL_DATA_RETENTION_DAYS: also whom it went to and what the provider said.
ANONYMOUS_NOTIFICATION = {**NO_CONTENT, "to": "", "last_error": None}
#: Messages still to be sent keep their content, whatever their age.
UNFINISHED = (MessageStatus.PENDING, MessageStatus.SENDING)


def _has_content():
    """Whether a message still holds what it said (every message has a text; all of it goes at once)."""
    return sa.or_(Notification.subject != "", Notification.body != "")


def empty_sent_messages(before: datetime) -> int:
    """Erase the content of messages sent (or ended) before `before` (safe to run twice).

    Their status, channel, provider and times stay for the staff log and the figures; a failed message emptied so
    can no longer be resent (service.resendable).
    """
    finished = Notification.status.not_in(UNFINISHED)
    old = sa.func.coalesce(Notification.sent_at, Notification.created_at) < before
    return update_in_batches(db.session, Notification.id, sa.and_(finished, old, _has_content()), NO_CONTENT)


def anonymise_recipients(before: datetime) -> int:
    """Erase how to reach the people registered for events that ended before `before` (safe to run twice)."""
    ended = sa.select(EventInfo.event_id).where(EventInfo.ends_at < before)
    personal = sa.or_(*(getattr(Recipient, name).is_not(None) for name in ANONYMOUS_RECIPIENT))
    return update_in_batches(
        db.session, Recipient.registration_id, sa.and_(Recipient.event_id.in_(ended), personal), ANONYMOUS_RECIPIENT
    )


def anonymise_notifications(before: datetime) -> int:
    """Erase addressee and content of the messages of events that ended before `before`, and of messages of no
    event (reports to staff) made before it; any still waiting are cancelled (safe to run twice)."""
    ended = sa.select(EventInfo.event_id).where(EventInfo.ends_at < before)
    old = sa.or_(
        Notification.event_id.in_(ended), sa.and_(Notification.event_id.is_(None), Notification.created_at < before)
    )
    personal = sa.or_(Notification.to != "", Notification.last_error.is_not(None), _has_content())
    # A message of an event a year past that is still waiting will never be wanted: it is cancelled too.
    status = sa.case((Notification.status.in_(UNFINISHED), MessageStatus.CANCELLED), else_=Notification.status)
    values = {**ANONYMOUS_NOTIFICATION, "status": status}
    return update_in_batches(db.session, Notification.id, sa.and_(old, personal), values)


def empty_announcements(before: datetime) -> int:
    """Erase what announcements made before `before` said (as their messages' copies are erased): their short link
    then leads nowhere. Whom they went to and how many stay for the log (safe to run twice)."""
    said = sa.or_(Announcement.subject != "", Announcement.text != "")
    return update_in_batches(
        db.session, Announcement.id, sa.and_(Announcement.created_at < before, said), {"subject": "", "text": ""}
    )


def anonymise_announcements(before: datetime) -> int:
    """Forget which staff member wrote the announcements of events that ended before `before` (safe to run twice)."""
    ended = sa.select(EventInfo.event_id).where(EventInfo.ends_at < before)
    old = sa.and_(Announcement.event_id.in_(ended), Announcement.created_by.is_not(None))
    return update_in_batches(db.session, Announcement.id, old, {"created_by": None})


def hash_opt_outs(before: datetime | None, addresses: list[str] | None = None) -> int:
    """Replace the address of opt-outs last changed before `before` (or of `addresses`, whenever changed) by its
    keyed hash, once no recipient or message holds the address any more; the opt-out keeps working
    (store.active_opt_outs). Safe to run twice."""
    in_use = sa.or_(
        sa.exists().where(Recipient.phone == OptOut.address),
        sa.exists().where(Recipient.email == OptOut.address),
        sa.exists().where(Notification.to == OptOut.address),
    )
    which = OptOut.changed_at < before if addresses is None else OptOut.address.in_(addresses)
    due = sa.and_(OptOut.address.not_like(f"{HASH_PREFIX}%"), which, sa.not_(in_use))
    total = 0
    while rows := db.session.scalars(sa.select(OptOut).where(due).limit(BATCH_SIZE)).all():
        for row in rows:
            key = hashed_address(row.address)
            kept = db.session.get(OptOut, key)
            if kept is None:
                kept = OptOut(address=key, changed_at=row.changed_at)
                db.session.add(kept)
            if kept.changed_at <= row.changed_at:  # the latest word of the person wins
                kept.active, kept.source, kept.changed_by = row.active, row.source, row.changed_by
                kept.changed_at = row.changed_at
            db.session.delete(row)
        db.session.commit()
        total += len(rows)
    return total


def erase_registration(registration_id: str) -> bool:
    """Forget a person who had their registration erased: the recipient keeps only ids, channel, language and status
    (cancelled), every message to them loses its address and content (those still waiting are cancelled), and an
    opt-out of their address is kept as its keyed hash. Safe to run twice; the caller commits."""
    recipient = db.session.get(Recipient, registration_id)
    addresses = [address for address in (recipient.phone, recipient.email) if address] if recipient else []
    if recipient is not None:
        for key, value in ANONYMOUS_RECIPIENT.items():
            setattr(recipient, key, value)
        recipient.status, recipient.waitlist_position = RegistrationStatus.CANCELLED, None
    status = sa.case((Notification.status.in_(UNFINISHED), MessageStatus.CANCELLED), else_=Notification.status)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.registration_id == registration_id)
        .values(**ANONYMOUS_NOTIFICATION, status=status)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    if addresses:
        hash_opt_outs(None, addresses)
    return recipient is not None


def purge_replies(before: datetime) -> int:
    """Forget inbound replies received before `before`: a provider redelivers a webhook within hours, not weeks."""
    result = db.session.execute(sa.delete(InboundReply).where(InboundReply.received_at < before))
    db.session.commit()
    return result.rowcount or 0


def purge_old_data(now: datetime | None = None) -> dict[str, int]:
    """Run every retention rule of this service once; log one line of counts (no personal data) and return them."""
    from services.notifications.service import bus

    config = current_app.config
    personal = cutoff(config["PERSONAL_DATA_RETENTION_DAYS"], now)
    counts = {
        "messages_emptied": empty_sent_messages(cutoff(config["MESSAGE_BODY_RETENTION_DAYS"], now)),
        "messages_anonymised": anonymise_notifications(personal),
        "recipients_anonymised": anonymise_recipients(personal),
        "announcements_emptied": empty_announcements(cutoff(config["MESSAGE_BODY_RETENTION_DAYS"], now)),
        "announcements_anonymised": anonymise_announcements(personal),
        "opt_outs_hashed": hash_opt_outs(personal),
        "audit_rows_deleted": audit.purge(db.session, AuditEntry, config["AUDIT_RETENTION_DAYS"], now),
        "replies_deleted": purge_replies(cutoff(config["PROCESSED_RETENTION_DAYS"], now)),
    }
    counts |= bus.purge(now)
    logger.info("retention purge done: %s", " ".join(f"{key}={value}" for key, value in counts.items()))
    return counts
