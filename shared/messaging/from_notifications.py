"""Contracts of the messages notifications sends: a message's delivery or failure, and a participant's reply."""

from marshmallow import fields, validate

from shared.messaging.names import EventNames
from shared.messaging.vocabulary import CHANNELS, REPLY_INTENTS, Contract, when_field


class NotificationDeliveredV1(Contract):
    NAME = EventNames.NOTIFICATION_DELIVERED
    notification_id = fields.UUID(required=True)
    registration_id = fields.UUID(allow_none=True, load_default=None)
    event_id = fields.UUID(allow_none=True, load_default=None)
    purpose = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    delivered_at = when_field(required=True)


class NotificationFailedV1(Contract):
    NAME = EventNames.NOTIFICATION_FAILED
    notification_id = fields.UUID(required=True)
    registration_id = fields.UUID(allow_none=True, load_default=None)
    event_id = fields.UUID(allow_none=True, load_default=None)
    purpose = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    reason = fields.String(required=True)
    failed_at = when_field(required=True)


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
    received_at = when_field(required=True)
