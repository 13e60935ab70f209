"""Use cases of the registration service: each one commits once and emits its events through the outbox."""

import functools
import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from services.registration import posters, store
from services.registration.extensions import celery, db
from services.registration.models import (
    DEFAULT_REMINDER_OFFSETS,
    ApiKey,
    AuditEntry,
    Consent,
    DeadLetter,
    Event,
    EventPoster,
    OutboxMessage,
    ProcessedMessage,
    Registration,
    new_id,
)
from shared import audit as trail
from shared.bus import ServiceBus
from shared.messaging.names import EventNames
from shared.messaging.routing import PSEUDONYMISED
from shared.staffauth import StaffClaims
from shared.states import EventStatus, RegistrationStatus
from shared.timeutil import to_local, utcnow

CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud at the door
#: Letters of a short cancel link's code (/k/<code>): 32^10, about 10^15 codes for a rate-limited visitor to guess.
CANCEL_CODE_LENGTH = 10


class RegistrationError(Exception):
    """A request the rules refuse; `code` is stable for the API, `message` is for people."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def pseudonym(registration_id: str) -> str:
    """The registration's name in reporting: an HMAC-SHA256 of its id under REPORTING_PSEUDONYM_KEY, 32 hex digits.

    Reporting is sent this instead of the id (routing.WITHHELD); without the key, which only registration holds, a
    row of reporting cannot be linked to a registration, nor a registration id turned into its row.
    """
    key = current_app.config.get("REPORTING_PSEUDONYM_KEY") or current_app.config["SECRET_KEY"]
    message = f"reporting:{registration_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]


class RegistrationBus(ServiceBus):
    """The service bus, giving every event about one registration that reporting counts its pseudonym."""

    def emit(self, event_type: str, payload: dict, correlation_id: str | None = None) -> None:
        super().emit(event_type, _with_pseudonym(event_type, payload), correlation_id)

    def envelope(self, event_type: str, payload: dict) -> dict:
        return super().envelope(event_type, _with_pseudonym(event_type, payload))


def _with_pseudonym(event_type: str, payload: dict) -> dict:
    if event_type not in PSEUDONYMISED:
        return payload
    return payload | {"pseudonym": pseudonym(str(payload["registration_id"]))}


bus = RegistrationBus("registration", db, celery, OutboxMessage, ProcessedMessage, DeadLetter)


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
        raise RegistrationError("link_expired", _("Tautan ini sudah kedaluwarsa."), 410) from error
    except BadSignature as error:
        raise RegistrationError("link_invalid", _("Tautan ini tidak sah atau rusak."), 404) from error
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("link_invalid", _("Tautan ini tidak sah atau rusak."), 404)
    if registration.full_name is None:  # anonymised after the retention period (retention.py): nothing to show
        raise RegistrationError("link_expired", _("Tautan ini sudah kedaluwarsa."), 410)
    return registration


def cancel_url(registration_id: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/r/{sign(CANCEL, registration_id)}/batal"


def short_cancel_url(registration: Registration) -> str:
    """The cancel link short enough for an SMS: /k/<code>, opening the signed cancel page (the long link before)."""
    if not registration.cancel_code:
        return cancel_url(registration.id)
    return f"{current_app.config['PUBLIC_BASE_URL']}/k/{registration.cancel_code}"


def by_cancel_code(code: str) -> Registration:
    """Return the registration a short cancel link names; refuse a malformed, unknown or expired one."""
    code = code.upper()
    known = len(code) == CANCEL_CODE_LENGTH and all(char in CHECKIN_ALPHABET for char in code)
    registration = store.get_registration_by_cancel_code(code) if known else None
    if registration is None:
        raise RegistrationError("link_invalid", "Tautan ini tidak sah atau rusak.", 404)
    if (utcnow() - registration.registered_at).total_seconds() > LINK_MAX_AGE:
        raise RegistrationError("link_expired", "Tautan ini sudah kedaluwarsa.", 410)
    return registration


def _random_code(length: int) -> str:
    return "".join(CHECKIN_ALPHABET[byte % 32] for byte in secrets.token_bytes(length))  # 32 letters: uniform


def page_url(registration_id: str) -> str:
    """The participant's own confirmation page (the cancel page's "keep my registration" leads back to it)."""
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


def create_event(data: dict, staff: StaffClaims) -> Event:
    """Save a new event as a draft, or publish it at once when `data["publish"]`."""
    if not staff.may_see(data["kabupaten_code"]):
        raise RegistrationError("forbidden", _("Anda hanya dapat membuat acara di kabupaten/kota Anda."), 403)
    publish = data.pop("publish", False)
    event = Event(**data, created_by=staff.id)
    event.reminder_offsets = data.get("reminder_offsets") or list(DEFAULT_REMINDER_OFFSETS)
    store.add(event)
    if publish:
        event.status = EventStatus.PUBLISHED
        _emit(EventNames.EVENT_PUBLISHED, event_snapshot(event))
    db.session.flush()
    audit("event.create", staff, event_id=event.id)
    db.session.commit()
    nudge()
    return event


def publish_event(event_id: str, staff: StaffClaims) -> Event:
    """Open a draft event to the public and announce it."""
    event = _event_for_staff(event_id, staff)
    if event.status == EventStatus.PUBLISHED:
        return event
    if event.status != EventStatus.DRAFT:
        raise RegistrationError("not_draft", _("Hanya draf yang dapat dipublikasikan."))
    event.status = EventStatus.PUBLISHED
    _emit(EventNames.EVENT_PUBLISHED, event_snapshot(event))
    audit("event.publish", staff, event_id=event.id)
    db.session.commit()
    nudge()
    return event


def _event_for_staff(event_id: str, staff: StaffClaims) -> Event:
    event = store.get_event(event_id)
    if event is None:
        raise RegistrationError("not_found", _("Acara tidak ditemukan."), 404)
    if not staff.may_see(event.kabupaten_code):
        raise RegistrationError("forbidden", _("Acara ini milik kabupaten/kota lain."), 403)
    return event


def _check_open(event):
    """Refuse registration with the reason unless `event` (an Event, or a row of store.get_event_window) takes it."""
    if event is None or event.status == EventStatus.DRAFT:
        raise RegistrationError("not_found", _("Acara tidak ditemukan."), 404)
    if event.status == EventStatus.CANCELLED:
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


def register(event_id: str, data: dict) -> tuple[Registration | None, bool]:
    """Register a person; return (registration, True), or (None, False) when the phone or email is registered.

    A repeat learns nothing of the registration it matched (whose it is, its status, its code): it only asks for
    that registration's confirmation to go again to the contact stored with it (see request_confirmation).

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
        request_confirmation(existing)
        return None, False
    envelope["payload"].update(status=registration.status, waitlist_position=position)
    bus.emit_envelope(envelope)
    db.session.commit()
    registration.waitlist_position = position
    nudge()
    return registration, True


