"""Queries and inserts of the registration service on the session (never commits).

The certificates' queries are in store/certificates.py, the evaluation's in store/evaluation.py, the seats and the
waitlist in store/seats.py, read as part of this module (`store`)."""

from datetime import datetime

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import ApiKey, Event, EventPoster, Registration, Staff
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
from services.registration.store.door import (  # noqa: F401 (the door kit's records, part of `store`)
    add_door_record,
    door_list,
    forget_door_records,
    get_door_record,
)
from services.registration.store.evaluation import (  # noqa: F401 (the evaluation's queries, part of `store`)
    answer_evaluation,
    attendees_without_evaluation,
    delete_evaluation_of,
    events_ended,
    get_evaluation_by_code,
    get_evaluation_of,
    get_pretest,
    get_question,
    knowledge_test_taken,
    list_evaluations,
    list_questions,
    pretest_scores,
)
from services.registration.store.seats import (  # noqa: F401 (the seats and the waitlist, part of `store`)
    add_chair,
    add_registration,
    first_waitlisted,
    get_event_window,
    get_public_event_row,
    leave_waitlist,
    release_seat,
    take_open_seat,
    take_open_waitlist_ticket,
    take_seat,
    take_waitlist_ticket,
    waitlist_position,
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


def find_registration(
    event_id: str, phone: str | None, email: str | None, contact_for: str = ""
) -> Registration | None:
    """Return the registration for `event_id` by the same phone or email, if any: the person's own contact, or with
    `contact_for` (a folded name) the person of that name reached at that contact (a registrant's)."""
    matches = []
    by_phone, by_email = (Registration.contact_phone, Registration.contact_email) if contact_for else (
        Registration.phone, Registration.email)  # fmt: skip
    if phone:
        matches.append(by_phone == phone)
    if email:
        matches.append(by_email == email)
    if not matches:
        return None
    query = sa.select(Registration).where(
        Registration.event_id == event_id, Registration.contact_for == contact_for, sa.or_(*matches)
    )
    query = query.limit(1)
    return db.session.scalar(query)


def add(row) -> None:
    db.session.add(row)
    db.session.flush()


def get_staff_by_email(email: str) -> Staff | None:
    return db.session.scalar(sa.select(Staff).where(sa.func.lower(Staff.email) == email.strip().lower()))


def lock_event(event_id: str) -> Event | None:
    """Load an event and lock its row until commit (PostgreSQL); SQLite's BEGIN IMMEDIATE already serialises."""
    return db.session.scalars(sa.select(Event).where(Event.id == event_id).with_for_update()).first()


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
            matches.append(Registration.contact_phone.like(f"%{digits[-9:]}%"))
        matches.append(sa.func.lower(Registration.email).like(term))
        matches.append(sa.func.lower(Registration.contact_email).like(term))
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
