"""A participant's own data, without an account (UU PDP): see it, download it, correct it, have it erased.

A person reaches their registration by its signed link (the confirmation page), or by a one-time code sent to the
contact stored with it. Each request type below is one function, so each can be recorded on its own.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError, pre_load
from sqlalchemy.exc import IntegrityError

from services.registration import requests, service, store
from services.registration.extensions import db
from services.registration.models import (
    AccessCode,
    AuditEntry,
    Certificate,
    DataRequest,
    MessageRecord,
    OutboxMessage,
    Registration,
)
from services.registration.retention import ANONYMOUS
from services.registration.schemas import RegistrationCreateSchema, normalise_email, normalise_phone
from shared.messaging.names import EventNames
from shared.states import MessageStatus, RegistrationStatus
from shared.timeutil import utcnow

#: Salt of the signed "Data saya" links: a confirmation or cancel link cannot be used as one.
MY_DATA = "my-data"
#: A code works this long, once.
CODE_LIFETIME = timedelta(minutes=10)
#: A new code goes at most this often per registration, however many times it is asked for.
CODE_PACE = timedelta(minutes=1)
#: Wrong codes typed for a registration before its code stops working (a new one must be asked for).
CODE_ATTEMPTS = 5

#: What a participant may correct (the rest, such as the event or the region, needs a new registration).
CORRECTABLE = (
    "full_name",
    "phone",
    "email",
    "preferred_channel",
    "institution",
    "accessibility_needs",
    "gender",
    "age_group",
    "disability",
)


class CorrectionSchema(RegistrationCreateSchema):
    """The correction form: the registration form's own rules for the fields a participant may change."""

    @pre_load
    def blanks_are_missing(self, data, **kwargs) -> dict:
        cleaned = {key: value.strip() for key, value in data.items() if isinstance(value, str)}
        return {key: value for key, value in cleaned.items() if key in CORRECTABLE and value != ""}

    def consents_given(self, data: dict, **kwargs) -> None:
        """Not asked again: a correction changes answers, not the consents given at registration."""

    def consents_as_given(self, data: dict, **kwargs) -> dict:
        return data


CORRECTION = CorrectionSchema(only=CORRECTABLE)


