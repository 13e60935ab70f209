"""What every message contract shares: the values a field may take (channels, genders, age groups, ...), the strict
base of a payload schema, and the envelope."""

from typing import ClassVar

from marshmallow import RAISE, Schema, fields, validate

from shared.messaging.names import QueueNames
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


def pseudonym_field() -> fields.String:
    """The registration's pseudonym for reporting (routing.PSEUDONYMISED): 32 hex digits of a keyed HMAC."""
    return fields.String(load_default=None, validate=validate.Regexp(r"^[0-9a-f]{32}$"))


def when_field(**kwargs) -> fields.AwareDateTime:
    return fields.AwareDateTime(format="iso", **kwargs)


class Envelope(Schema):
    """What travels on the queue: `{id, type, version, occurred_at, source, correlation_id, payload}`."""

    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=3, max=100))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = when_field(required=True)
    source = fields.String(required=True, validate=validate.OneOf(QueueNames.all()))
    correlation_id = fields.UUID(required=True)
    payload = fields.Dict(keys=fields.String(), required=True)


#: What a participant's reply to a reminder means: "yes" (will attend) or "no" (cancel, as the cancel link does).
REPLY_INTENTS = ("yes", "no")
