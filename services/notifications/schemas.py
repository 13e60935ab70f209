"""HTTP schemas of the notifications service."""

import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from services.notifications.content.announcing import SUBJECT_MAX, TEXT_MAX
from services.notifications.models import STATUSES
from services.notifications.sending.phones import BadNumber, to_e164
from services.notifications.states import Audience
from shared.messaging.vocabulary import CHANNELS
from shared.timeutil import LocalDateTime


class NotificationQuerySchema(Schema):
    """Filters of the message log."""

    event_id = fields.String(validate=validate.Length(max=36))
    registration_id = fields.String(validate=validate.Length(max=36))
    #: "held" selects pending messages waiting for the next day's budget (the daily cap).
    status = fields.String(validate=validate.OneOf((*STATUSES, "held")))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    purpose = fields.String(validate=validate.Length(max=30))
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "A name, phone number (as typed), email address or check-in code"},
    )


class LogFilterSchema(NotificationQuerySchema):
    """The log page's filters: a value that does not fit (an edited address) is dropped, not an error."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(validate=validate.Range(min=1, max=10_000))

    def load_lenient(self, args) -> dict:
        values = {key: value.strip() for key, value in args.items() if isinstance(value, str) and value.strip()}
        try:
            return self.load(values)
        except ValidationError as error:
            return self.load({key: value for key, value in values.items() if key not in error.messages})


def search_terms(q: str) -> list[str]:
    """What a search matches: the text as typed and, for a phone number, its stored form (+62...)."""
    q = q.strip()
    if not q:
        return []
    terms = [q]
    compact = re.sub(r"[\s\-().]", "", q)
    if re.fullmatch(r"\+?\d{6,15}", compact):
        try:
            terms.append(to_e164(compact))
        except BadNumber:
            terms.append(compact)
    return terms


class NotificationSchema(Schema):
    """One outgoing message as staff see it in the log."""

    id = fields.String()
    registration_id = fields.String(allow_none=True)
    event_id = fields.String(allow_none=True)
    purpose = fields.String()
    channel = fields.String()
    to = fields.String()
    subject = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    created_at = LocalDateTime()
    due_at = LocalDateTime()
    sent_at = LocalDateTime(allow_none=True)
    delivered_at = LocalDateTime(allow_none=True)
    provider = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    possible_duplicate = fields.Boolean()
    fallback_of = fields.String(allow_none=True)
    resent_at = LocalDateTime(allow_none=True)
    resent_by = fields.String(allow_none=True)
    hold_reason = fields.String(allow_none=True, metadata={"description": "daily_cap: waits for tomorrow's budget"})


class ResendSchema(Schema):
    attempts = fields.Integer(
        load_default=None,
        metadata={"description": "The attempts count you saw; a resend of a message that changed since is refused"},
    )


class ResendResultSchema(Schema):
    resent = fields.Boolean()
    notification = fields.Nested(NotificationSchema)


class DeliverySummarySchema(Schema):
    event_id = fields.String()
    title = fields.String()
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_channel = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))


class AnnouncementFormSchema(Schema):
    """An organiser's announcement as the form sends it: whom it goes to, its subject and text, within limits that
    fit an email subject and WhatsApp's template body."""

    class Meta:
        unknown = EXCLUDE

    audience = fields.String(required=True, validate=validate.OneOf(tuple(Audience)))
    subject = fields.String(required=True, validate=validate.Length(min=3, max=SUBJECT_MAX))
    text = fields.String(required=True, validate=validate.Length(min=3, max=TEXT_MAX))

    @staticmethod
    def cleaned(form) -> dict:
        """The form's values trimmed, the text's line ends made one kind (a browser sends CRLF)."""
        values = {key: form.get(key, "") for key in ("audience", "subject", "text")}
        values["subject"] = " ".join(values["subject"].split())
        values["text"] = "\n".join(line.rstrip() for line in values["text"].strip().splitlines())
        return values