_CONFIRMED = {"status": RegistrationStatus.CONFIRMED, "waitlist_position": None}

#: A registration's confirmation goes again at most this often, however many times it is asked for.
CONFIRMATION_PACE = timedelta(minutes=10)


def request_confirmation(registration: Registration) -> bool:
    """Ask notifications to send `registration`'s confirmation again, to its stored contact; return whether it will.

    Someone typed a phone or email already registered: perhaps its owner, who lost the message, perhaps a
    stranger. Either way the answer tells nothing, and the message goes only where the registration's own
    contact is. One conditional UPDATE lets one request per CONFIRMATION_PACE through (the registration itself
    counts as the first), so repeating cannot flood the person's phone; a cancelled registration gets nothing.
    """
    now = utcnow()
    if not store.request_confirmation(registration.id, now, now - CONFIRMATION_PACE):
        db.session.rollback()
        return False
    payload = {"registration_id": registration.id, "event_id": registration.event_id, "requested_at": now}
    _emit(EventNames.REGISTRATION_CONFIRMATION_REQUESTED, payload)
    db.session.commit()
    nudge()
    return True


def _new_registration(event_id: str, data: dict) -> Registration:
    """The registration as the person gave it, with its id, times and check-in code; no seat yet."""
    fields = {"locale": "id"} | {key: value for key, value in data.items() if key not in ("consents", "notice_version")}
    now = utcnow()
    version = data["notice_version"]
    return Registration(
        **fields,
        id=new_id(),
        event_id=event_id,
        consents=[Consent(purpose=purpose, notice_version=version, given_at=now) for purpose in data["consents"]],
        registered_at=now,
        checkin_code=_random_code(8),
        cancel_code=_random_code(CANCEL_CODE_LENGTH),
        confirmation_requested_at=now,  # its confirmation goes now: a repeat soon after does not send another
    )


