"""Queries and inserts of the notifications service on the session (never commits)."""

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlalchemy.dialects.sqlite
import sqlalchemy.exc
from flask import g

from services.notifications.extensions import db
from services.notifications.messages import Source, file_source
from services.notifications.models import (
    DailySend,
    EventInfo,
    InboundReply,
    MessageTemplate,
    Notification,
    OptOut,
    Recipient,
)
from services.notifications.retention import hashed_address
from shared.timeutil import utcnow


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


def list_recipients(event_id: str) -> list[Recipient]:
    return list(db.session.scalars(sa.select(Recipient).where(Recipient.event_id == event_id)))


def get_recipient(registration_id: str) -> Recipient | None:
    return db.session.get(Recipient, registration_id)


def list_active_recipients(event_id: str) -> list[Recipient]:
    query = sa.select(Recipient).where(Recipient.event_id == event_id, Recipient.status != "cancelled")
    return list(db.session.scalars(query))


def list_pending(registration_id: str, purpose: str | None = None) -> list[Notification]:
    """Return the registration's messages not yet claimed by a sender (what a change or cancellation may touch)."""
    query = sa.select(Notification).where(
        Notification.registration_id == registration_id, Notification.status == "pending"
    )
    if purpose:
        query = query.where(Notification.purpose == purpose)
    return list(db.session.scalars(query.with_for_update()))


def list_reminders(registration_id: str) -> list[Notification]:
    query = sa.select(Notification).where(
        Notification.registration_id == registration_id, Notification.purpose == "reminder"
    )
    return list(db.session.scalars(query))


def get_by_reference(provider: str, reference: str) -> Notification | None:
    query = sa.select(Notification).where(Notification.provider == provider, Notification.provider_ref == reference)
    return db.session.scalars(query.with_for_update()).first()


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


def add_notification_once(values: dict) -> Notification | None:
    """Stage a notification unless one with the same idempotency key exists; return it, or None if it existed."""
    exists = db.session.scalar(
        sa.select(Notification.id).where(Notification.idempotency_key == values["idempotency_key"])
    )
    if exists:
        return None
    notification = Notification(**values)
    db.session.add(notification)
    db.session.flush()
    return notification


