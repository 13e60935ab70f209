"""HTTP schemas of a registration: what a person (by the form or a partner's API) sends, with their consents, and what
the API returns to them and to staff."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from services.registration import notices
from services.registration.schemas import KABUPATEN_CODES, EmailField, PhoneField, check_textable, when_field
from shared.messaging.vocabulary import AGE_GROUPS, CHANNELS, DISABILITIES, GENDERS, LOCALES, PARTICIPANT_TYPES
from shared.regions import is_child
from shared.states import Channel, RegistrationStatus
from shared.text import MultiLineText, SingleLineText
from shared.timeutil import LocalDateTime

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
        self.regions_consistent(data)

    @staticmethod
    def regions_consistent(data: dict) -> None:
        """The kecamatan lies in the kabupaten/kota, the desa in the kecamatan."""
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
    #: Who registered the person in person (null: they registered themselves), and that registrant's phone and email
    #: when the person has none of their own (`phone` and `email` are then null).
    registered_by = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    checkin_code = fields.String()
    registered_at = LocalDateTime()
    cancelled_at = when_field(allow_none=True)
    checked_in_at = when_field(allow_none=True)