def link(registration_id: str) -> str:
    """The address of a registration's "Data saya" page (signed: it opens this registration and no other)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/data-saya/{service.sign(MY_DATA, registration_id)}"


def open_link(token: str) -> Registration:
    """The registration a "Data saya" link names; refuse a forged, expired, unknown or erased one."""
    return service.unsign(MY_DATA, token)


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


def _find(event_id: str, contact: str) -> Registration | None:
    phone, email = _contact(contact)
    if not (phone or email) or not event_id or len(event_id) > 36:
        return None
    registration = store.find_registration(event_id, phone, email)
    return registration if registration is not None and registration.full_name is not None else None


def request_access_code(event_id: str, contact: str) -> bool:
    """Send a one-time code to the contact stored with the registration `contact` names for `event_id`.

    The caller answers the same whatever this returns (whether a code went): the page tells nobody whether a phone
    or email is registered. A code goes at most once per CODE_PACE per registration; it is bound to that
    registration, works once and for CODE_LIFETIME; only its hash is kept.
    """
    registration = _find(event_id, contact)
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
    service.bus.emit(
        EventNames.REGISTRATION_ACCESS_CODE_REQUESTED, payload | {"requested_at": now, "expires_at": expires_at}
    )
    db.session.commit()
    service.nudge()
    return True


def _recent_code(registration_id: str, now) -> bool:
    query = sa.select(AccessCode.id).where(
        AccessCode.registration_id == registration_id, AccessCode.created_at > now - CODE_PACE
    )
    return db.session.scalar(query.limit(1)) is not None


def open_with_code(event_id: str, contact: str, code: str) -> str | None:
    """Return the "Data saya" token of the registration `contact` names, if `code` is its latest code, unused and
    not expired; else None (and a wrong code counts against that code)."""
    registration = _find(event_id, contact)
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
    return service.sign(MY_DATA, registration.id)


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
            "consents": [
                {
                    "purpose": consent.purpose,
                    "notice_version": consent.notice_version,
                    "given_at": _iso(consent.given_at),
                    "withdrawn_at": _iso(consent.withdrawn_at),
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
                "Layanan pesan menyimpan nama, nomor HP, email, kode hadir, tautan Anda dan isi setiap pesan yang "
                "dikirim kepada Anda; isi pesan dihapus beberapa waktu setelah terkirim, nama dan kontak setahun "
                "setelah acara."
            ),
            "reporting": _(
                "Layanan laporan hanya menyimpan data tanpa nama: wilayah, jenis kelamin, kelompok umur, disabilitas, "
                "jenis peserta, status dan waktu, untuk menghitung jumlah peserta."
            ),
        },
    }


#: Staff actions on a whole event's list that touched everyone registered for it.
LIST_ACTIONS = ("registrations.list", "registrations.export")


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


def correct(registration_id: str, data: dict) -> Registration:
    """Apply a participant's corrections (`data`, checked by CORRECTION); tell notifications and reporting.

    Nothing changed, nothing is sent. A phone or email another registration for the event already has is refused.
    """
    registration = store.get_registration(registration_id, lock=True)
    if registration is None or registration.full_name is None:
        raise service.RegistrationError("link_invalid", _("Tautan ini tidak sah atau rusak."), 404)
    data = {"phone": None, "email": None} | {key: data[key] for key in CORRECTABLE if key in data}
    changed = [key for key, value in data.items() if getattr(registration, key) != value]
    if "full_name" in changed and registration.checked_in_at is not None:
        # the attendance list and certificates carry the name given at the door: a person decides (requests.py)
        requests.open_request(registration, "name_correction", data["full_name"])
        changed.remove("full_name")
        if not changed:
            db.session.commit()
            return registration
    if not changed:
        db.session.rollback()
        return registration
    for key in changed:
        setattr(registration, key, data[key])
    now = utcnow()
    payload = {key: getattr(registration, key) for key in ("full_name", "phone", "email", "preferred_channel")}
    payload |= {key: getattr(registration, key) for key in ("gender", "age_group")}
    payload["disability"] = service.statistics_disability(registration)  # not counted without that consent
    ids = {"registration_id": registration.id, "event_id": registration.event_id, "corrected_at": now}
    service.bus.emit(EventNames.REGISTRATION_CORRECTED, payload | ids)
    service.audit("data_subject.correct", None, event_id=registration.event_id, object_id=registration.id)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        message = _("Nomor HP atau email ini tidak dapat dipakai untuk pendaftaran ini. Periksa kembali.")
        raise service.RegistrationError("contact_taken", message, 409) from error
    service.nudge()
    return registration


#: The consents a participant may withdraw here. Training is the registration itself: cancelling or erasing it is
#: how that one ends.
WITHDRAWABLE = ("statistics", "messages")


def withdraw(registration_id: str, purpose: str) -> bool:
    """Withdraw an optional consent at its owner's request; return False when there was none to withdraw.

    The consent row stays, with its notice version and the time it was given; `withdrawn_at` says since when it no
    longer holds. registration.consent_withdrawn tells notifications (purpose "messages": no more reminders on the
    person's channel, email instead when they gave one) and reporting (purpose "statistics": the disability answer
    counts as not given). Its own event rather than a registration.corrected: nothing the person typed changed, and
    notifications must stop reminders, which no correction does.
    """
    if purpose not in WITHDRAWABLE:
        raise service.RegistrationError("not_withdrawable", _("Persetujuan ini tidak dapat ditarik di sini."), 404)
    registration = store.get_registration(registration_id, lock=True)
    if registration is None or registration.full_name is None:
        raise service.RegistrationError("link_invalid", _("Tautan ini tidak sah atau rusak."), 404)
    consent = next((c for c in registration.consents if c.purpose == purpose and c.withdrawn_at is None), None)
    if consent is None:
        db.session.rollback()
        return False
    now = utcnow()
    consent.withdrawn_at = now
    payload = {"registration_id": registration.id, "event_id": registration.event_id, "purpose": purpose}
    payload |= {"channel": registration.preferred_channel, "withdrawn_at": now}
    payload["disability"] = service.statistics_disability(registration)
    service.bus.emit(EventNames.REGISTRATION_CONSENT_WITHDRAWN, payload)
    service.audit(f"data_subject.withdraw_{purpose}", None, event_id=registration.event_id, object_id=registration.id)
    db.session.commit()
    service.nudge()
    return True


def erase(registration_id: str) -> bool:
    """Erase a registration at its owner's request; return False when there was nothing left to erase.

    An active registration for an event still ahead is cancelled first, as its cancel link does (the seat goes to
    the next person; no notice is sent). The row then keeps only what the retention purge keeps, and
    registration.erased tells notifications and reporting to do the same.
    """
    registration = store.get_registration(registration_id)
    if registration is None or registration.full_name is None:
        return False
    event = store.lock_event(registration.event_id)
    registration = store.get_registration(registration_id, lock=True)
    if registration.full_name is None:  # erased meanwhile
        db.session.rollback()
        return False
    now = utcnow()
    if registration.status != RegistrationStatus.CANCELLED and event.ends_at > now:
        service.cancel_locked(registration, event, erasure=True)
    for key, value in ANONYMOUS.items():
        setattr(registration, key, value)
    db.session.execute(sa.delete(MessageRecord).where(MessageRecord.registration_id == registration.id))
    db.session.execute(sa.delete(AccessCode).where(AccessCode.registration_id == registration.id))
    forget_requests = sa.update(DataRequest).where(DataRequest.registration_id == registration.id)
    db.session.execute(forget_requests.values(details="", answer=""))
    # The certificate goes too: its page and link answer "not found"; its number is never handed out again.
    db.session.execute(sa.delete(Certificate).where(Certificate.registration_id == registration.id))
    _scrub_outbox(registration.id)
    payload = {"registration_id": registration.id, "event_id": registration.event_id, "erased_at": now}
    service.bus.emit(EventNames.REGISTRATION_ERASED, payload)
    service.audit("data_subject.erase", None, event_id=registration.event_id, object_id=registration.id)
    db.session.commit()
    service.nudge()
    return True


#: What the outbox keeps of an erased person's messages (still valid for their contracts, should one still be on
#: its way: notifications then knows a nameless, unreachable recipient until registration.erased arrives).
SCRUBBED = {
    "full_name": "-",
    "phone": None,
    "email": None,
    "checkin_code": "-",
    "checkin_url": None,
    "code": "000000",
}
PERSONAL_EVENTS = (
    EventNames.REGISTRATION_CREATED,
    EventNames.REGISTRATION_CORRECTED,
    EventNames.REGISTRATION_ACCESS_CODE_REQUESTED,
)


def _scrub_outbox(registration_id: str) -> int:
    """Remove the person from the events about them still in the outbox (kept a while after delivery)."""
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.type.in_(PERSONAL_EVENTS),
            sa.cast(OutboxMessage.envelope, sa.Text).contains(registration_id),
        )
    ).all()
    for row in rows:
        payload = dict(row.envelope["payload"])
        if payload.get("registration_id") != registration_id:
            continue
        payload |= {key: value for key, value in SCRUBBED.items() if key in payload}
        if "cancel_url" in payload:
            payload["cancel_url"] = f"{current_app.config['PUBLIC_BASE_URL']}/data-saya"
        row.envelope = {**row.envelope, "payload": payload}
    return len(rows)


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
