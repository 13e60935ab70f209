"""HTTP schemas of the registration service: what the API and the form accept and return."""

from datetime import UTC, datetime

import email_validator
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates, validates_schema

from services.registration import notices
from services.registration.links import poster_url
from shared import phones
from shared.messaging.contracts import AGE_GROUPS, CHANNELS, DISABILITIES, GENDERS, LOCALES, PARTICIPANT_TYPES
from shared.regions import all_areas, is_child
from shared.states import Channel, RegistrationStatus
from shared.text import MultiLineText, SingleLineText
from shared.timeutil import LocalDateTime

#: Event times outside this range are typing mistakes (and old dates have no proper WITA offset).
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _when(**kwargs) -> LocalDateTime:
    message = _l("Isi tanggal dan jam yang masuk akal (tahun 2000–2099).")
    return LocalDateTime(validate=validate.Range(min=EARLIEST, max=LATEST, error=message), **kwargs)


KABUPATEN_CODES = [code for code, area in all_areas().items() if area.level == "kabupaten_kota"]


def normalise_phone(value: str) -> str:
    """Return a phone number typed any usual way (0812-…, +62 812…, 62812…) as E.164 (shared.phones' rule)."""
    try:
        return phones.normalise(value)
    except phones.BadNumber as error:
        raise ValidationError(_l("Nomor HP tidak valid. Tulis seperti 0812-3456-7890.")) from error


def check_textable(phone: str) -> None:
    """Refuse a number SMS and WhatsApp cannot reach: a landline, or a region texts may not go to."""
    allowed = current_app.config["ALLOWED_PHONE_REGIONS"] if has_app_context() else phones.DEFAULT_REGIONS
    try:
        phones.mobile(phone, allowed)
    except phones.BadNumber as error:
        raise ValidationError(FOREIGN if error.kind == "region" else LANDLINE, "phone") from error


LANDLINE = _l("Ini nomor telepon rumah/kantor. SMS dan WhatsApp perlu nomor HP, seperti 0812-3456-7890.")
FOREIGN = _l("SMS dan WhatsApp hanya dikirim ke nomor HP Indonesia. Isi nomor HP Indonesia, atau pilih email.")


def normalise_email(value: str) -> str:
    """Return the normalised address; no DNS lookup (ownership is proven by the confirmation mail)."""
    try:
        return email_validator.validate_email(value, check_deliverability=False).normalized
    except email_validator.EmailNotValidError as error:
        raise ValidationError(_l("Alamat email tidak valid. Tulis seperti nama@contoh.id.")) from error


class PhoneField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return normalise_phone(super()._deserialize(value, attr, data, **kwargs))


class EmailField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return normalise_email(super()._deserialize(value, attr, data, **kwargs))


class HttpsUrlField(fields.String):
    """An https:// address with a host (a map link); blank means none. Other schemes (http, javascript:) refused."""

    MESSAGE = _l("Tulis alamat lengkap yang diawali https://, misalnya tautan Google Maps atau OpenStreetMap.")

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if value:
            validate.URL(schemes={"https"}, require_tld=True, error=str(self.MESSAGE))(value)
        return value


TRAINING_CONSENT = _l("Centang persetujuan pemrosesan data pribadi untuk pelatihan agar dapat mendaftar.")
MESSAGES_CONSENT = _l("Centang persetujuan menerima pesan lewat saluran yang Anda pilih agar dapat mendaftar.")
MISSING_CONSENTS = _l("Kirim persetujuan pelatihan dan pesan (consents) bersama versi pemberitahuan privasi.")
UNKNOWN_NOTICE = _l("Versi pemberitahuan privasi tidak dikenal. Tampilkan pemberitahuan terbaru (lihat /privasi).")


def known_notice(version: str) -> None:
    """A notice version the service has, looked up at each load (a new notice is known as soon as it is added)."""
    if version not in notices.NOTICES:
        raise ValidationError(UNKNOWN_NOTICE)


