"""HTTP schemas of the notifications service."""

from marshmallow import Schema, fields, validate

from shared.messaging.contracts import CHANNELS
from shared.timeutil import LocalDateTime


class NotificationQuerySchema(Schema):
    """Filters of the message log."""

    event_id = fields.String()
    registration_id = fields.String()
    status = fields.String(validate=validate.OneOf(("pending", "sending", "sent", "delivered", "failed", "cancelled")))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    purpose = fields.String()


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
    due_at = LocalDateTime()
    sent_at = LocalDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    possible_duplicate = fields.Boolean()
