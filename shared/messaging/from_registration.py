"""Contracts of the messages registration sends: event.*, registration.*, attendance.*, certificate.* and staff.*."""

from marshmallow import fields, validate

from shared.messaging.names import EventNames
from shared.messaging.vocabulary import (
    AGE_GROUPS,
    CHANNELS,
    DISABILITIES,
    GENDERS,
    LOCALES,
    PARTICIPANT_TYPES,
    REGISTRATION_STATUSES,
    Contract,
    pseudonym_field,
    when_field,
)


class EventSnapshot(Contract):
    """What consumers need to know about a training event (event-carried state)."""

    event_id = fields.UUID(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kabupaten_code = fields.String(required=True, validate=validate.Length(min=5, max=5))
    kabupaten_name = fields.String(required=True)
    venue = fields.String(required=True)
    starts_at = when_field(required=True)
    ends_at = when_field(required=True)
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
    pseudonym = pseudonym_field()
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
    registered_at = when_field(required=True)
    #: Optional (added compatibly): the name of the one who registered the person and whose phone or email the
    #: messages go to, the person having none of their own; the messages then say whom they are for.
    contact_name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))


class RegistrationPromotedV1(Contract):
    NAME = EventNames.REGISTRATION_PROMOTED
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    promoted_at = when_field(required=True)


class RegistrationCancelledV1(Contract):
    NAME = EventNames.REGISTRATION_CANCELLED
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    was_confirmed = fields.Boolean(required=True)
    cancelled_at = when_field(required=True)
    #: Optional (added compatibly): the cancellation is part of the person's erasure (registration.erased follows),
    #: so no cancellation notice is sent to them.
    erasure = fields.Boolean(load_default=False, dump_default=False)


class RegistrationConfirmationRequestedV1(Contract):
    """Someone registered again with a phone or email already registered: send the registration's confirmation
    once more to the contact stored with it (never to whoever asked). Registration paces these per registration."""

    NAME = EventNames.REGISTRATION_CONFIRMATION_REQUESTED
    registration_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    requested_at = when_field(required=True)


class RegistrationAccessCodeRequestedV1(Contract):
    """A participant asked to see their data (the "Data saya" page): send this one-time code to the contact stored
    with the registration (never to whoever asked). Registration keeps only its hash, binds it to this registration,
    lets it work once and until `expires_at`."""

    NAME = EventNames.REGISTRATION_ACCESS_CODE_REQUESTED
    registration_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    requested_at = when_field(required=True)
    expires_at = when_field(required=True)


class RegistrationCorrectedV1(Contract):
    """A participant corrected their contact details or answers: the registration as it now is (the fields that
    cross the bus at registration.created; free text stays in registration)."""

    NAME = EventNames.REGISTRATION_CORRECTED
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(r"^\+[1-9]\d{6,14}$"))
    email = fields.Email(allow_none=True, load_default=None)
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    age_group = fields.String(required=True, validate=validate.OneOf(AGE_GROUPS))
    disability = fields.String(required=True, validate=validate.OneOf(DISABILITIES))
    corrected_at = when_field(required=True)
    #: Optional (added compatibly), as at registration.created: the registrant's name while the contact is theirs;
    #: None once the person has given a contact of their own. Absent (older producers): unchanged.
    contact_name = fields.String(allow_none=True, validate=validate.Length(max=200))


class RegistrationErasedV1(Contract):
    """A participant had their registration erased (UU PDP): each service removes whatever names or reaches them and
    keeps only anonymous counts. Names nobody: ids only."""

    NAME = EventNames.REGISTRATION_ERASED
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    erased_at = when_field(required=True)


class RegistrationConsentWithdrawnV1(Contract):
    """A participant withdrew an optional consent on their "Data saya" page. `statistics`: their disability answer is
    no longer counted (`disability` is what the statistics may now use: "prefer_not_to_say"). `messages`: no more
    reminders on `channel` (the channel the consent was given for); they fall back to email as after a STOP."""

    NAME = EventNames.REGISTRATION_CONSENT_WITHDRAWN
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(("statistics", "messages")))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    disability = fields.String(required=True, validate=validate.OneOf(DISABILITIES))
    withdrawn_at = when_field(required=True)


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
    answered_at = when_field(required=True)


class AttendanceCheckedInV1(Contract):
    NAME = EventNames.ATTENDANCE_CHECKED_IN
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    checked_in_at = when_field(required=True)


class AttendanceCheckInUndoneV1(Contract):
    """A check-in taken back by staff soon after it was made (a slip at the door); `checked_in_at` names it."""

    NAME = EventNames.ATTENDANCE_CHECK_IN_UNDONE
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    checked_in_at = when_field(required=True)
    undone_at = when_field(required=True)


class CertificateIssuedV1(Contract):
    """A certificate was issued (version 1) or reissued with a corrected name (the same number, a higher version).

    Only what notifications needs to send it: the person's address and name are already known there. Reporting
    gets the pseudonym instead of the registration id, and neither link (routing.WITHHELD).
    """

    NAME = EventNames.CERTIFICATE_ISSUED
    certificate_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    issued_at = when_field(required=True)
    #: The short link serving the PDF (/s/<code>); not sent to reporting.
    download_url = fields.Url(required=True, require_tld=False)
    #: The verification page the QR code opens; not sent to reporting.
    verify_url = fields.Url(required=True, require_tld=False)


class CertificateRevokedV1(Contract):
    NAME = EventNames.CERTIFICATE_REVOKED
    certificate_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    revoked_at = when_field(required=True)


class EvaluationRequestedV1(Contract):
    """A training ended and this attendee is asked for their evaluation: send them the form's short link by their
    channel. Registration makes one request per attendee and event, however often its job runs."""

    NAME = EventNames.EVALUATION_REQUESTED
    registration_id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    #: The form's short link (/e/<code>): no account, works once per participant.
    evaluation_url = fields.Url(required=True, require_tld=False)
    requested_at = when_field(required=True)


class EvaluationSubmittedV1(Contract):
    """An attendee answered the evaluation (once; a second answer changes nothing). Scores only: the free text may
    name people and stays in registration. Reporting gets it under the registration's pseudonym.

    `pre_score`/`post_score`: how many of the event's `questions` knowledge-test questions the person answered
    right before (on the registration form) and after (on this form); None when not asked or not answered."""

    NAME = EventNames.EVALUATION_SUBMITTED
    registration_id = fields.UUID(required=True)
    pseudonym = pseudonym_field()
    event_id = fields.UUID(required=True)
    material = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    trainer = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    venue = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    questions = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=50))
    pre_score = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=0, max=50))
    post_score = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=0, max=50))
    submitted_at = when_field(required=True)


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
    expires_at = when_field(required=True)
    locale = fields.String(load_default="id", dump_default="id", validate=validate.OneOf(LOCALES))
