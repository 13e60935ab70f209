"""A participant's rights over their registration on "Data saya": correct their answers, withdraw an optional consent,
erase themselves (the other services are told, and the outbox keeps nothing of them)."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from marshmallow import pre_load
from sqlalchemy.exc import IntegrityError

from services.registration import requests, service, store
from services.registration.extensions import db
from services.registration.groups import fold_name
from services.registration.models import (
    AccessCode,
    Certificate,
    DataRequest,
    MessageRecord,
    OutboxMessage,
    Registration,
)
from services.registration.registering import contact_name
from services.registration.retention import ANONYMOUS
from services.registration.schemas.registrations import RegistrationCreateSchema
from shared.messaging.names import EventNames
from shared.states import RegistrationStatus
from shared.timeutil import utcnow

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


def correct(registration_id: str, data: dict) -> Registration:
    """Apply a participant's corrections (`data`, checked by CORRECTION); tell notifications and reporting.

    Nothing changed, nothing is sent. A phone or email another registration for the event already has is refused.
    """
    registration = store.get_registration(registration_id, lock=True)
    if registration is None or registration.full_name is None:
        raise service.RegistrationError("link_invalid", _("Tautan ini tidak sah atau rusak."), 404)
    data = {"phone": None, "email": None} | {key: data[key] for key in CORRECTABLE if key in data}
    if registration.contact_for and (data["phone"], data["email"]) == (
        registration.contact_phone, registration.contact_email):  # fmt: skip
        data["phone"] = data["email"] = None  # still the registrant's contact: nothing of their own given
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
    _shared_contact_follows(registration, changed)
    now = utcnow()
    payload = {key: getattr(registration, key) for key in ("full_name", "preferred_channel")}
    payload |= {"phone": registration.reach_phone, "email": registration.reach_email}
    if registration.registered_by:  # registered by someone else: whose contact it now is
        payload |= contact_name(registration) or {"contact_name": None}
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


def _shared_contact_follows(registration: Registration, changed: list[str]) -> None:
    """A person reached through the registrant's contact who gives a phone or email of their own has their own
    contact from now on; one who corrects their name keeps the shared contact under the new name."""
    if not registration.contact_for:
        return
    if "phone" in changed or "email" in changed:  # a contact of their own: the registrant's is no longer used
        registration.contact_phone = registration.contact_email = None
        registration.contact_for = ""
    elif "full_name" in changed:
        registration.contact_for = fold_name(registration.full_name)


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
    store.delete_evaluation_of(registration.id)  # its free text may name people; its link answers "not found"
    store.forget_door_records(registration_id=registration.id)
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
    "contact_name": None,
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
