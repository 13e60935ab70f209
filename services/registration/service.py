"""Use cases of the registration service: each one commits once and emits its events through the outbox."""

import functools
import os
import secrets
import threading
import time

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from services.registration import store
from services.registration.extensions import celery, db
from services.registration.models import (
    DEFAULT_REMINDER_OFFSETS,
    DeadLetter,
    Event,
    OutboxMessage,
    ProcessedMessage,
    Registration,
    new_id,
)
from shared.bus import ServiceBus
from shared.messaging.names import EventNames
from shared.staffauth import StaffClaims, issue_token
from shared.timeutil import utcnow

CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud at the door


class RegistrationError(Exception):
    """A request the rules refuse; `code` is stable for the API, `message` is for people."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


bus = ServiceBus("registration", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)


def _emit(event_type: str, payload: dict) -> None:
    bus.emit(event_type, payload)


def _signer(salt: str) -> URLSafeTimedSerializer:
    return _serializer(current_app.config["SECRET_KEY"], salt)


@functools.lru_cache(maxsize=16)
def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    """One serializer per key and salt, reused (it keeps no state between links; the form signs three each)."""
    return URLSafeTimedSerializer(secret_key, salt=salt)


#: Salts keep each kind of signed link from being used as another kind.
CANCEL, PAGE, CHECKIN = "cancel-registration", "registration-page", "staff-check-in"
#: Links in messages stay valid for half a year; the event's own dates end them sooner.
LINK_MAX_AGE = 183 * 24 * 3600


def sign(salt: str, registration_id: str) -> str:
    return _signer(salt).dumps(registration_id)


def unsign(salt: str, token: str) -> Registration:
    """Return the registration a signed link names; refuse a forged, expired or unknown one."""
    try:
        registration_id = _signer(salt).loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired as error:
        raise RegistrationError("link_expired", "Tautan ini sudah kedaluwarsa.", 410) from error
    except BadSignature as error:
        raise RegistrationError("link_invalid", "Tautan ini tidak sah atau rusak.", 404) from error
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("link_invalid", "Tautan ini tidak sah atau rusak.", 404)
    return registration


def cancel_url(registration_id: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/r/{sign(CANCEL, registration_id)}/batal"


def page_url(registration_id: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/pendaftaran/{sign(PAGE, registration_id)}"


def checkin_url(registration_id: str) -> str:
    """The staff-only check-in address the QR code on the confirmation carries."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/staf/hadir/{sign(CHECKIN, registration_id)}"


