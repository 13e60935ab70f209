"""HTTP schemas of the reporting service."""

from marshmallow import Schema, fields

from shared.timeutil import LocalDateTime


class SummaryQuerySchema(Schema):
    """Scope of the figures: a kabupaten/kota, one event, and/or a period of event start times (WITA)."""

    kabupaten_code = fields.String()
    event_id = fields.String()
    starts_from = LocalDateTime()
    starts_before = LocalDateTime()


class SummarySchema(Schema):
    events = fields.Integer()
    registrations = fields.Integer(metadata={"description": "Confirmed and waitlisted (not cancelled)"})
    confirmed = fields.Integer()
    waitlisted = fields.Integer()
    cancelled = fields.Integer()
    attended = fields.Integer()
