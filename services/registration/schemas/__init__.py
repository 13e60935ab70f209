"""HTTP schemas of the registration service: what the API and the form accept and return.

Here the fields and checks they share; a registration's schemas are in registrations.py, an event's in events.py, those
of signing in, API keys and staff accounts in accounts.py."""

from datetime import UTC, datetime

import email_validator
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from shared import phones
from shared.regions import all_areas
from shared.timeutil import LocalDateTime

#: Event times outside this range are typing mistakes (and old dates have no proper WITA offset).
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def when_field(**kwargs) -> LocalDateTime:
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
