"""Marshmallow contracts for every cross-service message: the envelope and one payload schema per type+version.

Produce strict (`unknown=RAISE`, every required field present), consume tolerant (`unknown=EXCLUDE`): a producer
adding an optional field breaks no consumer. A breaking change is a new VERSION registered beside the old one.

The payload schemas are grouped by the service that sends them (from_registration.py, from_notifications.py,
from_reporting.py), on the base and the values they share (vocabulary.py); here they are registered and used.
"""

from functools import cache

from marshmallow import EXCLUDE, Schema, ValidationError

from shared.messaging.from_notifications import NotificationDeliveredV1, NotificationFailedV1, ReplyReceivedV1
from shared.messaging.from_registration import (
    AttendanceCheckedInV1,
    AttendanceCheckInUndoneV1,
    CertificateIssuedV1,
    CertificateRevokedV1,
    EvaluationRequestedV1,
    EvaluationSubmittedV1,
    EventCancelledV1,
    EventPublishedV1,
    EventUpdatedV1,
    RegistrationAccessCodeRequestedV1,
    RegistrationCancelledV1,
    RegistrationConfirmationRequestedV1,
    RegistrationConsentWithdrawnV1,
    RegistrationCorrectedV1,
    RegistrationCreatedV1,
    RegistrationErasedV1,
    RegistrationPromotedV1,
    RegistrationRequestAnsweredV1,
    StaffChangedV1,
    StaffInvitedV1,
)
from shared.messaging.from_reporting import ReportGeneratedV1
from shared.messaging.vocabulary import Contract, Envelope

CONTRACTS: dict[tuple[str, int], type[Contract]] = {
    (schema.NAME, schema.VERSION): schema
    for schema in (
        EventPublishedV1,
        EventUpdatedV1,
        EventCancelledV1,
        RegistrationCreatedV1,
        RegistrationPromotedV1,
        RegistrationCancelledV1,
        RegistrationConfirmationRequestedV1,
        RegistrationAccessCodeRequestedV1,
        RegistrationCorrectedV1,
        RegistrationErasedV1,
        RegistrationConsentWithdrawnV1,
        RegistrationRequestAnsweredV1,
        AttendanceCheckedInV1,
        AttendanceCheckInUndoneV1,
        CertificateIssuedV1,
        CertificateRevokedV1,
        NotificationDeliveredV1,
        NotificationFailedV1,
        ReportGeneratedV1,
        StaffChangedV1,
        StaffInvitedV1,
        ReplyReceivedV1,
        EvaluationRequestedV1,
        EvaluationSubmittedV1,
    )
}


def latest_version(event_type: str) -> int:
    """Return the newest contract version of `event_type` (what producers send)."""
    versions = [version for (name, version) in CONTRACTS if name == event_type]
    if not versions:
        raise KeyError(f"no contract for event type {event_type!r}")
    return max(versions)


def produce_payload(event_type: str, payload: dict, version: int | None = None) -> dict:
    """Validate strictly and return the JSON-ready payload (raises ValidationError on any problem)."""
    schema = _strict(CONTRACTS[(event_type, version or latest_version(event_type))])
    return schema.dump(schema.load(payload))


@cache
def _strict(schema_class: type[Contract]) -> Contract:
    """One strict instance per contract, reused: a schema keeps no state between loads, and building one is costly."""
    return schema_class()


def consume(message: dict, withheld: dict[str, frozenset[str]] | None = None) -> tuple[dict, dict]:
    """Validate a received envelope tolerantly; return (envelope, payload) or raise ValidationError.

    `withheld` (event type -> fields, routing.WITHHELD of the receiving task) names the required fields its
    producer does not send this consumer: they may be missing, and are then absent from the payload.
    """
    envelope = _tolerant(Envelope).load(message)
    schema_class = CONTRACTS.get((envelope["type"], envelope["version"]))
    if schema_class is None:
        raise ValidationError(f"unknown message type/version {envelope['type']} v{envelope['version']}")
    missing = tuple((withheld or {}).get(envelope["type"], ()))
    payload = _tolerant(schema_class).load(envelope["payload"], partial=missing or None)
    return envelope, payload


@cache
def _tolerant(schema_class: type[Schema]) -> Schema:
    """One tolerant (`unknown=EXCLUDE`) instance per schema, reused by every consumer in the process."""
    return schema_class(unknown=EXCLUDE)
