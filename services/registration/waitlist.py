"""Cancelling a registration and the waitlist behind it: a freed seat goes to the first in line, staff may seat one by
hand; staff's lists of an event's registrations."""

from flask_babel import gettext as _

from services.registration import store
from services.registration.bus import emit, nudge
from services.registration.common import RegistrationError, audit, event_for_staff, require_scope
from services.registration.extensions import db
from services.registration.models import Event, Registration
from shared.messaging.names import EventNames
from shared.staffauth import StaffClaims
from shared.states import RegistrationStatus
from shared.timeutil import utcnow


def cancel_registration(registration_id: str, staff: StaffClaims | None = None) -> Registration:
    """Cancel a registration (by its owner's link, or by staff); a freed seat goes to the first on the waitlist."""
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    event = store.lock_event(registration.event_id)  # cancellations of one event take turns: one promotion each
    if staff is not None:
        require_scope(staff, event.kabupaten_code, _("Pendaftaran ini milik kabupaten/kota lain."))
    registration = store.get_registration(registration_id, lock=True)
    if registration.status == RegistrationStatus.CANCELLED:
        db.session.rollback()
        return registration
    cancel_locked(registration, event)
    if staff is not None:
        audit("registration.cancel", staff, event_id=event.id, object_id=registration.id)
    db.session.commit()
    nudge()
    return registration


def cancel_locked(registration: Registration, event: Event, *, erasure: bool = False) -> None:
    """Cancel an active `registration` whose event and row the caller locked: free its seat or waitlist place and
    promote the next person (inside the caller's transaction). `erasure`: the person is being erased, no notice."""
    was_confirmed, was_waiting = (
        registration.status == RegistrationStatus.CONFIRMED,
        registration.status == RegistrationStatus.WAITLISTED,
    )
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, utcnow()
    if was_waiting:
        store.leave_waitlist(event.id)
    payload = _cancelled_payload(registration, was_confirmed)
    emit(EventNames.REGISTRATION_CANCELLED, payload | ({"erasure": True} if erasure else {}))
    if was_confirmed:
        store.release_seat(event.id)
        promote_next(event)


def _cancelled_payload(registration: Registration, was_confirmed: bool) -> dict:
    return {
        "registration_id": registration.id,
        "event_id": registration.event_id,
        "was_confirmed": was_confirmed,
        "cancelled_at": registration.cancelled_at,
    }


def promote_next(event: Event) -> Registration | None:
    """Give a free seat to the first person on the waitlist, if there is one (inside the caller's transaction)."""
    waiting = store.first_waitlisted(event.id)
    if waiting is None or not store.take_seat(event.id):
        return None
    _promote(waiting)
    return waiting


def _promote(registration: Registration) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    store.leave_waitlist(registration.event_id)
    emit(
        EventNames.REGISTRATION_PROMOTED,
        {"registration_id": registration.id, "event_id": registration.event_id, "promoted_at": utcnow()},
    )


def promote_registration(registration_id: str, staff: StaffClaims, add_chair: bool = True) -> Registration:
    """Move one waitlisted person to a confirmed seat by hand, adding a chair when the room is full.

    The waitlist only exists while every seat is taken, so promoting someone out of turn (a participant who needs
    a place near the interpreter, say) means one more chair: capacity grows by one, never overselling. With
    `add_chair` false a full room refuses instead (the staff page asks first, and the room may have filled since).
    """
    registration, event = waitlisted_for_staff(registration_id, staff)
    seat_waitlisted(registration, event, add_chair)
    audit("registration.promote", staff, event_id=event.id, object_id=registration.id)
    db.session.commit()
    nudge()
    return registration


def waitlisted_for_staff(registration_id: str, staff: StaffClaims) -> tuple[Registration, Event]:
    """The waitlisted registration and its event, both locked until commit; refuse anyone else."""
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    event = event_for_staff(registration.event_id, staff)
    store.lock_event(event.id)
    registration = store.get_registration(registration_id, lock=True)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RegistrationError("not_waitlisted", _("Hanya peserta daftar tunggu yang dapat diberi kursi."))
    return registration, event


def seat_waitlisted(registration: Registration, event: Event, add_chair: bool) -> None:
    if not store.take_seat(event.id):
        if not add_chair:
            raise RegistrationError("full", _("Kursi sudah penuh. Memberi kursi sekarang berarti menambah satu kursi."))
        store.add_chair(event.id)
        store.take_seat(event.id)
    _promote(registration)


def list_registrations(event_id: str, filters: dict, staff: StaffClaims) -> list[Registration]:
    """Return an event's registrations for staff, each waitlisted one with its current `waitlist_position`."""
    event_for_staff(event_id, staff)
    registrations = store.list_registrations(event_id, filters)
    waiting = sorted(
        (r for r in store.list_registrations(event_id, {"status": RegistrationStatus.WAITLISTED})),
        key=lambda r: r.waitlist_seq,
    )
    positions = {registration.id: place for place, registration in enumerate(waiting, start=1)}
    for registration in registrations:
        registration.waitlist_position = positions.get(registration.id)
    return registrations


def get_staff_registration(registration_id: str, staff: StaffClaims) -> Registration:
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    event_for_staff(registration.event_id, staff)
    registration.waitlist_position = store.waitlist_position(registration)
    return registration


def registration_counts(event_id: str) -> dict[str, int]:
    return store.count_by_status(event_id)