class ConsentsSchema(Schema):
    """The consents one gives, each a separate box: only `statistics` may be left out."""

    training = fields.Boolean(load_default=False, metadata={"description": "Processing for the training (required)"})
    messages = fields.Boolean(load_default=False, metadata={"description": "Messages by the chosen channel (required)"})
    statistics = fields.Boolean(
        load_default=False, metadata={"description": "Disability answer counted in the statistics (optional)"}
    )


def _choice(choices, message) -> dict:
    """A required choice among `choices`, with one message in the user's language for missing and wrong."""
    return {
        "required": True,
        "validate": validate.OneOf(choices, error=message),
        "error_messages": {"required": message, "null": message, "invalid": message},
    }


class RegistrationCreateSchema(Schema):
    """What a participant gives to register (the API body; the HTML form adds a few rules, see below)."""

    full_name = SingleLineText(
        required=True,
        min_length=2,
        max_length=200,
        length_error=_l("Isi nama lengkap (2 sampai 200 huruf)."),
        error_messages={"required": _l("Isi nama lengkap Anda."), "null": _l("Isi nama lengkap Anda.")},
    )
    phone = PhoneField(load_default=None, allow_none=True)
    email = EmailField(load_default=None, allow_none=True)
    kabupaten_code = fields.String(**_choice(KABUPATEN_CODES, _l("Pilih kabupaten/kota tempat Anda tinggal.")))
    kecamatan_code = fields.String(load_default=None, allow_none=True)
    desa_code = fields.String(load_default=None, allow_none=True)
    gender = fields.String(**_choice(GENDERS, _l("Pilih jenis kelamin.")))
    age_group = fields.String(**_choice(AGE_GROUPS, _l("Pilih kelompok umur.")))
    disability = fields.String(**_choice(DISABILITIES, _l("Pilih salah satu, termasuk \u201ctidak ada\u201d.")))
    accessibility_needs = MultiLineText(load_default="", max_length=1000, length_error=_l("Paling banyak 1000 huruf."))
    participant_type = fields.String(**_choice(PARTICIPANT_TYPES, _l("Pilih jenis peserta.")))
    institution = SingleLineText(load_default="", max_length=200, length_error=_l("Paling banyak 200 huruf."))
    preferred_channel = fields.String(**_choice(CHANNELS, _l("Pilih cara kami menghubungi Anda.")))
    locale = fields.String(load_default="id", validate=validate.OneOf(LOCALES))
    consents = fields.Nested(
        "ConsentsSchema",
        load_default=None,
        metadata={"description": "The consents given: training and messages are required, statistics optional"},
    )
    notice_version = fields.String(
        load_default=None,
        validate=known_notice,
        metadata={"description": "The privacy notice version shown (see /privasi); required with `consents`"},
    )
    consent = fields.Boolean(
        load_default=None,
        metadata={"description": "Deprecated: `true` reads as training and messages under the legacy notice"},
    )

    def consent_errors(self, missing: dict) -> ValidationError:
        """The errors of missing required consents ({purpose: message}), where the API shows them (the form names
        its own boxes)."""
        return ValidationError({"consents": {purpose: [message] for purpose, message in missing.items()}})

    @validates_schema(skip_on_field_errors=False)  # said with the other mistakes, not after they are fixed
    def consents_given(self, data: dict, **kwargs) -> None:
        """The required consents are given, each under a known notice version."""
        if data.get("consents") is None:
            if data.get("consent") is None:
                raise ValidationError(MISSING_CONSENTS, "consents")
            if not data["consent"]:
                raise ValidationError(TRAINING_CONSENT, "consent")
            return
        if not data.get("notice_version"):
            raise ValidationError(UNKNOWN_NOTICE, "notice_version")
        required = {"training": TRAINING_CONSENT, "messages": MESSAGES_CONSENT}
        if missing := {purpose: text for purpose, text in required.items() if not data["consents"].get(purpose)}:
            raise self.consent_errors(missing)

    @post_load
    def consents_as_given(self, data: dict, **kwargs) -> dict:
        """One shape for the rest: `consents` as {purpose: True} for those given, and the notice version."""
        legacy = data.pop("consent", None)
        if data.get("consents") is None and legacy:  # an older API client: its one box was the bundled notice
            data["consents"], data["notice_version"] = {"training": True, "messages": True}, notices.LEGACY.version
        data["consents"] = {purpose: True for purpose, given in data["consents"].items() if given}
        return data

    @validates_schema
    def reachable_and_consistent(self, data: dict, **kwargs) -> None:
        if not data.get("phone") and not data.get("email"):
            raise ValidationError(_l("Isi nomor HP atau email (salah satu wajib)."), "phone")
        if data.get("preferred_channel") == Channel.EMAIL and not data.get("email"):
            raise ValidationError(_l("Untuk pesan lewat email, isi alamat email."), "preferred_channel")
        if data.get("preferred_channel") in (Channel.SMS, Channel.WHATSAPP):
            if not data.get("phone"):
                raise ValidationError(_l("Untuk pesan lewat SMS atau WhatsApp, isi nomor HP."), "preferred_channel")
            check_textable(data["phone"])
        kabupaten = data.get("kabupaten_code")
        if data.get("kecamatan_code") and kabupaten and not is_child(data["kecamatan_code"], kabupaten):
            raise ValidationError(_l("Kecamatan ini tidak ada di kabupaten/kota yang dipilih."), "kecamatan_code")
        if data.get("desa_code") and not is_child(data["desa_code"], data.get("kecamatan_code") or ""):
            raise ValidationError(_l("Desa/kelurahan ini tidak ada di kecamatan yang dipilih."), "desa_code")


