"""Data requests that need a person (UU PDP: answered within 3 x 24 hours; staff see what is due).

Most of what a participant asks on "Data saya" is done at once (mydata.py). These are not, because a person must
weigh them against a record others rely on:

- a new **name** after the person was checked in: the attendance list and certificates carry the name given then;
- **erasure** while the event is under way, or after the person was checked in: attendance is the programme's record;
- a request in the person's **own words** ("permintaan lain"): only a person can read it.

Each is stored with `due_at` = received + RESPONSE_TIME. Provincial admins see every one, a regency organiser those
of their kabupaten's events, at /staf/permintaan-data. Closing one with an outcome tells the person by their channel
(registration.request_answered); a name agreed to is applied (registration.corrected), an erasure agreed to runs once
the answer has gone (or a day later at the latest, by the daily purge).
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from services.registration import store
from services.registration.bus import bus, nudge
from services.registration.common import RegistrationError, audit, require_scope
from services.registration.extensions import db
from services.registration.groups import fold_name
from services.registration.models import DataRequest, Event, Registration
from services.registration.registering import contact_name, statistics_disability
from shared.messaging.names import EventNames
from shared.staffauth import StaffClaims
from shared.timeutil import utcnow

#: What the law gives a controller to act on a request a person must handle.
RESPONSE_TIME = timedelta(hours=72)
KINDS = ("name_correction", "erasure", "other")
OUTCOMES = ("done", "refused")
#: The longest text a participant or staff member writes in a request or an answer.
MAX_TEXT = 1000
#: An agreed erasure runs when the answer's delivery is known; at the latest this long after it was agreed.
ERASE_AT_THE_LATEST = timedelta(days=1)


def open_request(registration: Registration, kind: str, details: str = "") -> DataRequest:
    """Store a request for a person to decide (in the caller's transaction); one open request per kind per
    registration: asking again updates what is asked, and keeps the first due time."""
    existing = db.session.scalar(
        sa.select(DataRequest).where(
            DataRequest.registration_id == registration.id, DataRequest.kind == kind, DataRequest.closed_at.is_(None)
        )
    )
    if existing is not None:
        existing.details = details[:MAX_TEXT]
        return existing
    now = utcnow()
    request = DataRequest(
        registration_id=registration.id,
        event_id=registration.event_id,
        kind=kind,
        details=details[:MAX_TEXT],
        received_at=now,
        due_at=now + RESPONSE_TIME,
    )
    db.session.add(request)
    audit(f"data_request.{kind}", None, event_id=registration.event_id, object_id=registration.id)
    return request


def open_requests_of(registration_id: str) -> list[DataRequest]:
    query = sa.select(DataRequest).where(
        DataRequest.registration_id == registration_id, DataRequest.closed_at.is_(None)
    )
    return list(db.session.scalars(query.order_by(DataRequest.received_at)))


def erasure_needs_a_person(registration: Registration, event: Event, now: datetime) -> bool:
    """Whether erasing now needs a person: the person was checked in, or the event is under way."""
    return registration.checked_in_at is not None or event.starts_at <= now < event.ends_at


def _scoped(staff: StaffClaims):
    query = sa.select(DataRequest).join(Event, Event.id == DataRequest.event_id)
    if not staff.is_provincial:
        query = query.where(Event.kabupaten_code == (staff.kabupaten_code or "-"))
    return query


def list_for_staff(staff: StaffClaims) -> tuple[list[DataRequest], list[DataRequest]]:
    """(open requests, soonest due first; the latest 50 closed) that `staff` may see."""
    open_ = _scoped(staff).where(DataRequest.closed_at.is_(None)).order_by(DataRequest.due_at)
    closed = _scoped(staff).where(DataRequest.closed_at.is_not(None)).order_by(DataRequest.closed_at.desc())
    return list(db.session.scalars(open_.limit(500))), list(db.session.scalars(closed.limit(50)))


def get_for_staff(request_id: int, staff: StaffClaims) -> DataRequest:
    request = db.session.get(DataRequest, request_id)
    if request is None:
        raise RegistrationError("not_found", _("Permintaan tidak ditemukan."), 404)
    require_scope(staff, request.event.kabupaten_code, _("Permintaan ini milik kabupaten/kota lain."))
    return request


def close(request_id: int, staff: StaffClaims, outcome: str, answer: str) -> DataRequest:
    """Close a request with its outcome and the words the person is sent; a closed one is not closed again."""
    if outcome not in OUTCOMES:
        raise RegistrationError("invalid", _("Pilih hasilnya."), 400)
    get_for_staff(request_id, staff)
    locked = sa.select(DataRequest).where(DataRequest.id == request_id).with_for_update()
    request = db.session.scalar(locked.execution_options(populate_existing=True))
    if request.closed_at is not None:
        db.session.rollback()
        return request
    registration = store.get_registration(request.registration_id, lock=True)
    now = utcnow()
    request.closed_at, request.closed_by, request.outcome = now, staff.id, outcome
    request.answer = answer.strip()[:MAX_TEXT]
    if registration is not None and registration.full_name is not None:
        if outcome == "done" and request.kind == "name_correction" and request.details:
            _apply_name(registration, request.details, now)
        payload = {"registration_id": registration.id, "event_id": registration.event_id, "request_id": request.id}
        payload |= {"kind": request.kind, "outcome": outcome, "answer": request.answer, "answered_at": now}
        bus.emit(EventNames.REGISTRATION_REQUEST_ANSWERED, payload)
    audit(f"data_request.close_{outcome}", staff, event_id=request.event_id, object_id=request.registration_id)
    db.session.commit()
    nudge()
    if outcome == "done" and request.kind == "erasure" and (registration is None or registration.full_name is None):
        carry_out_erasure(request.id)  # nobody left to tell
    return request


def _apply_name(registration: Registration, name: str, now: datetime) -> None:
    registration.full_name = name
    if registration.contact_for:  # on the registrant's contact, the person is told apart by name
        registration.contact_for = fold_name(name)
    payload = {key: getattr(registration, key) for key in ("full_name", "preferred_channel")}
    payload |= {"phone": registration.reach_phone, "email": registration.reach_email} | contact_name(registration)
    payload |= {"gender": registration.gender, "age_group": registration.age_group}
    payload |= {"disability": statistics_disability(registration)}
    payload |= {"registration_id": registration.id, "event_id": registration.event_id, "corrected_at": now}
    bus.emit(EventNames.REGISTRATION_CORRECTED, payload)


def carry_out_erasure(request_id: int) -> bool:
    """Run an agreed erasure (once): the registration is erased as "Data saya" erases it."""
    from services.registration import rights

    request = db.session.get(DataRequest, request_id)
    if request is None or request.outcome != "done" or request.kind != "erasure" or request.carried_out_at:
        return False
    registration_id = request.registration_id
    rights.erase(registration_id)  # commits; nothing when erased meanwhile
    request = db.session.get(DataRequest, request_id)
    request.carried_out_at = utcnow()
    db.session.commit()
    return True


def after_answer(registration_id: str):
    """What to do once the answer to a request reached the person (or could not): run an erasure agreed to (a
    callable run after the delivery word is committed)."""

    def run() -> None:
        query = sa.select(DataRequest.id).where(
            DataRequest.registration_id == registration_id,
            DataRequest.kind == "erasure",
            DataRequest.outcome == "done",
            DataRequest.carried_out_at.is_(None),
        )
        for request_id in db.session.scalars(query).all():
            carry_out_erasure(request_id)

    return run


def erase_agreed(now: datetime) -> int:
    """Run the erasures agreed to more than ERASE_AT_THE_LATEST ago whose answer's delivery never came (daily)."""
    query = sa.select(DataRequest.id).where(
        DataRequest.kind == "erasure",
        DataRequest.outcome == "done",
        DataRequest.carried_out_at.is_(None),
        DataRequest.closed_at < now - ERASE_AT_THE_LATEST,
    )
    return sum(carry_out_erasure(request_id) for request_id in db.session.scalars(query).all())
