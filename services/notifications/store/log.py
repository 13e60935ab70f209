"""The notifications store's message log as staff see it, its counts, and the staff-edited templates (on the
session, never commits)."""

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlalchemy.dialects.sqlite
from flask import g

from services.notifications.extensions import db
from services.notifications.models import DailySend, EventInfo, MessageTemplate, Notification, Recipient
from shared.states import MessageStatus, Purpose
from shared.timeutil import utcnow


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
        query = query.where(Notification.status == MessageStatus.PENDING, Notification.hold_reason.is_not(None))
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
            Notification.status == MessageStatus.FAILED,
            Notification.attempts == seen_attempts,
        )
        .values(status=MessageStatus.PENDING, due_at=due_at, resent_at=now, resent_by=by)
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
        Notification.status == MessageStatus.PENDING,
        Notification.registration_id.is_not(None),
    )
    return list(db.session.scalars(query.with_for_update(skip_locked=True)))


def sends_on(day: date) -> dict[str, int]:
    query = sa.select(DailySend.channel, DailySend.count).where(DailySend.day == day)
    return dict(db.session.execute(query).all())


def held_count(event_id: str | None = None, kabupaten_code: str | None = None) -> int:
    """How many messages wait for the next day's budget (of one event, or of what a staff member sees)."""
    query = (
        sa.select(sa.func.count(Notification.id))
        .outerjoin(EventInfo, EventInfo.event_id == Notification.event_id)
        .where(Notification.status == MessageStatus.PENDING, Notification.hold_reason.is_not(None))
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
            Notification.purpose == Purpose.REMINDER,
            Notification.status.in_((MessageStatus.PENDING, MessageStatus.SENDING)),
            Notification.due_at <= now,
        )
    )
