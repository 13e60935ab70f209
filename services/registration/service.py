"""Use cases of the registration service: each one commits once and emits its events through the outbox."""

import secrets

from flask import current_app
from itsdangerous import URLSafeTimedSerializer
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
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def cancel_url(registration_id: str) -> str:
    token = _signer("cancel-registration").dumps(registration_id)
    return f"{current_app.config['PUBLIC_BASE_URL']}/r/{token}/batal"


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


def _check_open(event: Event | None) -> Event:
    now = utcnow()
    if event is None or event.status == "draft":
        raise RegistrationError("not_found", "Acara tidak ditemukan.", 404)
    if event.status == "cancelled":
        raise RegistrationError("event_cancelled", "Acara ini dibatalkan.")
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RegistrationError("not_open_yet", "Pendaftaran belum dibuka.")
    if now >= (event.registration_closes_at or event.starts_at):
        raise RegistrationError("closed", "Pendaftaran sudah ditutup.")
    return event


def register(event_id: str, data: dict) -> tuple[Registration, bool]:
    """Register a person; return (registration, created). The same phone or email gets its registration back."""
    event = _check_open(store.get_event(event_id))
    existing = store.find_registration(event_id, data.get("phone"), data.get("email"))
    if existing is not None:
        return existing, False
    registration = _new_registration(event, data)
    try:
        store.add(registration)
    except IntegrityError:  # the same person submitted twice at once: the other submission won
        db.session.rollback()
        return store.find_registration(event_id, data.get("phone"), data.get("email")), False
    _emit(EventNames.REGISTRATION_CREATED, _created_payload(registration))
    db.session.commit()
    nudge()
    return registration, True


def _new_registration(event: Event, data: dict) -> Registration:
    if store.take_seat(event.id):
        status, ticket = "confirmed", None
    elif event.waitlist_enabled:
        status, ticket = "waitlisted", store.take_waitlist_ticket(event.id)
    else:
        raise RegistrationError("full", "Maaf, kursi sudah penuh.")
    fields = {key: value for key, value in data.items() if key != "consent"}
    checkin = "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(8))
    return Registration(
        **fields, event_id=event.id, status=status, waitlist_seq=ticket, consent_at=utcnow(), checkin_code=checkin
    )


def _created_payload(registration: Registration) -> dict:
    return {
        "registration_id": registration.id,
        "event_id": registration.event_id,
        "status": registration.status,
        "waitlist_position": store.waitlist_position(registration),
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
        "cancel_url": cancel_url(registration.id),
        "registered_at": registration.registered_at,
    }


def nudge() -> None:
    bus.nudge()


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
        "waitlist_position": store.waitlist_position(registration),
        "full_name": registration.full_name,
        "phone": registration.phone,
        "email": registration.email,
        "checkin_code": registration.checkin_code,
        "registered_at": registration.registered_at,
    }
