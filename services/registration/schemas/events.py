"""HTTP schemas of an event: what staff send to create or edit one (API and form), and what the API returns."""

from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from services.registration.links import poster_url
from services.registration.schemas import KABUPATEN_CODES, HttpsUrlField, PhoneField, when_field
from shared.text import MultiLineText, SingleLineText
from shared.timeutil import LocalDateTime

TITLE_LENGTH = _l("Isi judul acara (3 sampai 200 huruf).")


VENUE_LENGTH = _l("Isi tempat acara (3 sampai 300 huruf).")


DESCRIPTION_MAX, NOTES_MAX = 10_000, 2_000


def jp_hours_field(**kwargs) -> fields.Integer:
    """The training's hours (jam pelajaran) printed on its certificates."""
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=200, error=_l("Isi jam pelajaran (JP) dari 1 sampai 200.")),
        metadata={"description": "Hours (JP) printed on the certificates"},
        **kwargs,
    )


def nip_field(**kwargs) -> fields.String:
    """A civil servant's number (NIP): 18 digits, or empty for a signatory without one."""
    return fields.String(
        validate=validate.Regexp(r"^(\d{18})?$", error=_l("NIP terdiri atas 18 angka (atau kosongkan).")),
        metadata={"description": "The signatory's NIP (18 digits), or empty"},
        **kwargs,
    )


class EventCreateSchema(Schema):
    """What staff give to create an event; times without an offset are WITA."""

    title = SingleLineText(required=True, min_length=3, max_length=200, length_error=TITLE_LENGTH)
    description = MultiLineText(load_default="", max_length=DESCRIPTION_MAX)
    speakers = MultiLineText(load_default="", max_length=NOTES_MAX)
    target_audience = MultiLineText(load_default="", max_length=NOTES_MAX)
    kabupaten_code = fields.String(required=True, validate=validate.OneOf(KABUPATEN_CODES))
    venue = SingleLineText(required=True, min_length=3, max_length=300, length_error=VENUE_LENGTH)
    starts_at = when_field(required=True)
    ends_at = when_field(required=True)
    registration_opens_at = when_field(load_default=None, allow_none=True)
    registration_closes_at = when_field(load_default=None, allow_none=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100_000))
    waitlist_enabled = fields.Boolean(load_default=True)
    reminder_offsets = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=60 * 24 * 60)), load_default=None
    )
    publish = fields.Boolean(load_default=False, metadata={"description": "Publish at once instead of saving a draft"})
    map_url = HttpsUrlField(load_default="", validate=validate.Length(max=500))
    contact_name = SingleLineText(load_default="", max_length=200)
    contact_whatsapp = PhoneField(load_default=None, allow_none=True, metadata={"description": "WhatsApp number"})
    jp_hours = jp_hours_field(load_default=None)
    signatory_name = SingleLineText(load_default="", max_length=200)
    signatory_title = SingleLineText(load_default="", max_length=200)
    signatory_nip = nip_field(load_default="")

    @validates_schema
    def times_in_order(self, data: dict, **kwargs) -> None:
        if data["ends_at"] <= data["starts_at"]:
            raise ValidationError("Waktu selesai harus setelah waktu mulai.", "ends_at")
        closes = data.get("registration_closes_at")
        if closes and closes > data["ends_at"]:
            raise ValidationError("Pendaftaran harus ditutup sebelum acara selesai.", "registration_closes_at")

    @validates_schema
    def contact_complete(self, data: dict, **kwargs) -> None:
        check_contact(data)


def check_contact(data: dict) -> None:
    """A contact person is shown with their WhatsApp number: one without the other is half a contact."""
    if data.get("contact_name") and not data.get("contact_whatsapp"):
        raise ValidationError(_l("Isi nomor WhatsApp narahubung."), "contact_whatsapp")
    if data.get("contact_whatsapp") and not data.get("contact_name"):
        raise ValidationError(_l("Isi nama narahubung."), "contact_name")


