"""Marshmallow contracts for every cross-service message: the envelope and one payload schema per type+version.

Produce strict (`unknown=RAISE`, every required field present), consume tolerant (`unknown=EXCLUDE`): a producer
adding an optional field breaks no consumer. A breaking change is a new VERSION registered beside the old one.
"""

from functools import cache
from typing import ClassVar

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from shared.messaging.names import EventNames, QueueNames
from shared.states import Channel, RegistrationStatus

CHANNELS = tuple(Channel)
REGISTRATION_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
GENDERS = ("female", "male")
AGE_GROUPS = ("under_18", "18_25", "26_35", "36_45", "46_55", "56_plus")
#: "prefer_not_to_say" is also what reporting is sent when the person did not consent to statistics.
DISABILITIES = ("none", "physical", "intellectual", "mental", "sensory", "prefer_not_to_say")
PARTICIPANT_TYPES = ("library_manager", "pkk_cadre", "teacher", "student", "public", "other")
LOCALES = ("id", "en")


class Contract(Schema):
    """Base of every payload schema: strict by default; consumers pass `unknown=EXCLUDE`."""

    NAME: ClassVar[str]
    VERSION: ClassVar[int] = 1

    class Meta:
        unknown = RAISE


def _pseudonym() -> fields.String:
    """The registration's pseudonym for reporting (routing.PSEUDONYMISED): 32 hex digits of a keyed HMAC."""
    return fields.String(load_default=None, validate=validate.Regexp(r"^[0-9a-f]{32}$"))


def _when(**kwargs) -> fields.AwareDateTime:
    return fields.AwareDateTime(format="iso", **kwargs)


class Envelope(Schema):
    """What travels on the queue: `{id, type, version, occurred_at, source, correlation_id, payload}`."""

    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=3, max=100))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = _when(required=True)
    source = fields.String(required=True, validate=validate.OneOf(QueueNames.all()))
    correlation_id = fields.UUID(required=True)
    payload = fields.Dict(keys=fields.String(), required=True)


class EventSnapshot(Contract):
    """What consumers need to know about a training event (event-carried state)."""

    event_id = fields.UUID(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kabupaten_code = fields.String(required=True, validate=validate.Length(min=5, max=5))
    kabupaten_name = fields.String(required=True)
    venue = fields.String(required=True)
    starts_at = _when(required=True)
    ends_at = _when(required=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    reminder_offsets_minutes = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True)
    url = fields.Url(required=True, require_tld=False)


class EventPublishedV1(EventSnapshot):
    NAME = EventNames.EVENT_PUBLISHED


class EventUpdatedV1(EventSnapshot):
    NAME = EventNames.EVENT_UPDATED
    changed = fields.List(fields.String(), required=True)


class EventCancelledV1(Contract):
    NAME = EventNames.EVENT_CANCELLED
    event_id = fields.UUID(required=True)
    title = fields.String(required=True)
    reason = fields.String(load_default="", dump_default="")


class RegistrationCreatedV1(Contract):
    NAME = EventNames.REGISTRATION_CREATED
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(REGISTRATION_STATUSES))
    waitlist_position = fields.Integer(strict=True, allow_none=True, load_default=None)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(r"^\+[1-9]\d{6,14}$"))
    email = fields.Email(allow_none=True, load_default=None)
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    kabupaten_code = fields.String(required=True)
    kecamatan_code = fields.String(allow_none=True, load_default=None)
    desa_code = fields.String(allow_none=True, load_default=None)
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    age_group = fields.String(required=True, validate=validate.OneOf(AGE_GROUPS))
    disability = fields.String(required=True, validate=validate.OneOf(DISABILITIES))
    participant_type = fields.String(required=True, validate=validate.OneOf(PARTICIPANT_TYPES))
    checkin_code = fields.String(required=True)
    #: Optional (added compatibly): the staff-only check-in page the QR code on the confirmation opens.
    checkin_url = fields.Url(require_tld=False, allow_none=True, load_default=None)
    #: The participant's cancel link: the short /k/<code> (fits an SMS; its code is a WhatsApp button's suffix), or
    #: the long signed link for registrations made before short links.
    cancel_url = fields.Url(required=True, require_tld=False)
    registered_at = _when(required=True)


