"""Queries and upserts of the reporting read model (never commits)."""

from datetime import datetime

import sqlalchemy as sa

from services.reporting.extensions import db
from services.reporting.models import DeliveryFact, EventFact, RegistrationFact


def upsert(model: type, key: str, values: dict):
    """Insert or update the row of `model` whose primary key is values[key] (replaying an event is harmless)."""
    row = db.session.get(model, values[key]) or model(**{key: values[key]})
    for name, value in values.items():
        setattr(row, name, value)
    db.session.add(row)
    return row


def get_registration(registration_id: str) -> RegistrationFact | None:
    return db.session.get(RegistrationFact, registration_id)


def get_event(event_id: str) -> EventFact | None:
    return db.session.get(EventFact, event_id)


def summary(filters: dict) -> dict:
    """Return the headline figures, optionally for one kabupaten, event or period of event start."""
    events = sa.select(EventFact.event_id)
    if filters.get("kabupaten_code"):
        events = events.where(EventFact.kabupaten_code == filters["kabupaten_code"])
    if filters.get("event_id"):
        events = events.where(EventFact.event_id == filters["event_id"])
    if filters.get("starts_from"):
        events = events.where(EventFact.starts_at >= filters["starts_from"])
    if filters.get("starts_before"):
        events = events.where(EventFact.starts_at < filters["starts_before"])
    active = RegistrationFact.status.in_(("confirmed", "waitlisted"))
    in_scope = RegistrationFact.event_id.in_(events.scalar_subquery())
    counts = db.session.execute(
        sa.select(
            sa.func.count().filter(active),
            sa.func.count().filter(RegistrationFact.status == "confirmed"),
            sa.func.count().filter(RegistrationFact.status == "waitlisted"),
            sa.func.count().filter(RegistrationFact.status == "cancelled"),
            sa.func.count().filter(RegistrationFact.checked_in_at.is_not(None)),
        ).where(in_scope)
    ).one()
    event_count = db.session.scalar(sa.select(sa.func.count()).select_from(events.subquery()))
    keys = ("registrations", "confirmed", "waitlisted", "cancelled", "attended")
    return {"events": event_count, **dict(zip(keys, counts, strict=True))}


def list_facts(start: datetime, end: datetime, kabupaten_code: str | None) -> tuple[list, list, list]:
    """Return the events starting in [start, end) (of one kabupaten, if given), their registrations and messages."""
    query = sa.select(EventFact).where(EventFact.starts_at >= start, EventFact.starts_at < end)
    if kabupaten_code:
        query = query.where(EventFact.kabupaten_code == kabupaten_code)
    events = list(db.session.scalars(query))
    ids = [event.event_id for event in events]
    registrations = list(db.session.scalars(sa.select(RegistrationFact).where(RegistrationFact.event_id.in_(ids))))
    deliveries = list(db.session.scalars(sa.select(DeliveryFact).where(DeliveryFact.event_id.in_(ids))))
    return events, registrations, deliveries
