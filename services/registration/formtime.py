"""The form's signed render time (docs/reliability.md): a form sent sooner than a person could fill it is a bot's.

The form carries, in a hidden field, the moment it was first shown, signed with the app's SECRET_KEY: a bot can
neither leave it out nor move it back. A person who refreshes the kecamatan/desa lists or fixes a field keeps the
time they first got the form, so only the first showing has to be FORM_MIN_SECONDS old.
"""

import functools
import time

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

#: The hidden field, and a salt of its own so no other signed value of the service passes for a render time.
FIELD, SALT = "rendered_at", "registration-form-rendered-at"


class Untrusted(Exception):
    """A render time the form cannot go by (missing, altered, or older than FORM_MAX_AGE_SECONDS).

    `message` asks the person to check and send again; `stamp` is the render time to show the form with.
    """

    def __init__(self, reason: str, message: str, shown_at: float) -> None:
        super().__init__(reason)
        self.reason, self.message, self.shown_at = reason, message, shown_at

    @property
    def stamp(self) -> str:
        return _sign(self.shown_at)


def stamp(previous: str | None = None) -> str:
    """Return the render time for a form shown now: `previous` while it is still good, else now."""
    if not previous:  # a first showing
        return _sign(time.time())
    try:
        seconds_open(previous)
    except Untrusted:
        return _sign(time.time())
    return previous


def seconds_open(value: str | None) -> float:
    """How long ago the form that carried `value` was first shown; raise Untrusted when it cannot be believed."""
    if not value:
        raise Untrusted("missing", _damaged(), _sendable_now())
    try:
        shown_at = _serializer(current_app.config["SECRET_KEY"]).loads(
            value, max_age=current_app.config["FORM_MAX_AGE_SECONDS"]
        )
    except SignatureExpired as error:
        message = _("Formulir ini sudah terlalu lama terbuka. Periksa isian Anda, lalu kirim lagi.")
        raise Untrusted("expired", message, _sendable_now()) from error
    except BadSignature as error:
        raise Untrusted("invalid", _damaged(), _sendable_now()) from error
    return time.time() - shown_at


def _sendable_now() -> float:
    """The render time a refused form comes back with: open long enough already.

    The person has filled the form and is asked to check it and send it again; sending it straight back is not a
    bot's haste, and a quick second click must not be thanked and dropped. A bot that leaves the field out saves
    itself the wait after a GET at the cost of one more request; the honeypot and the rate limit still meet it.
    """
    return time.time() - current_app.config["FORM_MIN_SECONDS"]


def _damaged() -> str:
    return _("Formulir ini tidak lengkap atau rusak. Periksa isian Anda, lalu kirim lagi.")


def _sign(shown_at: float) -> str:
    return _serializer(current_app.config["SECRET_KEY"]).dumps(shown_at)


@functools.lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    """One serializer per key, reused (it keeps no state; every form shown signs one value)."""
    return URLSafeTimedSerializer(secret_key, salt=SALT)
