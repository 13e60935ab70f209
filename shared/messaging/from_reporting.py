"""Contracts of the messages reporting sends: a report to mail, with its attachments."""

from marshmallow import RAISE, Schema, fields, validate

from shared.messaging.names import EventNames
from shared.messaging.vocabulary import Contract


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
