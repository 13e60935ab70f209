"""The door kit (docs/organiser.md, "Kit pintu"): an installable web app that checks people in and registers
walk-ins at the door even where mobile data drops, and syncs what it recorded when the signal returns.

Here: the key the kit encrypts its copy of the list with, the list itself, and the sync. The key is derived, never
stored: it depends on the event, the staff member and their token version, so it is handed again to the same
signed-in organiser whenever the kit is online, and a sign-out (which raises the token version) makes every copy the
kit left on a phone unreadable. The sync is idempotent by the id each record got on the phone.
"""

import base64
import hashlib
import hmac
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from services.registration import notices, store
from services.registration.bus import nudge
from services.registration.checkin import check_in_locked, check_in_window, check_in_window_open, undo_check_in_locked
from services.registration.common import RegistrationError, audit, event_for_staff
from services.registration.extensions import db
from services.registration.models import DoorKind, DoorOutcome, DoorRecord, Event, Registration
from services.registration.registering import register
from shared.staffauth import StaffClaims
from shared.states import EventStatus, RegistrationStatus
from shared.timeutil import WITA, to_local, utcnow

#: The most records one sync may carry (a phone sends what it has in batches of this many).
MAX_RECORDS = 100
#: A phone's clock may be off; a record's own time is kept only within this much of the server's.
CLOCK_SLACK = timedelta(days=2)


def kit_key(event: Event, staff: StaffClaims) -> str:
    """The AES-256 key (base64url) the kit encrypts `event`'s list with on this organiser's phone."""
    message = f"door-kit|{event.id}|{staff.id}|{staff.version}".encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _end_of(day) -> datetime:
    """Midnight WITA at the end of `day`, as a UTC moment."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=WITA)


def kit_data(event_id: str, staff: StaffClaims) -> dict:
    """What the kit takes to the door: the key, when its copy is wiped, and the people who may come, by name.

    The list is wiped from the phone after the event's last day (WITA); records not yet synced are kept until the
    check-in window closes, when the server would refuse them anyway."""
    event = event_for_staff(event_id, staff)
    people = store.door_list(event.id)
    audit("door_kit.list", staff, event_id=event.id, commit=True)
    last_day = to_local(event.ends_at or event.starts_at).date()
    return {
        "key": kit_key(event, staff),
        "wipe_at": _end_of(last_day).isoformat(),
        "discard_at": _end_of(check_in_window(event)[1]).isoformat(),
        "notice_version": notices.CURRENT,
        "people": [
            {
                "id": r.id,
                "name": r.full_name,
                "code": r.checkin_code or "",
                "phone": r.phone or "",
                "status": r.status,
                "present": r.checked_in_at is not None,
            }
            for r in people
        ],
    }


def sync(event_id: str, records: list[dict], staff: StaffClaims) -> list[dict]:
    """Apply each record a phone sends, once; return each one's outcome, in the order sent.

    A record already applied (the same id: a retry) gets the outcome it got then; a check-in of someone present
    already (two phones) changes nothing. Each record is its own transaction: one refused keeps none of the others
    from going through. `records` were checked by the view (schemas/door.py); a walk-in carries its `person` as
    the registration form's schema loaded it, or `invalid` with the messages."""
    event = event_for_staff(event_id, staff)
    return [_apply(event, record, staff) for record in records]


def _apply(event: Event, record: dict, staff: StaffClaims) -> dict:
    existing = store.get_door_record(record["id"])
    if existing is not None:
        return _kept(existing, event)
    try:
        if record["kind"] == DoorKind.CHECK_IN:
            kept = _check_in(event, record, staff)
        elif record["kind"] == DoorKind.UNDO:
            kept = _undo(event, record, staff)
        else:
            kept = _walk_in(event, record, staff)
    except RegistrationError as error:
        db.session.rollback()
        return {"id": record["id"], "outcome": DoorOutcome.REFUSED, "message": str(error.message)}
    except IntegrityError:  # the same record arrived twice at once, and the other request applied it
        db.session.rollback()
        return _kept(store.get_door_record(record["id"]), event)
    nudge()
    return _kept(kept, event)