def _take_place(event_id: str) -> tuple[str, int | None, int | None]:
    """Take a confirmed seat, else a waitlist ticket; return (status, ticket, waitlist position).

    Each is one UPDATE that also checks the event is open (and, for a ticket, full with a waitlist), so most
    submissions take one or two statements. Only when neither takes anything is the event read: to refuse with
    the reason, or to try again when a seat was freed or taken between the two.
    """
    now = utcnow()
    if store.take_open_seat(event_id, now):
        return RegistrationStatus.CONFIRMED, None, None
    if (ticket := store.take_open_waitlist_ticket(event_id, now)) is not None:
        return RegistrationStatus.WAITLISTED, *ticket
    event = _check_open(store.get_event_window(event_id))
    if event.seats_left > 0 and store.take_seat(event_id):
        return RegistrationStatus.CONFIRMED, None, None
    if not event.waitlist_enabled:
        raise RegistrationError("full", _("Maaf, kursi sudah penuh."))
    return RegistrationStatus.WAITLISTED, *store.take_waitlist_ticket(event_id)


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
        "disability": statistics_disability(registration),
        "participant_type": registration.participant_type,
        "checkin_code": registration.checkin_code,
        "checkin_url": checkin_url(registration.id),
        "cancel_url": short_cancel_url(registration),
        "registered_at": registration.registered_at,
    }


def statistics_disability(registration: Registration) -> str:
    """The disability answer as the statistics may use it: the answer given with the statistics consent, else
    "prefer_not_to_say". The registration keeps the answer itself: organisers use it to prepare the day."""
    return registration.disability if registration.consented("statistics") else "prefer_not_to_say"


def nudge() -> None:
    bus.nudge()


def handle_event(message: dict) -> str:
    """Apply an incoming message once: notifications' delivery outcomes become each participant's message history,
    and participants' replies to the reminder confirm or cancel their registration."""
    from services.registration import mydata, replies  # they build on this module's use cases

    return bus.handle(message, mydata.HANDLERS | replies.HANDLERS)


def get_public_event(event_id: str) -> Event:
    event = store.get_event(event_id)
    if event is None or event.status == EventStatus.DRAFT:
        raise RegistrationError("not_found", _("Acara tidak ditemukan."), 404)
    return event


def set_poster(event_id: str, poster: posters.Poster, staff: StaffClaims) -> Event:
    """Give an event its poster (replacing the one it had): the page and link previews show it from now on."""
    event = _event_for_staff(event_id, staff)
    row = store.get_poster(event_id) or EventPoster(event_id=event_id)
    row.version, row.large, row.small = poster.version, poster.large, poster.small
    (row.large_width, row.large_height), (row.small_width, row.small_height) = poster.large_size, poster.small_size
    row.uploaded_at = utcnow()
    store.add(row)
    event.poster_version = poster.version
    audit("event.poster_set", staff, event_id=event.id)
    db.session.commit()
    return event


def remove_poster(event_id: str, staff: StaffClaims) -> Event:
    event = _event_for_staff(event_id, staff)
    if (row := store.get_poster(event_id)) is not None:
        db.session.delete(row)
    event.poster_version = None
    audit("event.poster_remove", staff, event_id=event.id)
    db.session.commit()
    return event


def get_public_poster(event_id: str, version: str) -> EventPoster:
    """The poster of a public event, if `version` is its current one (an address of an old poster is not found)."""
    event = get_public_event(event_id)
    row = store.get_poster(event_id) if event.poster_version == version else None
    if row is None:
        raise RegistrationError("not_found", _("Poster tidak ditemukan."), 404)
    return row