#: What a ticked box sends.
TICKED = ("ya", "on", "true", "1")

#: The form's own fields, checked by the view before the schema (CSRF, the render time) or a refresh button.
FORM_ONLY = ("csrf_token", "refresh", "rendered_at")


class RegistrationFormSchema(RegistrationCreateSchema):
    """The public HTML form: text fields arrive as strings (blank means not given); kecamatan and desa required."""

    #: A field people cannot see; bots fill it in.
    website = fields.String(load_default="")

    @pre_load
    def blanks_are_missing(self, data, **kwargs) -> dict:
        cleaned = {key: value.strip() for key, value in data.items() if isinstance(value, str)}
        cleaned = {key: value for key, value in cleaned.items() if value != "" and key not in FORM_ONLY}
        cleaned["consents"] = {p: cleaned.pop(f"consent_{p}", None) in TICKED for p in notices.PURPOSES}
        cleaned.setdefault("notice_version", "")
        return cleaned

    def consent_errors(self, missing: dict) -> ValidationError:
        return ValidationError({f"consent_{purpose}": [message] for purpose, message in missing.items()})

    @validates_schema
    def where_exactly(self, data: dict, **kwargs) -> None:
        if not data.get("kecamatan_code"):
            raise ValidationError(_l("Pilih kecamatan."), "kecamatan_code")
        if not data.get("desa_code"):
            raise ValidationError(_l("Pilih desa/kelurahan."), "desa_code")


class RegistrationSchema(Schema):
    """A new registration as the public API returns it: what the caller gave, its id, status and waitlist place.

    Nothing the caller did not give (the check-in code, the cancel link) is returned: those go to the person's own
    phone or email in the confirmation, which also proves the contact is theirs.
    """

    id = fields.String(dump_only=True)
    event_id = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    waitlist_position = fields.Integer(dump_only=True, allow_none=True)
    full_name = fields.String(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)
    email = fields.String(dump_only=True, allow_none=True)
    registered_at = LocalDateTime(dump_only=True)


class AlreadyRegisteredSchema(Schema):
    """The answer to a phone or email already registered for the event: nothing about that registration."""

    status = fields.String(dump_only=True, metadata={"example": "already_registered"})
    message = fields.String(dump_only=True)


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
    starts_at = _when(required=True)
    ends_at = _when(required=True)
    registration_opens_at = _when(load_default=None, allow_none=True)
    registration_closes_at = _when(load_default=None, allow_none=True)
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
    starts_at = _when()
    ends_at = _when()
    registration_opens_at = _when(allow_none=True)
    registration_closes_at = _when(allow_none=True)
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


