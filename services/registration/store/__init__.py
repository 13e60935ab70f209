"""Queries and inserts of the registration service on the session (never commits).

The certificates' queries are in store/certificates.py, read as part of this module (`store`).
"""

from datetime import datetime

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import (
    ApiKey,
    Consent,
    Event,
    EventPoster,
    Registration,
    Staff,
)
from services.registration.store.certificates import (  # noqa: F401 (the certificates' queries, part of `store`)
    attendees_without_certificate,
    certificates_to_render,
    event_signatures,
    events_giving_certificates,
    get_certificate,
    get_certificate_by_download_code,
    get_certificate_by_slug,
    get_certificate_wording,
    list_certificates,
    reissue_certificate,
    store_certificate_pdf,
    take_certificate_numbers,
)
from shared.states import EventStatus, RegistrationStatus


def get_event(event_id: str) -> Event | None:
    return db.session.get(Event, event_id)


def get_poster(event_id: str) -> EventPoster | None:
    return db.session.get(EventPoster, event_id)


def poster_sizes(event_id: str):
    """The poster's widths and heights, without its bytes (the page needs them, not the pictures)."""
    columns = (EventPoster.small_width, EventPoster.small_height, EventPoster.large_width, EventPoster.large_height)
    return db.session.execute(sa.select(*columns).where(EventPoster.event_id == event_id)).first()


def list_open_events(now: datetime) -> list[Event]:
    """Published events that have not ended, soonest first."""
    query = sa.select(Event).where(Event.status == EventStatus.PUBLISHED, Event.ends_at > now).order_by(Event.starts_at)
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
    return _run(_TAKE_SEAT, event_id=event_id).rowcount == 1


def take_open_seat(event_id: str, now: datetime) -> bool:
    """Take one confirmed seat if the event takes registrations at `now` and has one left: one conditional UPDATE.

    It is the whole check for most submissions; why one was refused (closed, full, not found...) is read only then.
    The conditions are events._check_open's, in SQL.
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
#: events._check_open's conditions, in SQL: published, and `now` inside the registration window.
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


def add(row) -> None:
    db.session.add(row)
    db.session.flush()


def get_staff_by_email(email: str) -> Staff | None:
    return db.session.scalar(sa.select(Staff).where(sa.func.lower(Staff.email) == email.strip().lower()))


def lock_event(event_id: str) -> Event | None:
    """Load an event and lock its row until commit (PostgreSQL); SQLite's BEGIN IMMEDIATE already serialises."""
    return db.session.scalars(sa.select(Event).where(Event.id == event_id).with_for_update()).first()


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


def get_registration(registration_id: str, *, lock: bool = False) -> Registration | None:
    query = sa.select(Registration).where(Registration.id == registration_id)
    return db.session.scalars(query.with_for_update() if lock else query).first()


def get_registration_by_cancel_code(code: str) -> Registration | None:
    return db.session.scalars(sa.select(Registration).where(Registration.cancel_code == code)).first()


def list_events(kabupaten_code: str | None = None, now: datetime | None = None) -> list[Event]:
    """Every event, newest start first; only one kabupaten's when `kabupaten_code` is given.

    With `now`: the events not yet ended first, soonest first (today's, at the door, on top), then the ended ones,
    newest first."""
    query = sa.select(Event).order_by(Event.starts_at.desc())
    if now is not None:
        ahead = Event.ends_at > now
        query = sa.select(Event).order_by(
            sa.case((ahead, 0), else_=1), sa.case((ahead, Event.starts_at), else_=None), Event.starts_at.desc()
        )
    if kabupaten_code:
        query = query.where(Event.kabupaten_code == kabupaten_code)
    return list(db.session.scalars(query))


def list_registrations(event_id: str, filters: dict) -> list[Registration]:
    """The registrations of an event, in arrival order, narrowed by status/gender/disability and a text search."""
    query = sa.select(Registration).where(Registration.event_id == event_id)
    for key in ("status", "gender", "disability", "participant_type", "kabupaten_code"):
        if filters.get(key):
            query = query.where(getattr(Registration, key) == filters[key])
    if filters.get("q"):
        term = f"%{filters['q'].strip().lower()}%"
        digits = "".join(ch for ch in filters["q"] if ch.isdigit())
        matches = [
            sa.func.lower(Registration.full_name).like(term),
            sa.func.lower(Registration.checkin_code).like(term),
        ]
        if len(digits) >= 4:
            matches.append(Registration.phone.like(f"%{digits[-9:]}%"))
        matches.append(sa.func.lower(Registration.email).like(term))
        query = query.where(sa.or_(*matches))
    return list(db.session.scalars(query.order_by(Registration.registered_at, Registration.waitlist_seq)))


def count_by_status(event_id: str) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    counted = sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == event_id)
    return dict(rows.all()) | {
        "checked_in": db.session.scalar(counted.where(Registration.checked_in_at.is_not(None))) or 0,
        #: Confirmed people who answered the reminder "1"/"ya": the rest of the confirmed are likelier no-shows.
        "will_attend": db.session.scalar(
            counted.where(Registration.will_attend_at.is_not(None), Registration.status == RegistrationStatus.CONFIRMED)
        )
        or 0,
    }


def request_confirmation(registration_id: str, now: datetime, not_since: datetime) -> bool:
    """Mark that a confirmation is asked for again, unless one was asked for after `not_since`: one conditional
    UPDATE, so of many repeats at once exactly one wins; return whether this one did."""
    query = (
        sa.update(Registration)
        .where(
            Registration.id == registration_id,
            Registration.status != RegistrationStatus.CANCELLED,
            sa.or_(
                Registration.confirmation_requested_at.is_(None),
                Registration.confirmation_requested_at <= not_since,
            ),
        )
        .values(confirmation_requested_at=now)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(query).rowcount == 1


def get_api_key_by_hash(key_hash: str) -> ApiKey | None:
    return db.session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == key_hash))


def get_api_key(key_id: int) -> ApiKey | None:
    return db.session.get(ApiKey, key_id)


def list_api_keys() -> list[ApiKey]:
    """Every key, the ones still in use first, newest first."""
    query = sa.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
    return list(db.session.scalars(query))


def touch_api_key(key_id: int, now: datetime, not_since: datetime) -> None:
    """Record a key's use, at most once per pace (a busy partner does not write the row on every request)."""
    db.session.execute(
        sa.update(ApiKey)
        .where(ApiKey.id == key_id, sa.or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= not_since))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def get_staff(staff_id: int) -> Staff | None:
    return db.session.get(Staff, staff_id)


def list_staff() -> list[Staff]:
    return list(db.session.scalars(sa.select(Staff).order_by(Staff.active.desc(), Staff.name, Staff.id)))
