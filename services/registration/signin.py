"""Staff signing in: password, then the authenticator's code when two-step sign-in is on, throttled per account and per
address; the session token it gives, and signing out."""

import functools
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.security import check_password_hash, generate_password_hash

from services.registration import store
from services.registration.accounts import (
    PASSWORD_MAX,
    SECOND_STEP,
    account_signer,
    get_account,
    mark_changed,
    refuse,
    store_new_password,
)
from services.registration.bus import nudge
from services.registration.common import audit
from services.registration.extensions import db
from services.registration.models import Staff
from services.registration.twostep import take_code
from shared.staffauth import StaffClaims, issue_token
from shared.timeutil import utcnow

logger = logging.getLogger(__name__)


#: How long the page asking for the two-step code stays usable after the password was right.
SECOND_STEP_SECONDS = 300


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash to check unknown emails against, so they take as long as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


class SignInLimiter:
    """Failed sign-ins counted per account (a hash of the email) and per address, in Redis like the form's limit.

    When Redis cannot be reached the counts are kept in this process meanwhile: a lock-out still holds.
    """

    def __init__(self, app) -> None:
        uri = app.config["RATELIMIT_STORAGE_URI"] or app.config["REDIS_URL"]
        options = app.config["RATELIMIT_STORAGE_OPTIONS"] if uri.startswith("redis") else {}
        self.store = FixedWindowRateLimiter(storage_from_string(uri, wrap_exceptions=True, **options))
        self.memory = FixedWindowRateLimiter(MemoryStorage())
        self.prefix = app.config["RATELIMIT_KEY_PREFIX"]
        self.limits = {
            "account": parse(app.config["STAFF_SIGNIN_ACCOUNT_LIMIT"]),
            "address": parse(app.config["STAFF_SIGNIN_ADDRESS_LIMIT"]),
        }

    def _call(self, method: str, kind: str, key: str):
        for limiter in (self.store, self.memory):
            try:
                return getattr(limiter, method)(self.limits[kind], self.prefix, "staff-signin", kind, key)
            except StorageError:
                logger.warning("signin_limit_storage_down: counting sign-in failures in memory meanwhile")
        return None

    def locked(self, keys: dict[str, str]) -> str | None:
        """Return the kind of key ("account" or "address") that is locked out, or None."""
        return next((kind for kind, key in keys.items() if self._call("test", kind, key) is False), None)

    def failed(self, keys: dict[str, str]) -> None:
        for kind, key in keys.items():
            self._call("hit", kind, key)

    def succeeded(self, keys: dict[str, str]) -> None:
        self._call("clear", "account", keys["account"])


def _limiter() -> SignInLimiter:
    app = current_app._get_current_object()
    if "signin_limiter" not in app.extensions:
        app.extensions["signin_limiter"] = SignInLimiter(app)
    return app.extensions["signin_limiter"]


def _digest(value: str) -> str:
    """A short keyed hash: what the logs and counters hold instead of an email or address."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def _keys(email: str, address: str) -> dict[str, str]:
    return {"account": _digest(email), "address": _digest(address or "-")}


def _locked_out(keys: dict[str, str], staff_id: int | None = None) -> None:
    kind = _limiter().locked(keys)
    if kind is not None:
        logger.warning("staff_signin_locked", extra={"scope": kind, "account": keys["account"], "staff_id": staff_id})
        seconds = _limiter().limits[kind].get_expiry()
        minutes = max(1, round(seconds / 60))
        message = _("Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi %(n)d menit lagi.", n=minutes)
        raise refuse("signin_locked", message, 429, retry_after=seconds)


@dataclass
class SignIn:
    """A sign-in whose password was right: done, or waiting for the two-step code (`pending` carries it on)."""

    staff: Staff
    pending: str | None = None


def check_password(email: str, password: str, address: str) -> SignIn:
    """Check an email and password, throttled; unknown emails cost the same hash check as known ones."""
    email = email.strip()[:254]
    keys = _keys(email, address)
    _locked_out(keys)
    staff = store.get_staff_by_email(email) if email else None
    right = check_password_hash(
        staff.password_hash if staff else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
        password[: PASSWORD_MAX * 4],
    )
    if staff is None or not right:
        _limiter().failed(keys)
        logger.info("staff_signin_failed", extra={"account": keys["account"], "staff_id": staff and staff.id})
        raise refuse("invalid_credentials", _("Email atau kata sandi salah."), 401)
    if not staff.active:
        raise refuse("account_disabled", _("Akun ini sudah dinonaktifkan. Hubungi admin provinsi."), 403)
    if staff.totp_enabled:
        pending = account_signer(SECOND_STEP).dumps({"id": staff.id, "v": staff.token_version})
        return SignIn(staff, pending)
    _limiter().succeeded(keys)
    return SignIn(staff)


def check_second_step(pending: str, code: str, address: str) -> Staff:
    """Finish a two-step sign-in with the code from the authenticator app (each code works once)."""
    try:
        data = account_signer(SECOND_STEP).loads(pending[:500], max_age=SECOND_STEP_SECONDS)
        staff = store.get_staff(int(data["id"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        staff = None
    if staff is None or not staff.active or data.get("v") != staff.token_version:
        raise refuse("second_step_expired", _("Langkah masuk sudah kedaluwarsa. Silakan masuk lagi."), 401)
    keys = _keys(staff.email, address)
    _locked_out(keys, staff.id)
    if not take_code(staff, code):
        _limiter().failed(keys)
        db.session.rollback()
        raise refuse("invalid_code", _("Kode verifikasi salah atau sudah dipakai."), 401)
    _limiter().succeeded(keys)
    return staff


def issue_session(staff: Staff) -> dict:
    """Record the sign-in and return a bearer token (the same value the pages keep in the staff cookie)."""
    staff.last_signed_in_at = utcnow()
    db.session.commit()
    token, expires_at = issue_token(staff.claims(), current_app.config["STAFF_TOKEN_HOURS"])
    return {"token": token, "expires_at": expires_at}


def token_for(email: str, password: str, code: str | None, address: str) -> dict:
    """The API's sign-in: email and password, plus the current code for accounts with two-step sign-in."""
    signed = check_password(email, password, address)
    if signed.pending is not None:
        if not code:
            raise refuse("code_required", _("Akun ini memakai verifikasi dua langkah: sertakan kode."), 401)
        return issue_session(check_second_step(signed.pending, code, address))
    return issue_session(signed.staff)


def sign_out(claims: StaffClaims) -> None:
    """End every session of the account, in every service (its token version goes up)."""
    staff = store.get_staff(claims.id)
    if staff is not None:
        mark_changed(staff)
        db.session.commit()
        nudge()


def change_password(claims: StaffClaims, current: str, new: str, address: str = "") -> Staff:
    """Change one's own password after giving the current one (guesses count as failed sign-ins); every other
    session ends."""
    staff = get_account(claims.id)
    keys = _keys(staff.email, address)
    _locked_out(keys, staff.id)
    if not check_password_hash(staff.password_hash, current[: PASSWORD_MAX * 4]):
        _limiter().failed(keys)
        raise refuse("invalid_credentials", _("Kata sandi saat ini salah."), 400)
    store_new_password(staff, new)
    audit("account.password_change", claims, object_id=staff.id)
    db.session.commit()
    nudge()
    logger.info("staff_password_changed", extra={"staff_id": staff.id})
    return staff