class RegistrationQuerySchema(Schema):
    """Filters of an event's registration list."""

    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Name, phone, email or check-in code"}
    )
    status = fields.String(
        validate=validate.OneOf(
            (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED)
        )
    )
    gender = fields.String(validate=validate.OneOf(GENDERS))
    disability = fields.String(validate=validate.OneOf(DISABILITIES))
    participant_type = fields.String(validate=validate.OneOf(PARTICIPANT_TYPES))


class StaffRegistrationSchema(Schema):
    """A registration as staff see it."""

    id = fields.String()
    event_id = fields.String()
    status = fields.String()
    waitlist_position = fields.Function(
        lambda reg: reg.waitlist_position if hasattr(reg, "waitlist_position") else None
    )
    full_name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    kabupaten_code = fields.String()
    kecamatan_code = fields.String(allow_none=True)
    desa_code = fields.String(allow_none=True)
    gender = fields.String()
    age_group = fields.String()
    disability = fields.String()
    accessibility_needs = fields.String()
    participant_type = fields.String()
    institution = fields.String()
    preferred_channel = fields.String()
    checkin_code = fields.String()
    registered_at = LocalDateTime()
    cancelled_at = _when(allow_none=True)
    checked_in_at = _when(allow_none=True)


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


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1000))
    #: The current code of the authenticator app, for accounts with two-step sign-in.
    code = fields.String(load_only=True, load_default=None, validate=validate.Length(max=12))


class TokenSchema(Schema):
    token = fields.String()
    expires_at = LocalDateTime()


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


class LoginSchema(Schema):
    email = fields.String(
        required=True, validate=validate.Length(max=254), error_messages={"required": _l("Isi email Anda.")}
    )
    password = fields.String(
        required=True, validate=validate.Length(max=1000), error_messages={"required": _l("Isi kata sandi Anda.")}
    )
    next = fields.String(load_default="", validate=validate.Length(max=2000))


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


class ApiKeyCreateSchema(Schema):
    name = SingleLineText(
        required=True,
        min_length=2,
        max_length=100,
        length_error=_l("Beri nama kunci (2 sampai 100 huruf), mis. nama sistem mitra."),
        error_messages={"required": _l("Beri nama kunci, mis. nama sistem mitra.")},
        metadata={"description": "Whose system the key is for, e.g. the partner's name"},
    )


class ApiKeySchema(Schema):
    """A key as staff see it: never the key itself (only its hash is stored)."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "The key's first letters, to tell keys apart"})
    scope = fields.String()
    created_at = LocalDateTime()
    last_used_at = LocalDateTime(allow_none=True)
    revoked_at = LocalDateTime(allow_none=True)


class NewApiKeySchema(Schema):
    key = fields.String(metadata={"description": "The key: shown this once, store it in the partner system now"})
    api_key = fields.Nested(ApiKeySchema)


class InviteFormSchema(Schema):
    """The provincial admin's form inviting a new staff member."""

    name = SingleLineText(
        required=True, min_length=2, max_length=200, error_messages={"required": _l("Isi nama staf.")}
    )
    email = fields.String(
        required=True, validate=validate.Length(max=254), error_messages={"required": _l("Isi email staf.")}
    )
    role = fields.String(
        required=True,
        validate=validate.OneOf(("provincial_admin", "regency_organiser")),
        error_messages={"required": _l("Pilih peran.")},
    )
    kabupaten_code = fields.String(load_default=None, validate=validate.Length(max=5))

    @pre_load
    def blanks_are_unset(self, data, **kwargs) -> dict:
        return {key: value.strip() for key, value in data.items() if isinstance(value, str) and value.strip()}

    @validates("email")
    def an_address(self, value: str, **kwargs) -> None:
        try:
            validate.Email()(value)
        except ValidationError:
            raise ValidationError(_l("Email tidak valid.")) from None


class NewPasswordSchema(Schema):
    """A new password typed twice (the set-password and change-password pages)."""

    current = fields.String(load_default="", validate=validate.Length(max=1000))
    password = fields.String(
        required=True, validate=validate.Length(max=1000), error_messages={"required": _l("Isi kata sandi baru.")}
    )
    confirm = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def same_twice(self, data, **kwargs) -> None:
        if data.get("password") != data.get("confirm"):
            raise ValidationError(_l("Kedua kata sandi tidak sama."), "confirm")
