"""Seats and the waitlist, on the session (never commits): each taken or given back by one conditional UPDATE of the
event's counters, so two people racing for the last seat cannot both get it. Read as part of `store`."""

from datetime import datetime

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import Consent, Event, Registration
from shared.states import EventStatus, RegistrationStatus


def take_seat(event_id: str) -> bool:
    """Take one confirmed seat if any is left, in one conditional UPDATE (atomic under any concurrency)."""
    return _run(_TAKE_SEAT, event_id=event_id).rowcount == 1


def take_open_seat(event_id: str, now: datetime) -> bool:
    """Take one confirmed seat if the event takes registrations at `now` and has one left: one conditional UPDATE.

    It is the whole check for most submissions; why one was refused (closed, full, not found...) is read only then.
    The conditions are events.check_open's, in SQL.
    """
    return _run(_TAKE_OPEN_SEAT, event_id=event_id, now=now).rowcount == 1


def take_open_waitlist_ticket(event_id: str, now: datetime) -> tuple[int, int] | None:
    """take_waitlist_ticket, if the event is open at `now`, full, and keeps a waitlist; else None (nothing taken)."""
    row = _run(_TAKE_OPEN_TICKET, event_id=event_id, now=now).first()
    return None if row is None else (row.waitlist_seq, row.waitlist_count)


def take_waitlist_ticket(event_id: str) -> tuple[int, int]:
    """Hand out the next waitlist ticket of `event_id`; return (ticket, place on the waitlist).

    One atomic UPDATE; it holds the event's row until commit, so tickets are taken in turn and everyone still
    waiting holds an earlier one: the new place is the number of people waiting, this person included.
    """
    row = _run(_TAKE_TICKET, event_id=event_id).one()
    return row.waitlist_seq, row.waitlist_count


def get_event_window(event_id: str) -> sa.Row | None:
    """What decides whether `event_id` takes registrations now (status, dates, waitlist, seats_left); a row."""
    return _run(_EVENT_WINDOW, event_id=event_id).first()


def get_public_event_row(event_id: str) -> sa.Row | None:
    """What an event's public pages show of it and what decides whether it is open, with seats_left: one statement
    and a row, not an ORM object (read on every public page; the page itself is cached: shared/web/pagecache.py)."""
    return _run(_PUBLIC_EVENT, event_id=event_id).first()


def add_registration(registration: Registration) -> None:
    """Insert a new registration and its consents (IntegrityError for a phone or email already registered).

    `registration` is not added to the session: it is written as it is, and stays readable after the commit.
    """
    values = sa.inspect(registration).dict
    _run(_ADD_REGISTRATION, **{key: value for key, value in values.items() if key in _REGISTRATION_COLUMNS})
    consents = [
        {
            "registration_id": registration.id,
            "purpose": c.purpose,
            "notice_version": c.notice_version,
            "given_at": c.given_at,
            "given_to_registrant": bool(c.given_to_registrant),
        }
        for c in registration.consents
    ]
    db.session.connection().execute(_ADD_CONSENT, consents)


# The form runs these for every registration: built once and run on the session's connection (its transaction),
# they skip the ORM's statement building and unit of work, which cost several times the SQL itself.
_TAKE_SEAT = (
    sa.update(Event)
    .where(Event.id == sa.bindparam("event_id"), Event.confirmed_count < Event.capacity)
    .values(confirmed_count=Event.confirmed_count + 1)
)
_TAKE_TICKET = (
    sa.update(Event)
    .where(Event.id == sa.bindparam("event_id"))
    .values(waitlist_seq=Event.waitlist_seq + 1, waitlist_count=Event.waitlist_count + 1)
    .returning(Event.waitlist_seq, Event.waitlist_count)
)
_NOW = sa.bindparam("now", type_=Event.starts_at.type)
#: events.check_open's conditions, in SQL: published, and `now` inside the registration window.
_OPEN = (
    Event.status == EventStatus.PUBLISHED,
    sa.or_(Event.registration_opens_at.is_(None), Event.registration_opens_at <= _NOW),
    sa.func.coalesce(Event.registration_closes_at, Event.starts_at) > _NOW,
)
_TAKE_OPEN_SEAT = _TAKE_SEAT.where(*_OPEN)
_TAKE_OPEN_TICKET = _TAKE_TICKET.where(
    *_OPEN, Event.waitlist_enabled.is_(True), Event.confirmed_count >= Event.capacity
)
_EVENT_WINDOW = sa.select(
    Event.status,
    Event.registration_opens_at,
    Event.registration_closes_at,
    Event.starts_at,
    Event.waitlist_enabled,
    (Event.capacity - Event.confirmed_count).label("seats_left"),
).where(Event.id == sa.bindparam("event_id"))
#: An event's signature image and its edit time are on no public page.
_PUBLIC_EVENT = sa.select(
    *(column for column in Event.__table__.columns if column.key not in ("signature_png", "updated_at")),
    (Event.capacity - Event.confirmed_count).label("seats_left"),  # never below 0: ck_events_not_oversold
).where(Event.id == sa.bindparam("event_id"))
_ADD_REGISTRATION = sa.insert(Registration)
_REGISTRATION_COLUMNS = frozenset(Registration.__table__.columns.keys())
_ADD_CONSENT = sa.insert(Consent)


def _run(statement, **params) -> sa.CursorResult:
    return db.session.connection().execute(statement, params)


def leave_waitlist(event_id: str) -> None:
    """Count one person fewer waiting (promoted or cancelled; the caller holds the event's row)."""
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.waitlist_count > 0)
        .values(waitlist_count=Event.waitlist_count - 1)
        .execution_options(synchronize_session=False)
    )


def waitlist_position(registration: Registration) -> int | None:
    """Return the 1-based place of a waitlisted registration among those still waiting."""
    if registration.status != RegistrationStatus.WAITLISTED or registration.waitlist_seq is None:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.waitlist_seq < registration.waitlist_seq,
        )
    )
    return (ahead or 0) + 1


def add_chair(event_id: str) -> None:
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id)
        .values(capacity=Event.capacity + 1)
        .execution_options(synchronize_session=False)
    )


def release_seat(event_id: str) -> None:
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.confirmed_count > 0)
        .values(confirmed_count=Event.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )


def first_waitlisted(event_id: str) -> Registration | None:
    query = (
        sa.select(Registration)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlist_seq)
        .limit(1)
        .with_for_update()
    )
    return db.session.scalars(query).first()