class RegistrationPromotedV1(Contract):
    NAME = EventNames.REGISTRATION_PROMOTED
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    promoted_at = _when(required=True)


class RegistrationCancelledV1(Contract):
    NAME = EventNames.REGISTRATION_CANCELLED
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    was_confirmed = fields.Boolean(required=True)
    cancelled_at = _when(required=True)
    #: Optional (added compatibly): the cancellation is part of the person's erasure (registration.erased follows),
    #: so no cancellation notice is sent to them.
    erasure = fields.Boolean(load_default=False, dump_default=False)


class RegistrationConfirmationRequestedV1(Contract):
    """Someone registered again with a phone or email already registered: send the registration's confirmation
    once more to the contact stored with it (never to whoever asked). Registration paces these per registration."""

    NAME = EventNames.REGISTRATION_CONFIRMATION_REQUESTED
    registration_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    requested_at = _when(required=True)


class RegistrationAccessCodeRequestedV1(Contract):
    """A participant asked to see their data (the "Data saya" page): send this one-time code to the contact stored
    with the registration (never to whoever asked). Registration keeps only its hash, binds it to this registration,
    lets it work once and until `expires_at`."""

    NAME = EventNames.REGISTRATION_ACCESS_CODE_REQUESTED
    registration_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    requested_at = _when(required=True)
    expires_at = _when(required=True)


class RegistrationCorrectedV1(Contract):
    """A participant corrected their contact details or answers: the registration as it now is (the fields that
    cross the bus at registration.created; free text stays in registration)."""

    NAME = EventNames.REGISTRATION_CORRECTED
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(r"^\+[1-9]\d{6,14}$"))
    email = fields.Email(allow_none=True, load_default=None)
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    age_group = fields.String(required=True, validate=validate.OneOf(AGE_GROUPS))
    disability = fields.String(required=True, validate=validate.OneOf(DISABILITIES))
    corrected_at = _when(required=True)


class RegistrationErasedV1(Contract):
    """A participant had their registration erased (UU PDP): each service removes whatever names or reaches them and
    keeps only anonymous counts. Names nobody: ids only."""

    NAME = EventNames.REGISTRATION_ERASED
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    erased_at = _when(required=True)


class RegistrationConsentWithdrawnV1(Contract):
    """A participant withdrew an optional consent on their "Data saya" page. `statistics`: their disability answer is
    no longer counted (`disability` is what the statistics may now use: "prefer_not_to_say"). `messages`: no more
    reminders on `channel` (the channel the consent was given for); they fall back to email as after a STOP."""

    NAME = EventNames.REGISTRATION_CONSENT_WITHDRAWN
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(("statistics", "messages")))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    disability = fields.String(required=True, validate=validate.OneOf(DISABILITIES))
    withdrawn_at = _when(required=True)


class RegistrationRequestAnsweredV1(Contract):
    """Staff closed a participant's data request that needed a person (a name after check-in, an erasure during the
    event or after check-in, a request in their own words): tell the participant the outcome and staff's words."""

    NAME = EventNames.REGISTRATION_REQUEST_ANSWERED
    registration_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    request_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    kind = fields.String(required=True, validate=validate.OneOf(("name_correction", "erasure", "other")))
    outcome = fields.String(required=True, validate=validate.OneOf(("done", "refused")))
    answer = fields.String(load_default="", dump_default="", validate=validate.Length(max=1000))
    answered_at = _when(required=True)


class AttendanceCheckedInV1(Contract):
    NAME = EventNames.ATTENDANCE_CHECKED_IN
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    checked_in_at = _when(required=True)


