"""Queries and inserts of the registration service on the session (never commits)."""

from datetime import datetime

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import Event, Registration, Staff


def get_event(event_id: str) -> Event | None:
    return db.session.get(Event, event_id)


def list_open_events(now: datetime) -> list[Event]:
    """Published events that have not ended, soonest first."""
    query = sa.select(Event).where(Event.status == "published", Event.ends_at > now).order_by(Event.starts_at)
    return list(db.session.scalars(query))


def find_registration(event_id: str, phone: str | None, email: str | None) -> Registration | None:
    """Return the registration for `event_id` by the same phone or email, if any."""
    matches = []
    if phone:
        matches.append(Registration.phone == phone)
    if email:
        matches.append(Registration.email == email)
    query = sa.select(Registration).where(Registration.event_id == event_id, sa.or_(*matches)).limit(1)
    return db.session.scalar(query)


def take_seat(event_id: str) -> bool:
    """Take one confirmed seat if any is left, in one conditional UPDATE (atomic under any concurrency)."""
    result = db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.confirmed_count < Event.capacity)
        .values(confirmed_count=Event.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def take_waitlist_ticket(event_id: str) -> int:
    """Hand out the next waitlist ticket of `event_id` (atomic increment, returns the new number)."""
    return db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id)
        .values(waitlist_seq=Event.waitlist_seq + 1)
        .returning(Event.waitlist_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def waitlist_position(registration: Registration) -> int | None:
    """Return the 1-based place of a waitlisted registration among those still waiting."""
    if registration.status != "waitlisted" or registration.waitlist_seq is None:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == "waitlisted",
            Registration.waitlist_seq < registration.waitlist_seq,
        )
    )
    return (ahead or 0) + 1


def add(row) -> None:
    db.session.add(row)
    db.session.flush()


def get_staff_by_email(email: str) -> Staff | None:
    return db.session.scalar(sa.select(Staff).where(sa.func.lower(Staff.email) == email.strip().lower()))
