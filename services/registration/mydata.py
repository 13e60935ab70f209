"""A participant's own data, without an account (UU PDP): see it, download it, correct it, have it erased.

A person reaches their registration by its signed link (the confirmation page), or by a one-time code sent to the
contact stored with it. Each request type is one function, so each can be recorded on its own: seeing and downloading
here, correcting, withdrawing a consent and erasure in rights.py."""

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError

from services.registration import knowledge, requests, store
from services.registration.bus import bus, nudge
from services.registration.extensions import db
from services.registration.groups import fold_name
from services.registration.links import sign, unsign
from services.registration.models import AccessCode, AuditEntry, MessageRecord, Registration
from services.registration.schemas import normalise_email, normalise_phone
from shared.messaging.names import EventNames
from shared.states import MessageStatus
from shared.timeutil import utcnow

#: Salt of the signed "Data saya" links: a confirmation or cancel link cannot be used as one.
MY_DATA = "my-data"
#: A code works this long, once.
CODE_LIFETIME = timedelta(minutes=10)
#: A new code goes at most this often per registration, however many times it is asked for.
CODE_PACE = timedelta(minutes=1)
#: Wrong codes typed for a registration before its code stops working (a new one must be asked for).
CODE_ATTEMPTS = 5


def link(registration_id: str) -> str:
    """The address of a registration's "Data saya" page (signed: it opens this registration and no other)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/data-saya/{sign(MY_DATA, registration_id)}"


def open_link(token: str) -> Registration:
    """The registration a "Data saya" link names; refuse a forged, expired, unknown or erased one."""
    return unsign(MY_DATA, token)


def _code_hash(registration_id: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{registration_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _contact(text: str) -> tuple[str | None, str | None]:
    """(phone, email) from what a person typed in the one box; (None, None) when it is neither."""
    text = (text or "").strip()[:254]
    try:
        return (None, normalise_email(text)) if "@" in text else (normalise_phone(text), None)
    except ValidationError:  # not a phone number or an address: the page answers as for an unknown contact
        return None, None


def _find(event_id: str, contact: str, name: str = "") -> Registration | None:
    """The registration `contact` names for `event_id`: with `name`, first the person of that name reached through
    that contact (someone else registered them with theirs), then the contact's own registration."""
    phone, email = _contact(contact)
    if not (phone or email) or not event_id or len(event_id) > 36:
        return None
    registration = None
    if name.strip():
        registration = store.find_registration(event_id, phone, email, fold_name(name[:200]))
    registration = registration or store.find_registration(event_id, phone, email)
    return registration if registration is not None and registration.full_name is not None else None


def request_access_code(event_id: str, contact: str, name: str = "") -> bool:
    """Send a one-time code to the contact stored with the registration `contact` names for `event_id`.

    The caller answers the same whatever this returns (whether a code went): the page tells nobody whether a phone
    or email is registered. A code goes at most once per CODE_PACE per registration; it is bound to that
    registration, works once and for CODE_LIFETIME; only its hash is kept.
    """
    registration = _find(event_id, contact, name)
    now = utcnow()
    if registration is None or _recent_code(registration.id, now):
        db.session.rollback()
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    expires_at = now + CODE_LIFETIME
    db.session.add(
        AccessCode(registration_id=registration.id, code_hash=_code_hash(registration.id, code), expires_at=expires_at)
    )
    payload = {"registration_id": registration.id, "event_id": registration.event_id, "code": code}
    bus.emit(EventNames.REGISTRATION_ACCESS_CODE_REQUESTED, payload | {"requested_at": now, "expires_at": expires_at})
    db.session.commit()
    nudge()
    return True


def _recent_code(registration_id: str, now) -> bool:
    query = sa.select(AccessCode.id).where(
        AccessCode.registration_id == registration_id, AccessCode.created_at > now - CODE_PACE
    )
    return db.session.scalar(query.limit(1)) is not None


