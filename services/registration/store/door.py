"""The door kit's records and the list it takes to the door (part of `store`, read through store/__init__.py)."""

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import DoorRecord, Registration
from shared.states import RegistrationStatus


def get_door_record(record_id: str) -> DoorRecord | None:
    return db.session.get(DoorRecord, record_id)


def add_door_record(record: DoorRecord) -> None:
    db.session.add(record)


def door_list(event_id: str) -> list[Registration]:
    """Who may come to the door: the event's confirmed and waitlisted registrations (not the cancelled, nor the
    anonymised), by name."""
    query = sa.select(Registration).where(
        Registration.event_id == event_id,
        Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
        Registration.full_name.is_not(None),
    )
    return list(db.session.scalars(query.order_by(Registration.full_name, Registration.id)))


def forget_door_records(*, registration_id: str | None = None, event_ids=None) -> int:
    """Delete the door records of one registration (its erasure) or of some events (the retention purge)."""
    query = sa.delete(DoorRecord)
    if registration_id is not None:
        query = query.where(DoorRecord.registration_id == registration_id)
    else:
        query = query.where(DoorRecord.event_id.in_(event_ids))
    return db.session.execute(query).rowcount
