"""The "daftarkan orang lain" form: the registrant (who fills it in, and whose contact reaches those without one) and
up to MAX_PEOPLE person blocks, each checked by the registration form's own rules (RegistrationFormSchema).

A person block's fields are named `p<index>-<field>` (p0-full_name, p1-gender, ...); the registrant's
`registrant_<field>`. Every error comes back under the name of the field it belongs to, so the form shows it there.
"""

import re

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load, validates_schema

from services.registration.schemas import EmailField, PhoneField, check_textable
from services.registration.schemas.registrations import TICKED, RegistrationFormSchema, _choice, known_notice
from shared.messaging.vocabulary import CHANNELS
from shared.states import Channel
from shared.text import SingleLineText

#: People one registrant may register in one sitting (groups.MAX_PEOPLE says the same for the use case).
MAX_PEOPLE = 10
#: A person's own answers (their block of the form); the contact and channel rules are the registration form's.
PERSON_FIELDS = (
    "full_name",
    "phone",
    "email",
    "kabupaten_code",
    "kecamatan_code",
    "desa_code",
    "gender",
    "age_group",
    "disability",
    "accessibility_needs",
    "participant_type",
    "institution",
    "consent_training",
    "consent_messages",
    "consent_statistics",
)
TOO_MANY = _l("Paling banyak 10 orang dalam satu pendaftaran. Daftarkan orang lainnya dalam pendaftaran berikutnya.")
CONTACT_NEEDED = _l("Isi nomor HP atau email Anda: ada orang yang tidak punya kontak sendiri.")
_BLOCK = re.compile(r"^p(\d{1,6})-")
_PERSON = RegistrationFormSchema()


class TooMany(Exception):
    """More than MAX_PEOPLE person blocks were sent."""


def people_count(form) -> int:
    """How many person blocks the form holds: its `people` field, or more when blocks beyond it were sent; at least
    one. Raise TooMany past MAX_PEOPLE (an 11th block is refused, not dropped)."""
    raw = (form.get("people") or "1").strip()[:4]
    count = int(raw) if raw.isdigit() else 1
    highest = max((int(m.group(1)) + 1 for key in form.keys() if (m := _BLOCK.match(key))), default=0)
    count = max(count, highest, 1)
    if count > MAX_PEOPLE:
        raise TooMany
    return count


class Invalid(Exception):
    """The form's mistakes, {field name as sent: [message]}."""

    def __init__(self, errors: dict) -> None:
        super().__init__("group form invalid")
        self.errors = errors


class RegistrantSchema(Schema):
    """Who fills in the form for the others: their name, and a phone or email for those who have none."""

    registrant_name = SingleLineText(
        required=True,
        min_length=2,
        max_length=200,
        length_error=_l("Isi nama lengkap (2 sampai 200 huruf)."),
        error_messages={"required": _l("Isi nama lengkap Anda."), "null": _l("Isi nama lengkap Anda.")},
    )
    registrant_phone = PhoneField(load_default=None)
    registrant_email = EmailField(load_default=None)
    registrant_channel = fields.String(**_choice(CHANNELS, _l("Pilih cara kami menghubungi Anda.")))
    registrant_declaration = fields.Boolean(load_default=False)
    notice_version = fields.String(required=True, validate=known_notice)

    @pre_load
    def blanks_are_missing(self, data, **kwargs) -> dict:
        cleaned = {key: (data.get(key) or "").strip() for key in self.fields}
        cleaned = {key: value for key, value in cleaned.items() if value}
        cleaned["registrant_declaration"] = cleaned.get("registrant_declaration") in TICKED
        return cleaned

    @validates_schema(skip_on_field_errors=False)
    def declared(self, data: dict, **kwargs) -> None:
        if not data.get("registrant_declaration"):
            message = _l("Centang pernyataan ini: setiap orang sudah mendengar pemberitahuan privasi dan setuju.")
            raise ValidationError(message, "registrant_declaration")


