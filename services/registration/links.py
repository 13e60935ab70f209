"""The signed links in participants' messages (cancel, their page, the staff check-in QR), and the short /k/ one."""

import functools
import secrets

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from services.registration import store
from services.registration.common import RegistrationError
from services.registration.models import Event, Registration
from shared.timeutil import utcnow

CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud at the door
#: Letters of a short cancel link's code (/k/<code>): 32^10, about 10^15 codes for a rate-limited visitor to guess.
CANCEL_CODE_LENGTH = 10


def _signer(salt: str) -> URLSafeTimedSerializer:
    return _serializer(current_app.config["SECRET_KEY"], salt)


@functools.lru_cache(maxsize=16)
def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    """One serializer per key and salt, reused (it keeps no state between links; the form signs three each)."""
    return URLSafeTimedSerializer(secret_key, salt=salt)


#: Salts keep each kind of signed link from being used as another kind.
CANCEL, PAGE, CHECKIN = "cancel-registration", "registration-page", "staff-check-in"
#: Links in messages stay valid for half a year; the event's own dates end them sooner.
LINK_MAX_AGE = 183 * 24 * 3600


def sign(salt: str, registration_id: str) -> str:
    return _signer(salt).dumps(registration_id)


def unsign(salt: str, token: str) -> Registration:
    """Return the registration a signed link names; refuse a forged, expired or unknown one."""
    try:
        registration_id = _signer(salt).loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired as error:
        raise RegistrationError("link_expired", _("Tautan ini sudah kedaluwarsa."), 410) from error
    except BadSignature as error:
        raise RegistrationError("link_invalid", _("Tautan ini tidak sah atau rusak."), 404) from error
    registration = store.get_registration(registration_id)
    if registration is None:
        raise RegistrationError("link_invalid", _("Tautan ini tidak sah atau rusak."), 404)
    if registration.full_name is None:  # anonymised after the retention period (retention.py): nothing to show
        raise RegistrationError("link_expired", _("Tautan ini sudah kedaluwarsa."), 410)
    return registration


def cancel_url(registration_id: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/r/{sign(CANCEL, registration_id)}/batal"


def short_cancel_url(registration: Registration) -> str:
    """The cancel link short enough for an SMS: /k/<code>, opening the signed cancel page (the long link before)."""
    if not registration.cancel_code:
        return cancel_url(registration.id)
    return f"{current_app.config['PUBLIC_BASE_URL']}/k/{registration.cancel_code}"


def by_cancel_code(code: str) -> Registration:
    """Return the registration a short cancel link names; refuse a malformed, unknown or expired one."""
    code = code.upper()
    known = len(code) == CANCEL_CODE_LENGTH and all(char in CHECKIN_ALPHABET for char in code)
    registration = store.get_registration_by_cancel_code(code) if known else None
    if registration is None:
        raise RegistrationError("link_invalid", "Tautan ini tidak sah atau rusak.", 404)
    if (utcnow() - registration.registered_at).total_seconds() > LINK_MAX_AGE:
        raise RegistrationError("link_expired", "Tautan ini sudah kedaluwarsa.", 410)
    return registration


def random_code(length: int) -> str:
    return "".join(CHECKIN_ALPHABET[byte % 32] for byte in secrets.token_bytes(length))  # 32 letters: uniform


def page_url(registration_id: str) -> str:
    """The participant's own confirmation page (the cancel page's "keep my registration" leads back to it)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/pendaftaran/{sign(PAGE, registration_id)}"


def checkin_url(registration_id: str) -> str:
    """The staff-only check-in address the QR code on the confirmation carries."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/staf/hadir/{sign(CHECKIN, registration_id)}"


def event_url(event_id: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/acara/{event_id}"


def poster_url(event: Event, size: str = "besar") -> str | None:
    """The absolute address of the event's poster (`besar` for link previews, `kecil` for the page), if it has one."""
    if not event.poster_version:
        return None
    return f"{event_url(event.id)}/poster/{event.poster_version}/{size}.jpg"