class AttendanceCheckInUndoneV1(Contract):
    """A check-in taken back by staff soon after it was made (a slip at the door); `checked_in_at` names it."""

    NAME = EventNames.ATTENDANCE_CHECK_IN_UNDONE
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    checked_in_at = _when(required=True)
    undone_at = _when(required=True)


class CertificateIssuedV1(Contract):
    """A certificate was issued (version 1) or reissued with a corrected name (the same number, a higher version).

    Only what notifications needs to send it: the person's address and name are already known there. Reporting
    gets the pseudonym instead of the registration id, and neither link (routing.WITHHELD).
    """

    NAME = EventNames.CERTIFICATE_ISSUED
    certificate_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    issued_at = _when(required=True)
    #: The short link serving the PDF (/s/<code>); not sent to reporting.
    download_url = fields.Url(required=True, require_tld=False)
    #: The verification page the QR code opens; not sent to reporting.
    verify_url = fields.Url(required=True, require_tld=False)


class CertificateRevokedV1(Contract):
    NAME = EventNames.CERTIFICATE_REVOKED
    certificate_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    pseudonym = _pseudonym()
    event_id = fields.UUID(required=True)
    revoked_at = _when(required=True)


class NotificationDeliveredV1(Contract):
    NAME = EventNames.NOTIFICATION_DELIVERED
    notification_id = fields.UUID(required=True)
    registration_id = fields.UUID(allow_none=True, load_default=None)
    event_id = fields.UUID(allow_none=True, load_default=None)
    purpose = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    delivered_at = _when(required=True)


class NotificationFailedV1(Contract):
    NAME = EventNames.NOTIFICATION_FAILED
    notification_id = fields.UUID(required=True)
    registration_id = fields.UUID(allow_none=True, load_default=None)
    event_id = fields.UUID(allow_none=True, load_default=None)
    purpose = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    reason = fields.String(required=True)
    failed_at = _when(required=True)


class Attachment(Schema):
    class Meta:
        unknown = RAISE

    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    content_base64 = fields.String(required=True)


class ReportGeneratedV1(Contract):
    NAME = EventNames.REPORT_GENERATED
    report_id = fields.UUID(required=True)
    recipients = fields.List(fields.Email(), required=True, validate=validate.Length(min=1))
    subject = fields.String(required=True)
    body_text = fields.String(required=True)
    download_url = fields.Url(required=True, require_tld=False)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    attachments = fields.List(fields.Nested(Attachment), load_default=list)


class StaffChangedV1(Contract):
    """A staff account's state every service checks tokens against: older token versions and inactive accounts are
    refused. Sent at creation and on every sign-out, password change, disabling or enabling."""

    NAME = EventNames.STAFF_CHANGED
    staff_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    token_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    active = fields.Boolean(required=True)


class StaffInvitedV1(Contract):
    """An invitation to set a password, mailed to the new staff member (the link works once, until `expires_at`)."""

    NAME = EventNames.STAFF_INVITED
    invitation_id = fields.UUID(required=True)
    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    link = fields.Url(required=True, require_tld=False)
    expires_at = _when(required=True)
    locale = fields.String(load_default="id", dump_default="id", validate=validate.OneOf(LOCALES))


#: What a participant's reply to a reminder means: "yes" (will attend) or "no" (cancel, as the cancel link does).
REPLY_INTENTS = ("yes", "no")


class ReplyReceivedV1(Contract):
    """A participant answered a reminder by SMS or WhatsApp, and notifications knew which registration it was for.

    `message_id` is the provider's id of the inbound message ("twilio:SM…", "whatsapp_cloud:wamid…"): the same
    webhook delivered twice carries the same id, so it has one effect.
    """

    NAME = EventNames.REPLY_RECEIVED
    registration_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    intent = fields.String(required=True, validate=validate.OneOf(REPLY_INTENTS))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    message_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    received_at = _when(required=True)


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