def claim(notification_id: str, now: datetime) -> bool:
    """Move a pending message to `sending` in one conditional UPDATE; False if someone else has it."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, Notification.status == "pending", Notification.due_at <= now)
        .values(status="sending", attempts=Notification.attempts + 1, claimed_at=now, handed_out_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


#: What a sender reads of a claimed message (rows, not ORM objects: they outlive the commits of a batch).
CLAIMED_COLUMNS = (
    Notification.id,
    Notification.registration_id,
    Notification.event_id,
    Notification.purpose,
    Notification.channel,
    Notification.to,
    Notification.subject,
    Notification.body,
    Notification.locale,
    Notification.params,
    Notification.attempts,
)


def claim_batch(notification_ids: list[str], now: datetime) -> list[sa.Row]:
    """Move the pending, due messages among `notification_ids` to `sending` in one UPDATE; return those it moved.

    Each row goes to one claimer only: the UPDATE's condition is checked under the row's write lock (SQLite: the
    file's), and on PostgreSQL rows another transaction holds (a cancellation, a second claimer) are skipped, not
    waited for. A skipped row still pending is handed out again by a later dispatch.
    """
    if not notification_ids:
        return []
    free = (
        sa.select(Notification.id)
        .where(Notification.id.in_(notification_ids), Notification.status == "pending", Notification.due_at <= now)
        .with_for_update(skip_locked=True)
    )
    query = (
        sa.update(Notification)
        .where(Notification.id.in_(free))
        .values(status="sending", attempts=Notification.attempts + 1, claimed_at=now, handed_out_at=None)
        .returning(*CLAIMED_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return list(db.session.execute(query))


def _claimed(rows) -> sa.ColumnElement[bool]:
    """Rows still held by the claim that read them (a re-claim after an orphan release counts another attempt)."""
    pairs = [(row.id, row.attempts) for row in rows]
    return sa.tuple_(Notification.id, Notification.attempts).in_(pairs) & (Notification.status == "sending")


_table = Notification.__table__


def record_sent(outcomes: list[dict]) -> None:
    """Record messages the providers took, in one statement: [{id, attempts, status, provider, reference, now}].

    Only a row still held by the claim that sent it is written (its status `sending`, its attempts unchanged).
    """
    if not outcomes:
        return
    c = _table.c
    statement = (
        _table.update()
        .where(c.id == sa.bindparam("b_id"), c.attempts == sa.bindparam("b_attempts"), c.status == "sending")
        .values(
            status=sa.bindparam("b_status"),
            sent_at=sa.bindparam("b_now"),
            delivered_at=sa.bindparam("b_delivered_at"),
            provider=sa.bindparam("b_provider"),
            provider_ref=sa.bindparam("b_reference"),
            last_error=None,
            hold_reason=None,
        )
    )
    db.session.execute(
        statement,
        [
            {
                "b_id": o["id"],
                "b_attempts": o["attempts"],
                "b_status": o["status"],
                "b_now": o["now"],
                "b_delivered_at": o["now"] if o["status"] == "delivered" else None,
                "b_provider": o["provider"],
                "b_reference": o["reference"],
            }
            for o in outcomes
        ],
    )


def cancel_claimed(rows, reasons: dict[str, str]) -> None:
    """End claimed messages `cancelled`, each with its reason (one statement per reason)."""
    for reason in set(reasons.values()):
        mine = [row for row in rows if reasons.get(row.id) == reason]
        db.session.execute(
            sa.update(Notification)
            .where(_claimed(mine))
            .values(status="cancelled", last_error=reason)
            .execution_options(synchronize_session=False)
        )


def release_claimed(rows, *, hold_reason: str | None = None, due_at: datetime | None = None) -> None:
    """Put claimed messages back to pending, the attempt they were claimed with not counted (one statement).

    With `hold_reason` and `due_at` they wait until then (the daily cap); without, the next dispatch takes them.
    """
    if not rows:
        return
    values = {
        "status": "pending",
        "attempts": sa.case((Notification.attempts > 0, Notification.attempts - 1), else_=0),
        "claimed_at": None,
        "handed_out_at": None,
    }
    if hold_reason is not None:
        values |= {"hold_reason": hold_reason, "due_at": due_at}
    db.session.execute(
        sa.update(Notification).where(_claimed(rows)).values(**values).execution_options(synchronize_session=False)
    )


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


def get_notification(notification_id: str) -> Notification | None:
    return db.session.get(Notification, notification_id)


def due_ids(now: datetime, limit: int, handed_out_before: datetime | None = None) -> list[str]:
    """Ids of pending messages due by `now`, oldest first; with `handed_out_before`, only those not handed out
    since then (a dispatch does not hand out again what the previous one gave workers a moment ago)."""
    query = (
        sa.select(Notification.id)
        .where(Notification.status == "pending", Notification.due_at <= now)
        .order_by(Notification.due_at)
        .limit(limit)
        # Two beats (or a slow one overlapping itself) take disjoint rows on PostgreSQL; SQLite locks the file.
        .with_for_update(skip_locked=True)
    )
    if handed_out_before is not None:
        query = query.where(
            sa.or_(Notification.handed_out_at.is_(None), Notification.handed_out_at < handed_out_before)
        )
    return list(db.session.scalars(query))


def handed_out_count(since: datetime) -> int:
    """How many pending messages were handed to workers since `since` and not claimed yet (still queued)."""
    query = sa.select(sa.func.count(Notification.id)).where(
        Notification.status == "pending", Notification.handed_out_at >= since
    )
    return int(db.session.scalar(query) or 0)


def mark_handed_out(notification_ids: list[str], at: datetime | None) -> None:
    """Remember that these pending messages went to a worker at `at` (None: they did not, hand them out again)."""
    for start in range(0, len(notification_ids), 500):
        db.session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(notification_ids[start : start + 500]), Notification.status == "pending")
            .values(handed_out_at=at)
            .execution_options(synchronize_session=False)
        )


def release_orphans(claimed_before: datetime, now: datetime) -> int:
    """Put back to pending, flagged possible_duplicate, every message claimed before `claimed_before` and never
    finished (one UPDATE; a second dispatcher running it at once finds them pending already)."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.status == "sending", Notification.claimed_at < claimed_before)
        .values(status="pending", possible_duplicate=True, due_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def list_notifications(filters: dict, limit: int = 500) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.created_at.desc()).limit(limit)
    for key in ("event_id", "registration_id", "status", "channel", "purpose"):
        if filters.get(key):
            query = query.where(getattr(Notification, key) == filters[key])
    return list(db.session.scalars(query))


def visible_events(kabupaten_code: str | None) -> list[EventInfo]:
    """Events whose messages staff may see: every one (None: a provincial admin), or one regency's."""
    query = sa.select(EventInfo).order_by(EventInfo.starts_at.desc())
    if kabupaten_code is not None:
        query = query.where(EventInfo.kabupaten_code == kabupaten_code)
    return list(db.session.scalars(query))


def search_log(filters: dict, kabupaten_code: str | None, *, offset: int = 0, limit: int = 50) -> list[tuple]:
    """Return (notification, recipient or None, event or None) rows of the message log, newest first.

    `kabupaten_code` limits the log to that regency's events (None: everything, report mails included).
    `filters` may hold event_id, status, channel, purpose and q (a name, phone number, address or check-in code).
    """
    query = (
        sa.select(Notification, Recipient, EventInfo)
        .outerjoin(Recipient, Recipient.registration_id == Notification.registration_id)
        .outerjoin(EventInfo, EventInfo.event_id == Notification.event_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset(offset)
        .limit(limit)
    )
    if kabupaten_code is not None:
        query = query.where(EventInfo.kabupaten_code == kabupaten_code)
    for key in ("event_id", "registration_id", "status", "channel", "purpose"):
        if filters.get(key) and not (key == "status" and filters[key] == "held"):
            query = query.where(getattr(Notification, key) == filters[key])
    if filters.get("status") == "held":  # waiting for tomorrow's budget
        query = query.where(Notification.status == "pending", Notification.hold_reason.is_not(None))
    terms = [term for term in filters.get("q_terms", ()) if term]
    if terms:
        query = query.where(
            sa.or_(
                *[
                    column.ilike(f"%{term}%")
                    for term in terms
                    for column in (Recipient.full_name, Notification.to, Recipient.checkin_code, Recipient.email)
                ]
            )
        )
    return [tuple(row) for row in db.session.execute(query)]


def delivery_counts(event_id: str) -> dict[tuple[str, str], int]:
    """Count an event's messages by (channel, status)."""
    query = (
        sa.select(Notification.channel, Notification.status, sa.func.count())
        .where(Notification.event_id == event_id)
        .group_by(Notification.channel, Notification.status)
    )
    return {(channel, status): count for channel, status, count in db.session.execute(query)}


def has_fallback(notification_id: str) -> bool:
    """Whether the message was handed on to another channel (then that one is the message to resend)."""
    query = sa.select(Notification.id).where(Notification.fallback_of == notification_id).limit(1)
    return db.session.scalar(query) is not None


def requeue_failed(notification_id: str, seen_attempts: int, now: datetime, due_at: datetime, by: str) -> bool:
    """Put a failed message back to pending in one conditional UPDATE; False if it is not (or no longer) as seen.

    The staff member's page showed `seen_attempts`: a second click on that page (or a stale tab) finds the message
    changed and does nothing, so each click sends at most once.
    """
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == "failed",
            Notification.attempts == seen_attempts,
        )
        .values(status="pending", due_at=due_at, resent_at=now, resent_by=by)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def status_counts(event_ids: list[str]) -> dict[str, dict[str, int]]:
    """Count each event's messages by status: {event_id: {status: n}}."""
    if not event_ids:
        return {}
    query = (
        sa.select(Notification.event_id, Notification.status, sa.func.count())
        .where(Notification.event_id.in_(event_ids))
        .group_by(Notification.event_id, Notification.status)
    )
    totals: dict[str, dict[str, int]] = {}
    for event_id, status, count in db.session.execute(query):
        totals.setdefault(event_id, {})[status] = count
    return totals


def get_template(purpose: str, channel: str, locale: str) -> MessageTemplate | None:
    query = sa.select(MessageTemplate).where(
        MessageTemplate.purpose == purpose, MessageTemplate.channel == channel, MessageTemplate.locale == locale
    )
    return db.session.scalars(query).first()


def list_templates() -> list[MessageTemplate]:
    return list(db.session.scalars(sa.select(MessageTemplate)))


def template_source(purpose: str, channel: str, locale: str) -> Source:
    """The text a message is rendered from: staff's for this channel (WhatsApp: else SMS's), else the file's.

    Read once per app context (a task, a request): a registration's confirmation and its reminders share it.
    Saving or resetting a template forgets what was read.
    """
    known = g.setdefault("template_sources", {})
    key = (purpose, channel, locale)
    if key not in known:
        known[key] = _read_template_source(purpose, channel, locale)
    return known[key]


def _read_template_source(purpose: str, channel: str, locale: str) -> Source:
    for candidate in (channel, "sms") if channel == "whatsapp" else (channel,):
        row = get_template(purpose, candidate, locale)
        if row is not None:
            return Source(row.subject if channel == "email" else "", row.body, row.updated_by, row.updated_at)
    return file_source(purpose, channel, locale)


def save_template(purpose: str, channel: str, locale: str, subject: str, body: str, by: str) -> MessageTemplate:
    g.pop("template_sources", None)
    row = get_template(purpose, channel, locale) or MessageTemplate(purpose=purpose, channel=channel, locale=locale)
    row.subject, row.body, row.updated_by, row.updated_at = subject, body, by, utcnow()
    db.session.add(row)
    return row


def delete_template(purpose: str, channel: str, locale: str) -> bool:
    g.pop("template_sources", None)
    row = get_template(purpose, channel, locale)
    if row is not None:
        db.session.delete(row)
    return row is not None


def pending_with_text(purpose: str, channel: str, locale: str) -> list[Notification]:
    """Messages not yet sent whose text came from this template (re-rendered when staff change it)."""
    query = sa.select(Notification).where(
        Notification.purpose == purpose,
        Notification.channel == channel,
        Notification.locale == locale,
        Notification.status == "pending",
        Notification.registration_id.is_not(None),
    )
    return list(db.session.scalars(query.with_for_update(skip_locked=True)))


def reserve_send(channel: str, day: date, cap: int) -> bool:
    """Take one of the day's `cap` sends on `channel` in one conditional UPDATE; False when none is left.

    Two workers cannot both take the last one: the UPDATE's condition is checked under the row's write lock.
    """
    insert = sa.dialects.postgresql.insert if db.engine.dialect.name == "postgresql" else sa.dialects.sqlite.insert
    db.session.execute(insert(DailySend).values(channel=channel, day=day, count=0).on_conflict_do_nothing())
    result = db.session.execute(
        sa.update(DailySend)
        .where(DailySend.channel == channel, DailySend.day == day, DailySend.count < cap)
        .values(count=DailySend.count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_send(channel: str, day: date) -> None:
    """Give back a send the provider did not take (it failed), so it does not count against the budget."""
    db.session.execute(
        sa.update(DailySend)
        .where(DailySend.channel == channel, DailySend.day == day, DailySend.count > 0)
        .values(count=DailySend.count - 1)
        .execution_options(synchronize_session=False)
    )


def sends_on(day: date) -> dict[str, int]:
    query = sa.select(DailySend.channel, DailySend.count).where(DailySend.day == day)
    return dict(db.session.execute(query).all())


def held_count(event_id: str | None = None, kabupaten_code: str | None = None) -> int:
    """How many messages wait for the next day's budget (of one event, or of what a staff member sees)."""
    query = (
        sa.select(sa.func.count(Notification.id))
        .outerjoin(EventInfo, EventInfo.event_id == Notification.event_id)
        .where(Notification.status == "pending", Notification.hold_reason.is_not(None))
    )
    if event_id is not None:
        query = query.where(Notification.event_id == event_id)
    if kabupaten_code is not None:
        query = query.where(EventInfo.kabupaten_code == kabupaten_code)
    return int(db.session.scalar(query) or 0)


def message_counts() -> list[tuple[str, str, str, int]]:
    """(channel, provider or "", status, how many) over every stored message, for GET /metrics."""
    provider = sa.func.coalesce(Notification.provider, "")
    query = sa.select(Notification.channel, provider, Notification.status, sa.func.count()).group_by(
        Notification.channel, provider, Notification.status
    )
    return [tuple(row) for row in db.session.execute(query)]


def oldest_overdue_reminder(now: datetime) -> datetime | None:
    """When the longest-overdue reminder not yet handed to a provider was due (None: none is overdue)."""
    return db.session.scalar(
        sa.select(sa.func.min(Notification.due_at)).where(
            Notification.purpose == "reminder",
            Notification.status.in_(("pending", "sending")),
            Notification.due_at <= now,
        )
    )


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
            Recipient.status.in_(("confirmed", "waitlisted")),
            EventInfo.status != "cancelled",
            EventInfo.ends_at > utcnow(),
        )
        .order_by(EventInfo.starts_at, Recipient.registration_id)
    )
    return list(db.session.scalars(query))
