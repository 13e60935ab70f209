"""The one rule for phone numbers, used by the form and by the sender alike: read as people type them, E.164 out.

`normalise` takes any real number (an email-only participant may leave a landline to be called on); `mobile`
takes only a number that can receive an SMS or a WhatsApp message, in a region texts may go to.
"""

import re

import phonenumbers
from phonenumbers import PhoneNumberType

#: Where a text goes when ALLOWED_PHONE_REGIONS says nothing: Indonesian numbers only.
DEFAULT_REGIONS = ("ID",)
#: A number is read as Indonesian unless it says otherwise.
HOME_REGION = "ID"
#: Numbers that may be mobiles: some countries cannot tell a mobile from a landline by the number alone.
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
MAX_LENGTH = 30
_SEPARATORS = re.compile(r"[\s\-.()/]")


class BadNumber(ValueError):
    """A number refused, with `kind` saying why: "unreadable", "landline" or "region" (the region in `region`).

    The message never holds the number itself, so it may go into a log or a message's failure reason.
    """

    def __init__(self, kind: str, region: str | None = None) -> None:
        reasons = {
            "unreadable": "not a phone number",
            "landline": "not a mobile number (SMS/WhatsApp)",
            "region": f"a number in {region}, where texts may not go",
        }
        super().__init__(reasons[kind])
        self.kind, self.region = kind, region


def regions(text: str | None) -> tuple[str, ...]:
    """Read ALLOWED_PHONE_REGIONS ("ID" or "ID, MY") into ISO region codes; empty means Indonesia only."""
    found = tuple(part.strip().upper() for part in (text or "").split(",") if part.strip())
    return found or DEFAULT_REGIONS


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    text = (raw or "").strip()
    if not text or len(text) > MAX_LENGTH:
        raise BadNumber("unreadable")
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("0062"):  # the international prefix typed as 00
        compact = "+" + compact[2:]
    elif compact.startswith("62"):  # the country code typed without the plus (a national number starts with 0)
        compact = "+" + compact
    try:
        number = phonenumbers.parse(compact, HOME_REGION)
    except phonenumbers.NumberParseException as error:
        raise BadNumber("unreadable") from error
    if not phonenumbers.is_valid_number(number):
        raise BadNumber("unreadable")
    return number


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise(raw: str) -> str:
    """Return any real phone number ("0812-3456-7890", "62812…", "+62 0812…", "(0511) 3252…") as E.164."""
    return _e164(_parse(raw))


def mobile(raw: str, allowed: tuple[str, ...] = DEFAULT_REGIONS) -> str:
    """Return `raw` as E.164 when an SMS or WhatsApp message may go to it; else raise BadNumber saying why."""
    number = _parse(raw)
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise BadNumber("landline")
    region = phonenumbers.region_code_for_number(number)
    if region not in allowed:
        raise BadNumber("region", region)
    return _e164(number)


def is_mobile(raw: str | None, allowed: tuple[str, ...] = DEFAULT_REGIONS) -> bool:
    try:
        mobile(raw or "", allowed)
    except BadNumber:
        return False
    return True
