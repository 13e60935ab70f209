"""Queries and inserts of the notifications service on the session (never commits)."""

from datetime import datetime

import sqlalchemy as sa

from services.notifications.extensions import db
from services.notifications.models import EventInfo, Notification, Recipient


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
        .values(status="sending", attempts=Notification.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def get_notification(notification_id: str) -> Notification | None:
    return db.session.get(Notification, notification_id)


def due_ids(now: datetime, limit: int) -> list[str]:
    query = (
        sa.select(Notification.id)
        .where(Notification.status == "pending", Notification.due_at <= now)
        .order_by(Notification.due_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def orphaned(claimed_before: datetime) -> list[Notification]:
    query = sa.select(Notification).where(Notification.status == "sending", Notification.claimed_at < claimed_before)
    return list(db.session.scalars(query.with_for_update(skip_locked=True)))


def list_notifications(filters: dict, limit: int = 500) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.created_at.desc()).limit(limit)
    for key in ("event_id", "registration_id", "status", "channel", "purpose"):
        if filters.get(key):
            query = query.where(getattr(Notification, key) == filters[key])
    return list(db.session.scalars(query))
