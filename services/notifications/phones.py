"""Phone numbers: read as people type them, written as each gateway expects them."""

import phonenumbers


class BadNumber(ValueError):
    """Not a phone number that could receive an SMS or WhatsApp message."""


def to_e164(raw: str, region: str = "ID") -> str:
    """Return `raw` ("0812-3456-7890", "+62 812 3456 7890", "6281234567890") as E.164 ("+6281234567890")."""
    text = raw.strip()
    if text.startswith("62") and not text.startswith("+"):
        text = "+" + text  # Indonesians often type the country code without the plus
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise BadNumber(f"not a phone number: {raw!r}") from error
    if not phonenumbers.is_possible_number(number):
        raise BadNumber(f"not a phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def for_zenziva(raw: str) -> str:
    """Zenziva takes the national form: 081234567890."""
    e164 = to_e164(raw)
    return "0" + e164[3:] if e164.startswith("+62") else e164.lstrip("+")


def for_whatsapp(raw: str) -> str:
    """The WhatsApp Cloud API takes digits with the country code and no plus: 6281234567890."""
    return to_e164(raw).lstrip("+")


def for_twilio(raw: str) -> str:
    """Twilio takes E.164: +6281234567890."""
    return to_e164(raw)