def event_url(event_id: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/acara/{event_id}"


def event_snapshot(event: Event) -> dict:
    return {
        "event_id": event.id,
        "title": event.title,
        "kabupaten_code": event.kabupaten_code,
        "kabupaten_name": event.kabupaten.name,
        "venue": event.venue,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": event.capacity,
        "reminder_offsets_minutes": list(event.reminder_offsets),
        "url": event_url(event.id),
    }


def issue_staff_token(email: str, password: str) -> dict:
    """Check a staff member's password and return a new bearer token (its plain value on `.token`)."""
    staff = store.get_staff_by_email(email)
    if staff is None or not check_password_hash(staff.password_hash, password):
        raise RegistrationError("invalid_credentials", "Email atau kata sandi salah.", 401)
    token, expires_at = issue_token(staff.claims(), current_app.config["STAFF_TOKEN_HOURS"])
    return {"token": token, "expires_at": expires_at}


def create_event(data: dict, staff: StaffClaims) -> Event:
    """Save a new event as a draft, or publish it at once when `data["publish"]`."""
    if not staff.may_see(data["kabupaten_code"]):
        raise RegistrationError("forbidden", "Anda hanya dapat membuat acara di kabupaten/kota Anda.", 403)
    publish = data.pop("publish", False)
    event = Event(**data, created_by=staff.id)
    event.reminder_offsets = data.get("reminder_offsets") or list(DEFAULT_REMINDER_OFFSETS)
    store.add(event)
    if publish:
        event.status = "published"
        _emit(EventNames.EVENT_PUBLISHED, event_snapshot(event))
    db.session.commit()
    nudge()
    return event


def publish_event(event_id: str, staff: StaffClaims) -> Event:
    """Open a draft event to the public and announce it."""
    event = _event_for_staff(event_id, staff)
    if event.status == "published":
        return event
    if event.status != "draft":
        raise RegistrationError("not_draft", "Hanya draf yang dapat dipublikasikan.")
    event.status = "published"
    _emit(EventNames.EVENT_PUBLISHED, event_snapshot(event))
    db.session.commit()
    nudge()
    return event


def _event_for_staff(event_id: str, staff: StaffClaims) -> Event:
    event = store.get_event(event_id)
    if event is None:
        raise RegistrationError("not_found", "Acara tidak ditemukan.", 404)
    if not staff.may_see(event.kabupaten_code):
        raise RegistrationError("forbidden", "Acara ini milik kabupaten/kota lain.", 403)
    return event


def _check_open(event):
    """Refuse registration with the reason unless `event` (an Event, or a row of store.get_event_window) takes it."""
    if event is None or event.status == "draft":
        raise RegistrationError("not_found", _("Acara tidak ditemukan."), 404)
    if event.status == "cancelled":
        raise RegistrationError("event_cancelled", _("Acara ini dibatalkan."))
    if event.registration_opens_at and utcnow() < event.registration_opens_at:
        raise RegistrationError("not_open_yet", _("Pendaftaran belum dibuka."))
    if utcnow() >= (event.registration_closes_at or event.starts_at):
        raise RegistrationError("closed", _("Pendaftaran sudah ditutup."))
    if not event.waitlist_enabled and event.seats_left <= 0:
        raise RegistrationError("full", _("Maaf, kursi sudah penuh."))
    return event


def open_event(event_id: str) -> Event:
    """Return the event if people can register for it now; else refuse with the reason."""
    return _check_open(store.get_event(event_id))


def is_open(event: Event) -> bool:
    try:
        _check_open(event)
    except RegistrationError:
        return False
    return True


def register(event_id: str, data: dict) -> tuple[Registration, bool]:
    """Register a person; return (registration, created). The same phone or email gets its registration back.

    One transaction takes a seat (or a waitlist ticket), adds the registration and its registration.created event.
    A phone or email already registered for the event fails the insert on the unique constraints, and the rollback
    gives the seat back: so there is no look-up first, and two submissions racing each other keep one registration.
    Everything that needs no seat is prepared before the seat is taken, to keep the event's row locked briefly.
    """
    registration = _new_registration(event_id, data)
    # registration.created is checked against its contract now, as for a confirmed seat; only status and place
    # change once the seat is taken (both set right here, from the two values the contract admits).
    envelope = bus.envelope(EventNames.REGISTRATION_CREATED, _created_payload(registration) | _CONFIRMED)
    registration.status, registration.waitlist_seq, position = _take_place(event_id)
    try:
        store.add_registration(registration)
    except IntegrityError:  # already registered, or the same person submitted twice at once and the other won
        db.session.rollback()
        existing = store.find_registration(event_id, data.get("phone"), data.get("email"))
        if existing is None:  # not a duplicate person (a check-in code collision, say): let it surface
            raise
        return existing, False
    envelope["payload"].update(status=registration.status, waitlist_position=position)
    bus.emit_envelope(envelope)
    db.session.commit()
    registration.waitlist_position = position
    nudge()
    return registration, True


_CONFIRMED = {"status": "confirmed", "waitlist_position": None}


def _new_registration(event_id: str, data: dict) -> Registration:
    """The registration as the person gave it, with its id, times and check-in code; no seat yet."""
    fields = {"locale": "id"} | {key: value for key, value in data.items() if key != "consent"}
    checkin = "".join(CHECKIN_ALPHABET[byte % 32] for byte in secrets.token_bytes(8))  # 32 letters: uniform
    now = utcnow()
    return Registration(
        **fields, id=new_id(), event_id=event_id, consent_at=now, registered_at=now, checkin_code=checkin
    )


def _take_place(event_id: str) -> tuple[str, int | None, int | None]:
    """Take a confirmed seat, else a waitlist ticket; return (status, ticket, waitlist position).

    Each is one UPDATE that also checks the event is open (and, for a ticket, full with a waitlist), so most
    submissions take one or two statements. Only when neither takes anything is the event read: to refuse with
    the reason, or to try again when a seat was freed or taken between the two.
    """
    now = utcnow()
    if store.take_open_seat(event_id, now):
        return "confirmed", None, None
    if (ticket := store.take_open_waitlist_ticket(event_id, now)) is not None:
        return "waitlisted", *ticket
    event = _check_open(store.get_event_window(event_id))
    if event.seats_left > 0 and store.take_seat(event_id):
        return "confirmed", None, None
    if not event.waitlist_enabled:
        raise RegistrationError("full", _("Maaf, kursi sudah penuh."))
    return "waitlisted", *store.take_waitlist_ticket(event_id)


def _created_payload(registration: Registration) -> dict:
    """The registration.created payload, but for status and waitlist_position (known once a seat is taken)."""
    return {
        "registration_id": registration.id,
        "event_id": registration.event_id,
        "full_name": registration.full_name,
        "phone": registration.phone,
        "email": registration.email,
        "preferred_channel": registration.preferred_channel,
        "locale": registration.locale,
        "kabupaten_code": registration.kabupaten_code,
        "kecamatan_code": registration.kecamatan_code,
        "desa_code": registration.desa_code,
        "gender": registration.gender,
        "age_group": registration.age_group,
        "disability": registration.disability,
        "participant_type": registration.participant_type,
        "checkin_code": registration.checkin_code,
        "checkin_url": checkin_url(registration.id),
        "cancel_url": cancel_url(registration.id),
        "registered_at": registration.registered_at,
    }


class Nudges:
    """Wake the relay after commits: at once when no nudge went out in the last `gap` seconds, else once at the end
    of that gap for every commit meanwhile. Each commit is still followed by a nudge sent after it, and a relay run
    takes every row committed before it starts.

    In a rush the gap widens: once `burst` commits or more have waited in one gap, the next gaps last `burst_gap`,
    until a gap has fewer. Under load a nudge (its timer thread, the hand-off to the nudge thread, the Celery send,
    all competing with the request threads for the GIL) costs a web process about 2 ms of CPU; sharing it among a
    rush's commits keeps that for the registrations, while one registration at a time still wakes the relay at once.
    """

    def __init__(self, send, gap: float, burst_gap: float | None = None, burst: int = 4) -> None:
        self.send, self.calm_gap, self.burst_gap, self.burst = send, gap, burst_gap or gap, burst
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.pid, self.next_at, self.timer, self.gap, self.waiting = os.getpid(), 0.0, None, self.calm_gap, 0

    def __call__(self) -> None:
        now = time.monotonic()
        with self.lock:
            if self.pid != os.getpid():  # forked: the parent's timer is not running here
                self._reset()
            if self.timer is not None:  # a nudge is due at the end of the gap: it comes after this commit
                self.waiting += 1
                return
            if now < self.next_at:
                self.waiting = 1
                self.timer = threading.Timer(self.next_at - now, self._at_end_of_gap)
                self.timer.daemon = True
                self.timer.start()
                return
            self.gap = self.calm_gap  # a whole gap went by without a commit: no rush
            self.next_at = now + self.gap
        self.send()

    def _at_end_of_gap(self) -> None:
        with self.lock:
            self.gap = self.burst_gap if self.waiting >= self.burst else self.calm_gap
            self.timer, self.next_at, self.waiting = None, time.monotonic() + self.gap, 0
        self.send()


#: How long commits may wait to share a nudge: a lone registration's nudge goes at once, and one every 50 ms adds
#: next to nothing to a confirmation's wait (bench/pipeline.py: p50 0.06 s at 20/s; 0.16 s with a fixed 0.2 s gap).
NUDGE_GAP_SECONDS = 0.05
#: The gap in a rush, from a gap with NUDGE_BURST_COMMITS commits waiting on: about 80 a second per web process. In
#: a burst on the form the web took about 10 % more submissions a second with this than with 50 ms throughout
#: (bench/registration.py, interleaved rounds).
NUDGE_BURST_GAP_SECONDS = 0.2
NUDGE_BURST_COMMITS = 4
_nudges = Nudges(bus.nudge, NUDGE_GAP_SECONDS, NUDGE_BURST_GAP_SECONDS, NUDGE_BURST_COMMITS)


def nudge() -> None:
    if current_app.config.get("OUTBOX_NUDGE", True):
        _nudges()


def handle_event(message: dict) -> str:
    """Apply an incoming message once; registration consumes no event types yet, so it is only recorded."""
    return bus.handle(message, {})


def get_public_event(event_id: str) -> Event:
    event = store.get_event(event_id)
    if event is None or event.status == "draft":
        raise RegistrationError("not_found", "Acara tidak ditemukan.", 404)
    return event


def registration_view(registration: Registration) -> dict:
    """Return what a participant is told about their registration (status and waitlist place)."""
    return {
        "id": registration.id,
        "event_id": registration.event_id,
        "status": registration.status,
        "waitlist_position": registration.waitlist_position
        if hasattr(registration, "waitlist_position")  # a new registration knows its place
        else store.waitlist_position(registration),
        "full_name": registration.full_name,
        "phone": registration.phone,
        "email": registration.email,
        "checkin_code": registration.checkin_code,
        "registered_at": registration.registered_at,
    }


def cancel_registration(registration_id: str, staff: StaffClaims | None = None) -> Registration:
    """Cancel a registration (by its owner's link, or by staff); a freed seat goes to the first on the waitlist."""
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", "Pendaftaran tidak ditemukan.", 404)
    event = store.lock_event(registration.event_id)  # cancellations of one event take turns: one promotion each
    if staff is not None and not staff.may_see(event.kabupaten_code):
        raise RegistrationError("forbidden", "Pendaftaran ini milik kabupaten/kota lain.", 403)
    registration = store.get_registration(registration_id, lock=True)
    if registration.status == "cancelled":
        db.session.rollback()
        return registration
    was_confirmed, was_waiting = registration.status == "confirmed", registration.status == "waitlisted"
    registration.status, registration.cancelled_at = "cancelled", utcnow()
    if was_waiting:
        store.leave_waitlist(event.id)
    _emit(EventNames.REGISTRATION_CANCELLED, _cancelled_payload(registration, was_confirmed))
    if was_confirmed:
        store.release_seat(event.id)
        _promote_next(event)
    db.session.commit()
    nudge()
    return registration


def _cancelled_payload(registration: Registration, was_confirmed: bool) -> dict:
    return {
        "registration_id": registration.id,
        "event_id": registration.event_id,
        "was_confirmed": was_confirmed,
        "cancelled_at": registration.cancelled_at,
    }


def _promote_next(event: Event) -> Registration | None:
    """Give a free seat to the first person on the waitlist, if there is one (inside the caller's transaction)."""
    waiting = store.first_waitlisted(event.id)
    if waiting is None or not store.take_seat(event.id):
        return None
    _promote(waiting)
    return waiting


def _promote(registration: Registration) -> None:
    registration.status = "confirmed"
    store.leave_waitlist(registration.event_id)
    _emit(
        EventNames.REGISTRATION_PROMOTED,
        {"registration_id": registration.id, "event_id": registration.event_id, "promoted_at": utcnow()},
    )


def promote_registration(registration_id: str, staff: StaffClaims) -> Registration:
    """Move one waitlisted person to a confirmed seat by hand, adding a chair when the room is full.

    The waitlist only exists while every seat is taken, so promoting someone out of turn (a participant who needs
    a place near the interpreter, say) means one more chair: capacity grows by one, never overselling.
    """
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", "Pendaftaran tidak ditemukan.", 404)
    event = _event_for_staff(registration.event_id, staff)
    store.lock_event(event.id)
    registration = store.get_registration(registration_id, lock=True)
    if registration.status != "waitlisted":
        raise RegistrationError("not_waitlisted", "Hanya peserta daftar tunggu yang dapat dipindahkan.")
    if not store.take_seat(event.id):
        store.add_chair(event.id)
        store.take_seat(event.id)
    _promote(registration)
    db.session.commit()
    nudge()
    return registration


def check_in(registration_id: str, staff: StaffClaims) -> tuple[Registration, bool]:
    """Record that a person came; return (registration, first time). A second check-in changes nothing."""
    registration = store.get_registration(registration_id, lock=True)
    if registration is None:
        raise RegistrationError("not_found", "Pendaftaran tidak ditemukan.", 404)
    if not staff.may_see(registration.event.kabupaten_code):
        raise RegistrationError("forbidden", "Pendaftaran ini milik kabupaten/kota lain.", 403)
    if registration.checked_in_at is not None:
        db.session.rollback()
        return registration, False
    if registration.status != "confirmed":
        raise RegistrationError("not_confirmed", "Peserta ini belum mendapat kursi (daftar tunggu atau batal).")
    registration.checked_in_at = utcnow()
    payload = {"registration_id": registration.id, "event_id": registration.event_id}
    _emit(EventNames.ATTENDANCE_CHECKED_IN, payload | {"checked_in_at": registration.checked_in_at})
    db.session.commit()
    nudge()
    return registration, True


#: Changing these on a published event tells everyone registered (event.updated).
ANNOUNCED_FIELDS = ("title", "venue", "starts_at", "ends_at", "reminder_offsets", "kabupaten_code")


def update_event(event_id: str, data: dict, staff: StaffClaims) -> Event:
    """Edit an event; on a published one, announce changed time/venue and fill any new seats from the waitlist."""
    event = _event_for_staff(event_id, staff)
    moving = data.get("kabupaten_code") not in (None, event.kabupaten_code)
    if moving and not staff.is_provincial:  # an organiser would hand their event (and its people) to another regency
        raise RegistrationError(
            "forbidden", "Hanya admin provinsi yang dapat memindahkan acara ke kabupaten/kota lain.", 403
        )
    store.lock_event(event_id)
    if event.status == "cancelled":
        raise RegistrationError("cancelled", "Acara yang dibatalkan tidak dapat diubah.")
    if data.get("capacity") is not None and data["capacity"] < event.confirmed_count:
        raise RegistrationError("capacity_too_small", f"Sudah ada {event.confirmed_count} peserta terkonfirmasi.")
    changed = [key for key, value in data.items() if getattr(event, key) != value]
    for key in changed:
        setattr(event, key, data[key])
    db.session.flush()
    if event.status == "published":
        while event.seats_left > 0 and _promote_next(event):
            db.session.refresh(event)
        announced = [key for key in changed if key in ANNOUNCED_FIELDS]
        if announced:
            _emit(EventNames.EVENT_UPDATED, event_snapshot(event) | {"changed": announced})
    db.session.commit()
    nudge()
    return event


def cancel_event(event_id: str, staff: StaffClaims, reason: str = "") -> Event:
    """Call off an event: registration closes and everyone registered is told (event.cancelled)."""
    event = _event_for_staff(event_id, staff)
    if event.status == "cancelled":
        return event
    was_published, event.status = event.status == "published", "cancelled"
    if was_published:
        _emit(EventNames.EVENT_CANCELLED, {"event_id": event.id, "title": event.title, "reason": reason})
    db.session.commit()
    nudge()
    return event


def list_registrations(event_id: str, filters: dict, staff: StaffClaims) -> list[Registration]:
    """Return an event's registrations for staff, each waitlisted one with its current `waitlist_position`."""
    _event_for_staff(event_id, staff)
    registrations = store.list_registrations(event_id, filters)
    waiting = sorted(
        (r for r in store.list_registrations(event_id, {"status": "waitlisted"})), key=lambda r: r.waitlist_seq
    )
    positions = {registration.id: place for place, registration in enumerate(waiting, start=1)}
    for registration in registrations:
        registration.waitlist_position = positions.get(registration.id)
    return registrations


def list_staff_events(staff: StaffClaims) -> list[Event]:
    """Every event staff may manage: all for a provincial admin, their kabupaten's for a regency organiser."""
    return store.list_events(None if staff.is_provincial else staff.kabupaten_code)


def get_staff_event(event_id: str, staff: StaffClaims) -> Event:
    return _event_for_staff(event_id, staff)


def get_staff_registration(registration_id: str, staff: StaffClaims) -> Registration:
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", "Pendaftaran tidak ditemukan.", 404)
    _event_for_staff(registration.event_id, staff)
    registration.waitlist_position = store.waitlist_position(registration)
    return registration


def registration_counts(event_id: str) -> dict[str, int]:
    return store.count_by_status(event_id)