def open_with_code(event_id: str, contact: str, code: str, name: str = "") -> str | None:
    """Return the "Data saya" token of the registration `contact` names, if `code` is its latest code, unused and
    not expired; else None (and a wrong code counts against that code)."""
    registration = _find(event_id, contact, name)
    code = (code or "").strip().replace(" ", "")
    if registration is None:
        return None
    now = utcnow()
    query = (
        sa.select(AccessCode)
        .where(AccessCode.registration_id == registration.id)
        .order_by(AccessCode.created_at.desc(), AccessCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    latest = db.session.scalar(query)
    usable = latest is not None and latest.used_at is None and latest.expires_at > now
    if not usable or latest.failed_attempts >= CODE_ATTEMPTS:
        db.session.rollback()
        return None
    if not (
        len(code) == 6 and code.isdigit() and hmac.compare_digest(latest.code_hash, _code_hash(registration.id, code))
    ):
        latest.failed_attempts += 1
        db.session.commit()
        return None
    latest.used_at = now
    db.session.commit()
    return sign(MY_DATA, registration.id)


def my_data(registration: Registration) -> dict:
    """Everything the registration service holds about the person, and the messages sent to them (JSON-ready)."""
    event, history = registration.event, message_history(registration.id)
    return {
        "registration": {
            "id": registration.id,
            "status": registration.status,
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
            "accessibility_needs": registration.accessibility_needs,
            "participant_type": registration.participant_type,
            "institution": registration.institution,
            "checkin_code": registration.checkin_code,
            "registered_by": registration.registered_by,
            "contact_phone": registration.contact_phone,
            "contact_email": registration.contact_email,
            "consents": [
                {
                    "purpose": consent.purpose,
                    "notice_version": consent.notice_version,
                    "given_at": _iso(consent.given_at),
                    "withdrawn_at": _iso(consent.withdrawn_at),
                    "given_to_registrant": consent.given_to_registrant,
                }
                for consent in registration.consents
            ],
            "registered_at": _iso(registration.registered_at),
            "cancelled_at": _iso(registration.cancelled_at),
            "checked_in_at": _iso(registration.checked_in_at),
            "waitlist_position": store.waitlist_position(registration),
        },
        "event": {
            "id": event.id,
            "title": event.title,
            "venue": event.venue,
            "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at),
        },
        "evaluation": knowledge.of_person(registration.id),
        "messages": [
            {"channel": row.channel, "purpose": row.purpose, "status": row.status, "at": _iso(row.at)}
            for row in history
        ],
        "processing": [
            {"at": _iso(row.at), "action": row.action, "by": "participant" if row.staff_id is None else "staff"}
            for row in processing_trail(registration)
        ],
        "elsewhere": {
            "notifications": _(
                "Layanan pesan menyimpan nama, nomor HP, email, kode hadir, waktu Anda tercatat hadir, tautan Anda "
                "dan isi setiap pesan yang dikirim kepada Anda; isi pesan dihapus beberapa waktu setelah terkirim, "
                "nama dan kontak setahun setelah acara."
            ),
            "reporting": _(
                "Layanan laporan hanya menyimpan data tanpa nama: wilayah, jenis kelamin, kelompok umur, disabilitas, "
                "jenis peserta, status dan waktu, untuk menghitung jumlah peserta."
            ),
        },
    }


#: Staff actions on a whole event's list that touched everyone registered for it.
LIST_ACTIONS = ("registrations.list", "registrations.export", "evaluation.read")


def processing_trail(registration: Registration) -> list[AuditEntry]:
    """What the audit trail holds of this person's data being handled: staff actions on their registration, and
    views and exports of their event's list, oldest first (the staff member's account is not named here)."""
    on_them = AuditEntry.object_id == registration.id
    on_list = sa.and_(AuditEntry.event_id == registration.event_id, AuditEntry.action.in_(LIST_ACTIONS))
    query = sa.select(AuditEntry).where(sa.or_(on_them, on_list)).order_by(AuditEntry.at)
    return list(db.session.scalars(query.limit(500)))


def message_history(registration_id: str) -> list[MessageRecord]:
    """The messages sent to a registration, oldest first (channel, purpose, status and time)."""
    query = sa.select(MessageRecord).where(MessageRecord.registration_id == registration_id)
    return list(db.session.scalars(query.order_by(MessageRecord.at)))


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _on_delivery(status: str):
    """Keep one line of history per message sent to a registration still held: channel, purpose, status, time."""

    def record(envelope: dict, payload: dict) -> None:
        if payload.get("registration_id") is None:
            return None
        registration = store.get_registration(str(payload["registration_id"]))
        if registration is None or registration.full_name is None:  # erased or anonymised: keep nothing
            return None
        at = payload["delivered_at"] if status == MessageStatus.DELIVERED else payload["failed_at"]
        row = db.session.get(MessageRecord, str(payload["notification_id"]))
        if row is None:
            row = MessageRecord(notification_id=str(payload["notification_id"]), registration_id=registration.id)
            db.session.add(row)
        elif row.at > at:  # an older word arriving late
            return None
        row.channel, row.purpose, row.status, row.at = payload["channel"], payload["purpose"][:30], status, at
        if payload["purpose"] == "data_request":
            return requests.after_answer(registration.id)
        return None

    return record


HANDLERS = {
    EventNames.NOTIFICATION_DELIVERED: _on_delivery(MessageStatus.DELIVERED),
    EventNames.NOTIFICATION_FAILED: _on_delivery(MessageStatus.FAILED),
}