def poster_url(event: Event, size: str = "besar") -> str | None:
    """The absolute address of the event's poster (`besar` for link previews, `kecil` for the page), if it has one."""
    if not event.poster_version:
        return None
    return f"{event_url(event.id)}/poster/{event.poster_version}/{size}.jpg"


def registration_view(registration: Registration) -> dict:
    """Return what the API tells the caller of a new registration: what they gave, its id, status and place."""
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
        "registered_at": registration.registered_at,
    }


def already_registered_view() -> dict:
    """The answer to a repeat: the same words whoever registered first, and nothing about them."""
    message = _(
        "Nomor HP atau email ini sudah terdaftar untuk acara ini. Konfirmasinya dikirim ke kontak yang diberikan "
        "saat mendaftar; jika belum sampai, kami mengirimkannya lagi (paling sering sekali setiap 10 menit)."
    )
    return {"status": "already_registered", "message": message}


def cancel_registration(registration_id: str, staff: StaffClaims | None = None) -> Registration:
    """Cancel a registration (by its owner's link, or by staff); a freed seat goes to the first on the waitlist."""
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    event = store.lock_event(registration.event_id)  # cancellations of one event take turns: one promotion each
    if staff is not None and not staff.may_see(event.kabupaten_code):
        raise RegistrationError("forbidden", _("Pendaftaran ini milik kabupaten/kota lain."), 403)
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
    _emit(EventNames.REGISTRATION_CANCELLED, payload | ({"erasure": True} if erasure else {}))
    if was_confirmed:
        store.release_seat(event.id)
        _promote_next(event)


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
    registration.status = RegistrationStatus.CONFIRMED
    store.leave_waitlist(registration.event_id)
    _emit(
        EventNames.REGISTRATION_PROMOTED,
        {"registration_id": registration.id, "event_id": registration.event_id, "promoted_at": utcnow()},
    )


def promote_registration(registration_id: str, staff: StaffClaims, add_chair: bool = True) -> Registration:
    """Move one waitlisted person to a confirmed seat by hand, adding a chair when the room is full.

    The waitlist only exists while every seat is taken, so promoting someone out of turn (a participant who needs
    a place near the interpreter, say) means one more chair: capacity grows by one, never overselling. With
    `add_chair` false a full room refuses instead (the staff page asks first, and the room may have filled since).
    """
    registration, event = _waitlisted_for_staff(registration_id, staff)
    _seat(registration, event, add_chair)
    audit("registration.promote", staff, event_id=event.id, object_id=registration.id)
    db.session.commit()
    nudge()
    return registration


def _waitlisted_for_staff(registration_id: str, staff: StaffClaims) -> tuple[Registration, Event]:
    """The waitlisted registration and its event, both locked until commit; refuse anyone else."""
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    event = _event_for_staff(registration.event_id, staff)
    store.lock_event(event.id)
    registration = store.get_registration(registration_id, lock=True)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RegistrationError("not_waitlisted", _("Hanya peserta daftar tunggu yang dapat diberi kursi."))
    return registration, event


def _seat(registration: Registration, event: Event, add_chair: bool) -> None:
    if not store.take_seat(event.id):
        if not add_chair:
            raise RegistrationError("full", _("Kursi sudah penuh. Memberi kursi sekarang berarti menambah satu kursi."))
        store.add_chair(event.id)
        store.take_seat(event.id)
    _promote(registration)


def seat_at_door(registration_id: str, staff: StaffClaims, add_chair: bool = False) -> Registration:
    """Give a waitlisted person who came a seat and record them present, in one step at the door.

    A free seat is taken; a full room gets one more chair only when staff said so (`add_chair`).
    """
    registration, event = _waitlisted_for_staff(registration_id, staff)
    _check_in_window(event)
    _seat(registration, event, add_chair)
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
    if not staff.may_see(registration.event.kabupaten_code):
        raise RegistrationError("forbidden", _("Pendaftaran ini milik kabupaten/kota lain."), 403)
    if registration.checked_in_at is not None:
        db.session.rollback()
        return registration, False
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationError(
            "not_confirmed", _("Peserta ini belum mendapat kursi (masih di daftar tunggu, atau sudah batal).")
        )
    _check_in_window(registration.event)
    _record_check_in(registration)
    audit("registration.check_in", staff, event_id=registration.event_id, object_id=registration.id)
    db.session.commit()
    nudge()
    return registration, True