class EventUpdateSchema(Schema):
    """What staff may change on an event; every field is optional, times without an offset are WITA."""

    title = SingleLineText(min_length=3, max_length=200, length_error=TITLE_LENGTH)
    description = MultiLineText(max_length=DESCRIPTION_MAX)
    speakers = MultiLineText(max_length=NOTES_MAX)
    target_audience = MultiLineText(max_length=NOTES_MAX)
    kabupaten_code = fields.String(validate=validate.OneOf(KABUPATEN_CODES))
    venue = SingleLineText(min_length=3, max_length=300, length_error=VENUE_LENGTH)
    starts_at = when_field()
    ends_at = when_field()
    registration_opens_at = when_field(allow_none=True)
    registration_closes_at = when_field(allow_none=True)
    capacity = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    waitlist_enabled = fields.Boolean()
    reminder_offsets = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=60 * 24 * 60)))
    map_url = HttpsUrlField(validate=validate.Length(max=500))
    contact_name = SingleLineText(max_length=200)
    contact_whatsapp = PhoneField(allow_none=True, metadata={"description": "WhatsApp number"})
    jp_hours = jp_hours_field()
    signatory_name = SingleLineText(max_length=200)
    signatory_title = SingleLineText(max_length=200)
    signatory_nip = nip_field()

    @validates_schema
    def times_in_order(self, data: dict, **kwargs) -> None:
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("Waktu selesai harus setelah waktu mulai.", "ends_at")


class PosterUploadSchema(Schema):
    """A poster sent as multipart/form-data: JPEG, PNG or WebP, at most 5 MB."""

    poster = Upload(required=True)


class EventCancelSchema(Schema):
    reason = MultiLineText(load_default="", max_length=500)


class EventSchema(Schema):
    """An event as the API returns it (times in WITA)."""

    id = fields.String()
    title = fields.String()
    description = fields.String()
    speakers = fields.String()
    target_audience = fields.String()
    kabupaten_code = fields.String()
    kabupaten_name = fields.Function(lambda event: event.kabupaten.name if event.kabupaten else None)
    venue = fields.String()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    registration_opens_at = LocalDateTime(allow_none=True)
    registration_closes_at = LocalDateTime(allow_none=True)
    capacity = fields.Integer()
    seats_left = fields.Integer()
    waitlist_enabled = fields.Boolean()
    status = fields.String()
    reminder_offsets = fields.List(fields.Integer())
    map_url = fields.String()
    contact_name = fields.String()
    contact_whatsapp = fields.String(allow_none=True)
    jp_hours = fields.Integer(allow_none=True)
    signatory_name = fields.String()
    signatory_title = fields.String()
    signatory_nip = fields.String()
    poster_url = fields.Function(
        poster_url, allow_none=True, metadata={"description": "Absolute; null without a poster"}
    )


class PublicEventSchema(EventSchema):
    """An event as anyone may read it: the signatory's NIP (a civil servant's number) is for staff only."""

    class Meta:
        exclude = ("signatory_nip",)


class EventFormSchema(EventCreateSchema):
    """The organisers' event form: datetime-local fields in WITA, reminders as hours before, blanks mean unset."""

    @pre_load
    def from_form(self, data, **kwargs) -> dict:
        return clean_event_form(data)


def clean_event_form(data) -> dict:
    """Turn the event form's strings into API values (blank is unset; reminders in hours become minutes)."""
    cleaned = {key: value.strip() for key, value in data.items() if isinstance(value, str) and value.strip() != ""}
    for key in ("csrf_token", "remove_poster", "remove_signature"):  # files (poster, signature): read by the view
        cleaned.pop(key, None)
    cleaned["waitlist_enabled"] = cleaned.get("waitlist_enabled") in ("ya", "on")
    cleaned["publish"] = "publish" in cleaned
    for key in ("capacity", "jp_hours"):
        if key in cleaned and cleaned[key].isdigit() and len(cleaned[key]) <= 9:
            cleaned[key] = int(cleaned[key])
    if "reminder_hours" in cleaned:
        hours = [part.strip() for part in cleaned.pop("reminder_hours").replace(";", ",").split(",")]
        cleaned["reminder_offsets"] = [int(float(h) * 60) if _number(h) else h for h in hours if h]
    return cleaned


def _number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


class EventEditFormSchema(EventUpdateSchema):
    """The organisers' edit form (every field present, so it is a full update)."""

    @pre_load
    def from_form(self, data, **kwargs) -> dict:
        cleaned = clean_event_form(data)
        cleaned.pop("publish", None)
        for key in ("registration_opens_at", "registration_closes_at", "contact_whatsapp", "jp_hours"):
            cleaned.setdefault(key, None)
        for key in (
            "map_url",
            "contact_name",
            "signatory_name",
            "signatory_title",
            "signatory_nip",
        ):  # emptied on the form: removed from the event
            cleaned.setdefault(key, "")
        return cleaned

    @validates_schema
    def contact_complete(self, data: dict, **kwargs) -> None:
        check_contact(data)
