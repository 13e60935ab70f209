"""At the door: check a person in (or seat a waitlisted one who came), within the event's days, and undo a mistake."""

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from services.registration import store
from services.registration.bus import emit, nudge
from services.registration.common import RegistrationError, audit, format_day, require_scope
from services.registration.extensions import db
from services.registration.models import Event, Registration
from services.registration.waitlist import seat_waitlisted, waitlisted_for_staff
from shared.messaging.names import EventNames
from shared.staffauth import StaffClaims
from shared.states import RegistrationStatus
from shared.timeutil import to_local, utcnow


def seat_at_door(registration_id: str, staff: StaffClaims, add_chair: bool = False) -> Registration:
    """Give a waitlisted person who came a seat and record them present, in one step at the door.

    A free seat is taken; a full room gets one more chair only when staff said so (`add_chair`).
    """
    registration, event = waitlisted_for_staff(registration_id, staff)
    check_in_window_open(event)
    seat_waitlisted(registration, event, add_chair)
    _record_check_in(registration)
    audit("registration.promote_check_in", staff, event_id=event.id, object_id=registration.id)
    db.session.commit()
    nudge()
    return registration


def check_in(registration_id: str, staff: StaffClaims) -> tuple[Registration, bool]:
    """Record that a person came; return (registration, first time). A second check-in changes nothing."""
    registration = store.get_registration(registration_id, lock=True)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    require_scope(staff, registration.event.kabupaten_code, _("Pendaftaran ini milik kabupaten/kota lain."))
    if not check_in_locked(registration, staff):
        db.session.rollback()
        return registration, False
    db.session.commit()
    nudge()
    return registration, True


def check_in_locked(registration: Registration, staff: StaffClaims) -> bool:
    """Record `registration` (locked by the caller) present, uncommitted; False when it was present already.

    The list, the scanned QR page and the door kit's sync (door.py) all check in through here."""
    if registration.checked_in_at is not None:
        return False
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationError(
            "not_confirmed", _("Peserta ini belum mendapat kursi (masih di daftar tunggu, atau sudah batal).")
        )
    check_in_window_open(registration.event)
    _record_check_in(registration)
    audit("registration.check_in", staff, event_id=registration.event_id, object_id=registration.id)
    return True


def _record_check_in(registration: Registration) -> None:
    registration.checked_in_at = utcnow()
    payload = {"registration_id": registration.id, "event_id": registration.event_id}
    emit(EventNames.ATTENDANCE_CHECKED_IN, payload | {"checked_in_at": registration.checked_in_at})


def check_in_window(event: Event) -> tuple[date, date]:
    """The first and last WITA day on which people can be checked in: the event's days, CHECKIN_WINDOW_DAYS around."""
    days = timedelta(days=current_app.config["CHECKIN_WINDOW_DAYS"])
    return to_local(event.starts_at).date() - days, to_local(event.ends_at or event.starts_at).date() + days


def check_in_window_open(event: Event) -> None:
    """Refuse a check-in outside the event's days (a QR scanned at the wrong event, or a slip in the list)."""
    first, last = check_in_window(event)
    today = to_local(utcnow()).date()
    if today < first:
        raise RegistrationError(
            "check_in_too_early",
            _("Belum bisa dicatat hadir: acara ini baru dimulai %(day)s.", day=format_day(event.starts_at)),
        )
    if today > last:
        raise RegistrationError(
            "check_in_too_late",
            _("Tidak bisa dicatat hadir lagi: acara ini sudah berlalu (%(day)s).", day=format_day(event.starts_at)),
        )


def undo_deadline(registration: Registration) -> datetime | None:
    """Until when the check-in of `registration` can be undone (None: not checked in)."""
    if registration.checked_in_at is None:
        return None
    return registration.checked_in_at + timedelta(minutes=current_app.config["CHECKIN_UNDO_MINUTES"])


def can_undo_check_in(registration: Registration) -> bool:
    deadline = undo_deadline(registration)
    return deadline is not None and utcnow() <= deadline


def undo_check_in(registration_id: str, staff: StaffClaims) -> Registration:
    """Take back a check-in made by mistake, within CHECKIN_UNDO_MINUTES; undoing twice changes nothing."""
    registration = store.get_registration(registration_id, lock=True)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    require_scope(staff, registration.event.kabupaten_code, _("Pendaftaran ini milik kabupaten/kota lain."))
    if not undo_check_in_locked(registration, staff):
        db.session.rollback()
        return registration
    db.session.commit()
    nudge()
    return registration


def undo_check_in_locked(registration: Registration, staff: StaffClaims) -> bool:
    """Take back the check-in of `registration` (locked by the caller), uncommitted; False when it was not present.

    The list, the scanned QR page and the door kit's sync (door.py) all undo through here.
    attendance.check_in_undone names the check-in it takes back, so reporting clears only that one.
    """
    if registration.checked_in_at is None:
        return False
    if not can_undo_check_in(registration):
        minutes = current_app.config["CHECKIN_UNDO_MINUTES"]
        raise RegistrationError(
            "undo_too_late", _("Catatan hadir hanya dapat diurungkan dalam %(n)s menit.", n=minutes)
        )
    checked_in_at, registration.checked_in_at = registration.checked_in_at, None
    emit(
        EventNames.ATTENDANCE_CHECK_IN_UNDONE,
        {
            "registration_id": registration.id,
            "event_id": registration.event_id,
            "checked_in_at": checked_in_at,
            "undone_at": utcnow(),
        },
    )
    audit("registration.check_in_undo", staff, event_id=registration.event_id, object_id=registration.id)
    return True