def _record_check_in(registration: Registration) -> None:
    registration.checked_in_at = utcnow()
    payload = {"registration_id": registration.id, "event_id": registration.event_id}
    _emit(EventNames.ATTENDANCE_CHECKED_IN, payload | {"checked_in_at": registration.checked_in_at})


def check_in_window(event: Event) -> tuple[date, date]:
    """The first and last WITA day on which people can be checked in: the event's days, CHECKIN_WINDOW_DAYS around."""
    days = timedelta(days=current_app.config["CHECKIN_WINDOW_DAYS"])
    return to_local(event.starts_at).date() - days, to_local(event.ends_at or event.starts_at).date() + days


def _check_in_window(event: Event) -> None:
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
    """Take back a check-in made by mistake, within CHECKIN_UNDO_MINUTES; undoing twice changes nothing.

    attendance.check_in_undone names the check-in it takes back, so reporting clears only that one.
    """
    registration = store.get_registration(registration_id, lock=True)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    if not staff.may_see(registration.event.kabupaten_code):
        raise RegistrationError("forbidden", _("Pendaftaran ini milik kabupaten/kota lain."), 403)
    if registration.checked_in_at is None:
        db.session.rollback()
        return registration
    if not can_undo_check_in(registration):
        minutes = current_app.config["CHECKIN_UNDO_MINUTES"]
        raise RegistrationError(
            "undo_too_late", _("Catatan hadir hanya dapat diurungkan dalam %(n)s menit.", n=minutes)
        )
    checked_in_at, registration.checked_in_at = registration.checked_in_at, None
    _emit(
        EventNames.ATTENDANCE_CHECK_IN_UNDONE,
        {
            "registration_id": registration.id,
            "event_id": registration.event_id,
            "checked_in_at": checked_in_at,
            "undone_at": utcnow(),
        },
    )
    audit("registration.check_in_undo", staff, event_id=registration.event_id, object_id=registration.id)
    db.session.commit()
    nudge()
    return registration


def format_day(value: datetime) -> str:
    """A WITA date the Indonesian way ("Selasa, 17 Maret 2026"), or in English on an English page."""
    from babel.dates import format_date
    from flask_babel import get_locale

    return format_date(to_local(value).date(), "EEEE, d MMMM y", locale=str(get_locale() or "id"))


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
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError("cancelled", _("Acara yang dibatalkan tidak dapat diubah."))
    if data.get("capacity") is not None and data["capacity"] < event.confirmed_count:
        raise RegistrationError(
            "capacity_too_small",
            _("Sudah ada %(n)s peserta terkonfirmasi; kapasitas tidak dapat lebih kecil.", n=event.confirmed_count),
        )
    changed = [key for key, value in data.items() if getattr(event, key) != value]
    for key in changed:
        setattr(event, key, data[key])
    db.session.flush()
    if event.status == EventStatus.PUBLISHED:
        while event.seats_left > 0 and _promote_next(event):
            db.session.refresh(event)
        announced = [key for key in changed if key in ANNOUNCED_FIELDS]
        if announced:
            _emit(EventNames.EVENT_UPDATED, event_snapshot(event) | {"changed": announced})
    audit("event.update", staff, event_id=event.id)
    db.session.commit()
    nudge()
    return event


def cancel_event(event_id: str, staff: StaffClaims, reason: str = "") -> Event:
    """Call off an event: registration closes and everyone registered is told (event.cancelled)."""
    event = _event_for_staff(event_id, staff)
    if event.status == EventStatus.CANCELLED:
        return event
    was_published, event.status = event.status == EventStatus.PUBLISHED, EventStatus.CANCELLED
    if was_published:
        _emit(EventNames.EVENT_CANCELLED, {"event_id": event.id, "title": event.title, "reason": reason})
    audit("event.cancel", staff, event_id=event.id)
    db.session.commit()
    nudge()
    return event


