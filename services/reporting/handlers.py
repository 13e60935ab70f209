"""Reporting's handlers of incoming bus messages: each event of registration and notifications becomes a row of the
read model the figures count; the read model can be emptied to replay them."""

import logging

import sqlalchemy as sa

from services.reporting import figures, store
from services.reporting.bus import bus
from services.reporting.extensions import db
from services.reporting.models import (
    DeliveryFact,
    EvaluationFact,
    EventFact,
    ProcessedMessage,
    RegistrationFact,
    StaffAccess,
)
from shared.messaging.names import EventNames
from shared.staffauth import apply_staff_changed
from shared.states import EventStatus, MessageStatus, RegistrationStatus

logger = logging.getLogger(__name__)

REPORTED_REGISTRATION_FIELDS = (
    "status",
    "kabupaten_code",
    "kecamatan_code",
    "desa_code",
    "gender",
    "age_group",
    "disability",
    "participant_type",
    "registered_at",
)


def handle_event(message: dict) -> str:
    """Apply one incoming message to the read model once (safe to run twice)."""
    return bus.handle(message, HANDLERS)


def rebuild_read_model() -> dict[str, int]:
    """Empty the read model and forget which messages were applied, so replayed events are applied again."""
    removed = {}
    for model in (RegistrationFact, EvaluationFact, DeliveryFact, EventFact, ProcessedMessage):
        removed[model.__tablename__] = db.session.execute(sa.delete(model)).rowcount
    db.session.commit()
    return removed


def _on_event_snapshot(envelope: dict, payload: dict) -> None:
    keys = ("title", "kabupaten_code", "venue", "starts_at", "ends_at", "capacity")
    store.upsert(EventFact, "event_id", {"event_id": str(payload["event_id"]), **{k: payload[k] for k in keys}})


def _on_event_cancelled(envelope: dict, payload: dict) -> None:
    event = store.get_event(str(payload["event_id"]))
    if event is not None:
        event.status = EventStatus.CANCELLED


def _on_registration_created(envelope: dict, payload: dict) -> None:
    if not payload.get("pseudonym"):  # sent before registrations had pseudonyms: nothing to key it by
        logger.warning("registration.created %s has no pseudonym: not counted", envelope["id"])
        return
    values = {key: payload[key] for key in REPORTED_REGISTRATION_FIELDS}
    store.upsert(
        RegistrationFact,
        "pseudonym",
        {"pseudonym": payload["pseudonym"], "event_id": str(payload["event_id"]), **values},
    )


