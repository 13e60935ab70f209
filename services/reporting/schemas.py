"""HTTP schemas of the reporting service."""

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from services.reporting.figures import BREAKDOWNS
from services.reporting.impact import IMPACT_BREAKDOWNS
from shared.regions import kabupaten
from shared.timeutil import LocalDateTime

KABUPATEN_CODES = tuple(area.code for area in kabupaten())
TABLES = ("summary", "impact", *BREAKDOWNS, *(f"impact_{name}" for name in IMPACT_BREAKDOWNS), "channel", "events")


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
    certificates = fields.Integer(metadata={"description": "Certificates issued and not revoked"})


DATE_ERRORS = {"invalid": _l("Isi tanggal dengan format tahun-bulan-hari, misalnya 2026-03-09.")}


class ReportQuerySchema(Schema):
    """A period of event start dates (WITA, both inclusive) and optionally one kabupaten/kota."""

    class Meta:
        unknown = EXCLUDE  # other query parameters (a tracking tag, a typo) are ignored, not refused in English

    start = fields.Date(data_key="mulai", load_default=None, error_messages=DATE_ERRORS)
    end = fields.Date(data_key="sampai", load_default=None, error_messages=DATE_ERRORS)
    kabupaten_code = fields.String(data_key="kabupaten", load_default=None)
    lang = fields.String(load_default=None)

    @validates_schema
    def check_period(self, data: dict, **kwargs) -> None:
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError([_l("Tanggal awal harus sebelum tanggal akhir.")], "sampai")
        if data.get("kabupaten_code") and data["kabupaten_code"] not in KABUPATEN_CODES:
            raise ValidationError([_l("Pilih kabupaten/kota dari daftar.")], "kabupaten")


class ExportQuerySchema(ReportQuerySchema):
    table = fields.String(
        load_default="events", validate=validate.OneOf(TABLES, error=_l("Pilih tabel dari daftar unduhan."))
    )


class EmailList(fields.Field):
    """Email addresses, from a list (API) or text separated by commas or new lines (form)."""

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        items = value if isinstance(value, list) else str(value).replace("\n", ",").split(",")
        emails = [str(item).strip() for item in items if str(item).strip()]
        if not emails:
            raise ValidationError(_l("Isi paling sedikit satu alamat email penerima."))
        check = validate.Email(error=_l("Alamat email tidak valid: {input}"))
        for email in emails:
            check(email)
        return emails

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])


class ScheduleFormSchema(Schema):
    """A new recurring report: weekly or monthly, for the province or one kabupaten/kota, and its recipients."""

    class Meta:
        unknown = EXCLUDE  # the form also carries its CSRF token

    kind = fields.String(
        required=True, validate=validate.OneOf(("weekly", "monthly"), error=_l("Pilih mingguan atau bulanan."))
    )
    kabupaten_code = fields.String(data_key="kabupaten", load_default=None, allow_none=True)
    recipients = EmailList(
        required=True, error_messages={"required": _l("Isi paling sedikit satu alamat email penerima.")}
    )
    locale = fields.String(load_default="id", validate=validate.OneOf(("id", "en")))

    @validates_schema
    def check_area(self, data: dict, **kwargs) -> None:
        if data.get("kabupaten_code") and data["kabupaten_code"] not in KABUPATEN_CODES:
            raise ValidationError([_l("Pilih kabupaten/kota dari daftar.")], "kabupaten")


class RecipientsFormSchema(Schema):
    """The recipients of one schedule, one address per line (or separated by commas)."""

    class Meta:
        unknown = EXCLUDE

    recipients = EmailList(
        required=True, error_messages={"required": _l("Isi paling sedikit satu alamat email penerima.")}
    )


class SendNowFormSchema(Schema):
    """Which report to send now: the current period so far, or the last finished period."""

    class Meta:
        unknown = EXCLUDE

    period = fields.String(
        data_key="periode",
        load_default="current",
        validate=validate.OneOf(("current", "last"), error=_l("Pilih periode berjalan atau periode terakhir.")),
    )


class ScheduleSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    kabupaten_code = fields.String(data_key="kabupaten", allow_none=True)
    recipients = EmailList()
    locale = fields.String()
    active = fields.Boolean()
    failures_in_a_row = fields.Integer()
    paused_reason = fields.String(allow_none=True)


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Each field's messages as a list of text: a lazily translated message comes alone, not in a list, and a page
    would otherwise list it letter by letter."""
    return {
        field: [str(message) for message in (messages if isinstance(messages, list) else [messages])]
        for field, messages in error.messages.items()
    }