def list_registrations(event_id: str, filters: dict, staff: StaffClaims) -> list[Registration]:
    """Return an event's registrations for staff, each waitlisted one with its current `waitlist_position`."""
    _event_for_staff(event_id, staff)
    registrations = store.list_registrations(event_id, filters)
    waiting = sorted(
        (r for r in store.list_registrations(event_id, {"status": RegistrationStatus.WAITLISTED})),
        key=lambda r: r.waitlist_seq,
    )
    positions = {registration.id: place for place, registration in enumerate(waiting, start=1)}
    for registration in registrations:
        registration.waitlist_position = positions.get(registration.id)
    return registrations


def list_staff_events(staff: StaffClaims) -> list[Event]:
    """Every event staff may manage (all for a provincial admin, their kabupaten's for a regency organiser): those not
    yet ended first, soonest first, then the ended ones, newest first."""
    return store.list_events(staff.scope, now=utcnow())


def get_staff_event(event_id: str, staff: StaffClaims) -> Event:
    return _event_for_staff(event_id, staff)


def get_staff_registration(registration_id: str, staff: StaffClaims) -> Registration:
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    _event_for_staff(registration.event_id, staff)
    registration.waitlist_position = store.waitlist_position(registration)
    return registration


def registration_counts(event_id: str) -> dict[str, int]:
    return store.count_by_status(event_id)


#: Every key starts so (staff and secret scanners recognise one); the rest is 32 random bytes, URL-safe.
API_KEY_START = "pelita_"
#: A key's last use is written at most this often.
API_KEY_TOUCH_PACE = timedelta(minutes=1)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _provincial_only(staff: StaffClaims) -> None:
    if not staff.is_provincial:
        raise RegistrationError("forbidden", _("Hanya admin provinsi yang dapat mengelola kunci API."), 403)


def create_api_key(name: str, staff: StaffClaims) -> tuple[ApiKey, str]:
    """Issue a partner system a key to register people; return (its row, the key), the key's only showing."""
    _provincial_only(staff)
    key = API_KEY_START + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[: len(API_KEY_START) + 6], key_hash=_hash_key(key), created_by=staff.id)
    store.add(row)
    db.session.flush()
    audit("api_key.issue", staff, object_id=row.id)
    db.session.commit()
    return row, key


def list_api_keys(staff: StaffClaims) -> list[ApiKey]:
    _provincial_only(staff)
    return store.list_api_keys()


def revoke_api_key(key_id: int, staff: StaffClaims) -> ApiKey:
    """Stop a key working from now on (revoking twice changes nothing)."""
    _provincial_only(staff)
    row = store.get_api_key(key_id)
    if row is None:
        raise RegistrationError("not_found", _("Kunci API tidak ditemukan."), 404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit("api_key.revoke", staff, object_id=row.id)
        db.session.commit()
    return row


def authenticate_api_key(key: str) -> ApiKey:
    """Return the live key `key` is, recording its use; refuse (401) a wrong or revoked one alike."""
    row = store.get_api_key_by_hash(_hash_key(key)) if len(key) <= 200 else None
    if row is None or row.revoked_at is not None or row.scope != "registration":
        db.session.rollback()
        raise RegistrationError("invalid_api_key", _("Kunci API salah atau sudah dicabut."), 401)
    now = utcnow()
    if row.last_used_at is None or row.last_used_at <= now - API_KEY_TOUCH_PACE:  # else no write at all
        store.touch_api_key(row.id, now, now - API_KEY_TOUCH_PACE)
    db.session.commit()
    return row


def audit(action: str, staff: StaffClaims | None, *, event_id=None, object_id=None, commit: bool = False) -> None:
    """Note a staff action in this service's audit trail (shared/audit.py); by default in the caller's transaction,
    so the action and its record are committed together."""
    trail.record(db.session, AuditEntry, action, staff, event_id=event_id, object_id=object_id, commit=commit)
