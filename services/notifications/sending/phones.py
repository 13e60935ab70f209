"""Phone numbers written as each gateway expects them; what counts as a number is the shared rule (shared.phones)."""

from shared.phones import BadNumber, is_mobile, mobile, normalise, regions

__all__ = [
    "BadNumber",
    "for_twilio",
    "for_whatsapp",
    "for_zenziva",
    "is_mobile",
    "mobile",
    "refusal",
    "regions",
    "to_e164",
]


def to_e164(raw: str) -> str:
    """Return `raw` ("0812-3456-7890", "+62 812 3456 7890", "6281234567890") as E.164 ("+6281234567890")."""
    return normalise(raw)


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


def refusal(error: BadNumber) -> str:
    """Say, for the message log, why a text could not go to a number (without the number)."""
    if error.kind == "landline":
        return "nomor ini bukan nomor HP: SMS dan WhatsApp tidak dapat dikirim ke telepon rumah/kantor"
    if error.kind == "region":
        return f"nomor HP luar negeri ({error.region}): wilayah ini tidak ada di ALLOWED_PHONE_REGIONS"
    return "nomor telepon tidak dikenali"