def _kept(record: DoorRecord | None, event: Event) -> dict:
    if record is None or record.event_id != event.id:  # an id already used for another event's record
        return {"id": getattr(record, "id", None), "outcome": DoorOutcome.REFUSED, "message": _("Catatan tidak sah.")}
    return {"id": record.id, "outcome": record.outcome, "registration_id": record.registration_id,
            "message": outcome_message(record.outcome)}  # fmt: skip


def outcome_message(outcome: str) -> str:
    return {
        DoorOutcome.CHECKED_IN: _("Tercatat hadir."),
        DoorOutcome.ALREADY_CHECKED_IN: _("Sudah tercatat hadir sebelumnya (dihitung sekali)."),
        DoorOutcome.SEATED: _("Mendapat kursi dan tercatat hadir."),
        DoorOutcome.WAITLISTED: _("Kursi penuh: masuk daftar tunggu."),
        DoorOutcome.ALREADY_REGISTERED: _("Nomor HP atau email ini sudah terdaftar untuk acara ini."),
        DoorOutcome.UNDONE: _("Catatan hadir diurungkan."),
        DoorOutcome.NOT_PRESENT: _("Tidak tercatat hadir (sudah diurungkan sebelumnya)."),
    }.get(outcome, "")


def _record(event: Event, record: dict, staff: StaffClaims, outcome: str, registration_id: str | None) -> DoorRecord:
    now = utcnow()
    made_at = record.get("made_at")
    if made_at is not None and abs(made_at - now) > CLOCK_SLACK:
        made_at = None
    row = DoorRecord(id=record["id"], event_id=event.id, kind=record["kind"], registration_id=registration_id,
                     outcome=outcome, staff_id=staff.id, made_at=made_at, received_at=now)  # fmt: skip
    store.add_door_record(row)
    return row


def _registration(event: Event, record: dict) -> Registration:
    registration = store.get_registration(record["registration_id"], lock=True)
    if registration is None or registration.event_id != event.id or registration.full_name is None:
        raise RegistrationError("not_found", _("Pendaftaran tidak ditemukan."), 404)
    return registration


def _check_in(event: Event, record: dict, staff: StaffClaims) -> DoorRecord:
    registration = _registration(event, record)
    first = check_in_locked(registration, staff)
    outcome = DoorOutcome.CHECKED_IN if first else DoorOutcome.ALREADY_CHECKED_IN
    row = _record(event, record, staff, outcome, registration.id)
    db.session.commit()
    return row


def _undo(event: Event, record: dict, staff: StaffClaims) -> DoorRecord:
    """Take back a check-in the phone made by mistake, as the list's "Urungkan" does (and within the same minutes)."""
    registration = _registration(event, record)
    undone = undo_check_in_locked(registration, staff)
    row = _record(event, record, staff, DoorOutcome.UNDONE if undone else DoorOutcome.NOT_PRESENT, registration.id)
    db.session.commit()
    return row


def _walk_in(event: Event, record: dict, staff: StaffClaims) -> DoorRecord:
    """Register a person who came without registering, as the form would (same checks, same events); a free seat
    also records them present, a full event puts them on the waitlist (or refuses them, without one)."""
    if record.get("invalid"):
        raise RegistrationError("invalid", " ".join(record["invalid"]), 422)
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationError("closed", _("Acara ini tidak menerima pendaftaran."))
    check_in_window_open(event)
    kept: list[DoorRecord] = []

    def also(registration: Registration) -> None:
        seated = registration.status == RegistrationStatus.CONFIRMED
        if seated:  # the row was written by the insert above; read it into the session to check it in
            check_in_locked(store.get_registration(registration.id, lock=True), staff)
        outcome = DoorOutcome.SEATED if seated else DoorOutcome.WAITLISTED
        audit("registration.walk_in", staff, event_id=event.id, object_id=registration.id)
        kept.append(_record(event, record, staff, outcome, registration.id))

    created = register(event.id, record["person"], at_door=True, also=also)[1]
    if not created:  # the person is registered already: their confirmation went again to their own contact
        row = _record(event, record, staff, DoorOutcome.ALREADY_REGISTERED, None)
        db.session.commit()
        return row
    return kept[0]