def _on_registration_promoted(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and fact.status == RegistrationStatus.WAITLISTED:
        fact.status = RegistrationStatus.CONFIRMED


def _on_registration_cancelled(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None:
        fact.status, fact.cancelled_at = RegistrationStatus.CANCELLED, payload["cancelled_at"]


def _on_registration_corrected(envelope: dict, payload: dict) -> None:
    """A participant corrected their answers: count them as they now say (reporting is sent no name or contact)."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None:
        fact.gender, fact.age_group, fact.disability = payload["gender"], payload["age_group"], payload["disability"]


def _on_registration_erased(envelope: dict, payload: dict) -> None:
    """Nothing to forget: reporting holds no name, contact, code or link, only the anonymous attributes it counts
    (and the evaluation's scores, never its free text), and keeps them so the figures already reported do not
    change. Recorded (and acknowledged) like any event."""


def _on_consent_withdrawn(envelope: dict, payload: dict) -> None:
    """The person withdrew their statistics consent: their disability answer counts as not given from now on (the
    registration itself still counts, so every total stays as it was). The reminders consent is not counted here."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and payload["purpose"] == "statistics":
        fact.disability = figures.NOT_SAID


def _on_certificate_issued(envelope: dict, payload: dict) -> None:
    """Count the certificate once: a reissue (a corrected name, a higher version) is the same certificate."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and fact.certificate_issued_at is None:
        fact.certificate_issued_at = payload["issued_at"]


def _on_certificate_revoked(envelope: dict, payload: dict) -> None:
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and fact.certificate_revoked_at is None:
        fact.certificate_revoked_at = payload["revoked_at"]


EVALUATION_FIELDS = ("material", "trainer", "venue", "questions", "pre_score", "post_score", "submitted_at")


def _on_evaluation_submitted(envelope: dict, payload: dict) -> None:
    """Keep the person's answer once: the earliest one stands (registration takes one answer per person; should a
    second be sent, or the first be delivered again or replayed, the figures do not change, whatever the order)."""
    if not payload.get("pseudonym"):
        logger.warning("evaluation.submitted %s has no pseudonym: not counted", envelope["id"])
        return
    fact = db.session.get(EvaluationFact, payload["pseudonym"])
    if fact is not None and fact.submitted_at <= payload["submitted_at"]:
        return
    values = {key: payload[key] for key in EVALUATION_FIELDS}
    store.upsert(
        EvaluationFact,
        "pseudonym",
        {"pseudonym": payload["pseudonym"], "event_id": str(payload["event_id"]), **values},
    )


def _on_checked_in(envelope: dict, payload: dict) -> None:
    """Record the check-in; a later one (checked in again after an undo) wins over an earlier one."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and (fact.checked_in_at is None or fact.checked_in_at < payload["checked_in_at"]):
        fact.checked_in_at = payload["checked_in_at"]


def _on_check_in_undone(envelope: dict, payload: dict) -> None:
    """Take back the check-in the message names, and only that one (not a newer check-in that overtook it)."""
    fact = store.get_registration(payload.get("pseudonym"))
    if fact is not None and fact.checked_in_at is not None:
        if abs((fact.checked_in_at - payload["checked_in_at"]).total_seconds()) < 1:
            fact.checked_in_at = None


def _on_delivery(status: str):
    def handler(envelope: dict, payload: dict) -> None:
        at = payload.get("delivered_at") or payload.get("failed_at")
        values = {key: payload[key] for key in ("purpose", "channel")}
        event_id = str(payload["event_id"]) if payload.get("event_id") else None
        store.upsert(
            DeliveryFact,
            "notification_id",
            {
                "notification_id": str(payload["notification_id"]),
                "event_id": event_id,
                "status": status,
                "at": at,
                **values,
            },
        )

    return handler


def _on_staff_changed(envelope: dict, payload: dict) -> None:
    """Keep the account's token version and active flag: older tokens and disabled accounts are refused here too."""
    apply_staff_changed(db.session, StaffAccess, payload)


HANDLERS = {
    EventNames.EVENT_PUBLISHED: _on_event_snapshot,
    EventNames.EVENT_UPDATED: _on_event_snapshot,
    EventNames.EVENT_CANCELLED: _on_event_cancelled,
    EventNames.REGISTRATION_CREATED: _on_registration_created,
    EventNames.REGISTRATION_PROMOTED: _on_registration_promoted,
    EventNames.REGISTRATION_CANCELLED: _on_registration_cancelled,
    EventNames.REGISTRATION_CORRECTED: _on_registration_corrected,
    EventNames.REGISTRATION_ERASED: _on_registration_erased,
    EventNames.REGISTRATION_CONSENT_WITHDRAWN: _on_consent_withdrawn,
    EventNames.ATTENDANCE_CHECKED_IN: _on_checked_in,
    EventNames.CERTIFICATE_ISSUED: _on_certificate_issued,
    EventNames.CERTIFICATE_REVOKED: _on_certificate_revoked,
    EventNames.ATTENDANCE_CHECK_IN_UNDONE: _on_check_in_undone,
    EventNames.EVALUATION_SUBMITTED: _on_evaluation_submitted,
    EventNames.NOTIFICATION_DELIVERED: _on_delivery(MessageStatus.DELIVERED),
    EventNames.NOTIFICATION_FAILED: _on_delivery(MessageStatus.FAILED),
    EventNames.STAFF_CHANGED: _on_staff_changed,
}