def load_group(form, count: int, locale: str) -> tuple[dict, list[dict]]:
    """Check the registrant and each of `count` people; return (registrant, people) or raise Invalid with every
    mistake of the form at once."""
    errors: dict = {}
    try:
        registrant = RegistrantSchema().load({key: form.get(key, "") for key in RegistrantSchema().fields})
    except ValidationError as error:
        errors |= {key: _messages(value) for key, value in error.messages.items()}
        registrant = None
    people = []
    for index in range(count):
        person, person_errors = _load_person(form, index, registrant)
        errors |= person_errors
        people.append(person)
    if registrant is not None and any(_shares(form, index) for index in range(count)):
        errors |= _registrant_reachable(registrant)
    if errors or registrant is None or None in people:
        raise Invalid(errors or {"registrant_phone": [str(CONTACT_NEEDED)]})
    who = {"full_name": registrant["registrant_name"], "locale": locale}
    return who | {"phone": registrant["registrant_phone"], "email": registrant["registrant_email"]}, people


def _shares(form, index: int) -> bool:
    """Whether person `index` has no phone or email of their own (the registrant's reaches them)."""
    return not ((form.get(f"p{index}-phone") or "").strip() or (form.get(f"p{index}-email") or "").strip())


def _registrant_reachable(registrant: dict) -> dict:
    """The registrant's contact, when someone is reached through it: given, and fit for the channel chosen."""
    channel, phone, email = (registrant[f"registrant_{key}"] for key in ("channel", "phone", "email"))
    if not (phone or email):
        return {
            "registrant_phone": [str(_l("Isi nomor HP atau email Anda: ada orang yang tidak punya kontak sendiri."))]
        }
    if channel == Channel.EMAIL and not email:
        return {"registrant_email": [str(_l("Untuk pesan lewat email, isi alamat email."))]}
    if channel in (Channel.SMS, Channel.WHATSAPP):
        if not phone:
            return {"registrant_phone": [str(_l("Untuk pesan lewat SMS atau WhatsApp, isi nomor HP."))]}
        try:
            check_textable(phone)
        except ValidationError as error:
            return {"registrant_phone": _messages(error.messages)}
    return {}


def _load_person(form, index: int, registrant: dict | None) -> tuple[dict | None, dict]:
    """One person's answers, with the contact they are reached by: their own, or the registrant's."""
    prefix = f"p{index}-"
    values = {name: (form.get(prefix + name) or "")[:2000] for name in PERSON_FIELDS}
    own_phone, own_email = values["phone"].strip(), values["email"].strip()
    shared = _shares(form, index)
    channel = (registrant or {}).get("registrant_channel") or ""
    if shared:  # the registrant's contact (checked once, at their fields): the person's rules see it as given
        contact = registrant or {}
        values |= {"phone": contact.get("registrant_phone") or "", "email": contact.get("registrant_email") or ""}
    elif channel == Channel.EMAIL and not own_email:
        channel = Channel.SMS  # their own phone only: a text reaches it, whatever the registrant chose
    elif channel in (Channel.SMS, Channel.WHATSAPP) and not own_phone:
        channel = Channel.EMAIL
    values |= {"preferred_channel": channel, "notice_version": form.get("notice_version", "")[:40], "website": ""}
    try:
        person = _PERSON.load(values)
    except ValidationError as error:
        if shared:  # a mistake in the registrant's contact is said once, at the registrant's fields
            for key in ("phone", "email", "preferred_channel"):
                error.messages.pop(key, None)
        error.messages.pop("notice_version", None)  # said at the registrant's
        if channel == "":
            error.messages.pop("preferred_channel", None)
        return None, {prefix + key: _messages(value) for key, value in error.messages.items()}
    person.pop("website", None)
    person["shared_contact"] = shared
    return person, {}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [str(message) for messages in value.values() for message in _messages(messages)]
    return [str(message) for message in value] if isinstance(value, list) else [str(value)]
